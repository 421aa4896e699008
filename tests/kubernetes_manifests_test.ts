/**
 * `deploy/kubernetes/` parses and hangs together: every file is YAML of known kinds, the Deployment mounts the
 * claim, the ConfigMap and the Secret the other files define, the Services select the pods' labels, the daemon's
 * `mcp-executor.json` passes the daemon's own schema, the state URL names the ExternalName Service, and HAProxy
 * accepts its config (`haproxy -c`, when HAProxy is installed).
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { parseDaemonConfig } from "../runtime/daemon/mod.ts";

const DIR = new URL("../deploy/kubernetes/", import.meta.url);
const HAPROXY = "/usr/sbin/haproxy";

// deno-lint-ignore no-explicit-any
type Manifest = { kind: string; metadata: { name: string }; [key: string]: any };

async function manifests(): Promise<Map<string, Manifest[]>> {
  const byFile = new Map<string, Manifest[]>();
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, DIR));
    const docs = parseAllDocuments(text);
    const list = (Array.isArray(docs) ? docs : [docs]).map((doc) => {
      assert.deepEqual(doc.errors, [], `${entry.name}: ${doc.errors.join("; ")}`);
      return doc.toJS() as Manifest;
    });
    byFile.set(entry.name, list);
  }
  return byFile;
}

function one(all: Manifest[], kind: string, name: string): Manifest {
  const found = all.filter((m) => m.kind === kind && m.metadata.name === name);
  assert.equal(found.length, 1, `one ${kind} "${name}"`);
  return found[0]!;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

Deno.test("deploy/kubernetes: every file parses, with the kinds and names docs/deploy.md explains", async () => {
  const byFile = await manifests();
  const kinds = Object.fromEntries(
    [...byFile].map(([file, list]) => [file, list.map((m) => `${m.kind}/${m.metadata.name}`)]),
  );
  assert.deepEqual(kinds, {
    "configmap.yaml": ["ConfigMap/mcp-executor-config"],
    "deployment.yaml": ["Deployment/mcp-executor"],
    "haproxy.yaml": [
      "ConfigMap/mcp-executor-haproxy",
      "Deployment/mcp-executor-haproxy",
      "Service/mcp-executor",
    ],
    "postgres-service.yaml": ["Service/mcpx-postgres"],
    "pvc.yaml": ["PersistentVolumeClaim/mcp-executor-sessions"],
    "secret.example.yaml": ["Secret/mcp-executor-secrets"],
    "service.yaml": ["Service/mcp-executor-replicas"],
  });
});

Deno.test("deploy/kubernetes: the Deployments mount and select what the other files define", async () => {
  const all = [...(await manifests()).values()].flat();
  const secret = one(all, "Secret", "mcp-executor-secrets");
  const claim = one(all, "PersistentVolumeClaim", "mcp-executor-sessions");
  assert.deepEqual(claim.spec.accessModes, ["ReadWriteMany"]);

  for (const deployment of all.filter((m) => m.kind === "Deployment")) {
    const pod = deployment.spec.template;
    assert.ok(
      matches(deployment.spec.selector.matchLabels, pod.metadata.labels),
      `${deployment.metadata.name}: its selector matches its pods`,
    );
    for (const volume of pod.spec.volumes) {
      if (volume.persistentVolumeClaim) {
        one(all, "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
      }
      if (volume.configMap) one(all, "ConfigMap", volume.configMap.name);
      if (volume.secret) {
        assert.equal(volume.secret.secretName, secret.metadata.name);
        for (const item of volume.secret.items ?? []) {
          assert.ok(item.key in secret.stringData, item.key);
        }
      }
    }
    const volumeNames = new Set(pod.spec.volumes.map((v: { name: string }) => v.name));
    for (const container of pod.spec.containers) {
      for (const mount of container.volumeMounts ?? []) {
        assert.ok(volumeNames.has(mount.name), `${container.name} mounts "${mount.name}"`);
      }
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref === undefined) continue;
        assert.equal(ref.name, secret.metadata.name);
        assert.ok(ref.key in secret.stringData, `the Secret has "${ref.key}"`);
      }
    }
  }

  // Each Service selects one Deployment's pods, on a port they name.
  for (const service of all.filter((m) => m.kind === "Service" && m.spec.type !== "ExternalName")) {
    const targets = all.filter((m) =>
      m.kind === "Deployment" && matches(service.spec.selector, m.spec.template.metadata.labels)
    );
    assert.equal(targets.length, 1, `${service.metadata.name} selects one Deployment`);
    const portNames = targets[0]!.spec.template.spec.containers.flatMap(
      (c: { ports?: { name: string }[] }) => (c.ports ?? []).map((p) => p.name),
    );
    for (const port of service.spec.ports) {
      assert.ok(portNames.includes(port.targetPort), port.targetPort);
    }
  }

  // The daemon: its sessions.dir is the claim's mount, its replica id is the pod's name, its config passes.
  const daemon = one(all, "Deployment", "mcp-executor").spec.template.spec;
  const container = daemon.containers[0];
  const config = one(all, "ConfigMap", "mcp-executor-config").data;
  const settings = parseDaemonConfig(JSON.parse(config["mcp-executor.json"]));
  JSON.parse(config["mcp.json"]);
  const claimVolume = daemon.volumes.find((v: Manifest) => v.persistentVolumeClaim).name;
  const sessionsMount = container.volumeMounts.find((m: Manifest) => m.name === claimVolume);
  assert.equal(settings.sessions?.dir, sessionsMount.mountPath);
  const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e]));
  assert.equal(env.MCPX_REPLICA_ID.valueFrom.fieldRef.fieldPath, "metadata.name");
  assert.ok(env.MCPX_STATE_URL.valueFrom.secretKeyRef);
  assert.ok(env.MCPX_STATE_KEY.valueFrom.secretKeyRef);
  const tokenMount = container.volumeMounts.find((m: Manifest) => m.name === "secrets").mountPath;
  assert.equal(settings.http?.bearerTokenFile, `${tokenMount}/tokens`);
  // The grace period covers the preStop pause and the drain.
  const drain = Number(container.args[container.args.indexOf("--drain-timeout") + 1]);
  const pause = Number(container.lifecycle.preStop.exec.command.at(-1));
  assert.ok(daemon.terminationGracePeriodSeconds * 1000 > pause * 1000 + drain);

  // The state URL's host is the ExternalName Service.
  const postgres = one(all, "Service", "mcpx-postgres");
  assert.equal(postgres.spec.type, "ExternalName");
  assert.equal(new URL(secret.stringData["state-url"]).hostname, postgres.metadata.name);
});

Deno.test({
  name: "deploy/kubernetes: HAProxy accepts the config of haproxy.yaml",
  ignore: !existsSync(HAPROXY),
  async fn() {
    const all = [...(await manifests()).values()].flat();
    const cfg = one(all, "ConfigMap", "mcp-executor-haproxy").data["haproxy.cfg"];
    const file = await Deno.makeTempFile({ suffix: ".cfg" });
    try {
      await Deno.writeTextFile(file, cfg);
      const output = await new Deno.Command(HAPROXY, {
        args: ["-c", "-f", file],
        env: { MCPX_LB_BIND: "127.0.0.1:8080", MCPX_HEALTH_TOKEN: "x" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(output.stderr) +
        new TextDecoder().decode(output.stdout);
      assert.ok(output.success, text);
    } finally {
      await Deno.remove(file);
    }
  },
});
