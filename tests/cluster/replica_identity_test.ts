/**
 * Replica identity: with a shared store, every metric of a replica carries its `replica` label (one value per
 * process, so the label set stays bounded) and every audit line names the replica that wrote it, inside the hashed
 * chain, which still verifies.
 */

import assert from "node:assert/strict";
import { CLUSTER_IGNORE, clusterClient, resultData, startCluster, TOKENS } from "./_cluster.ts";

Deno.test({
  name: "cluster: metrics carry a replica label and audit lines name their replica",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster();
    await using alice = await clusterClient(cluster.url, TOKENS.alice);
    const result = await alice.client.callTool({
      name: "execute_code",
      arguments: { code: "return 6 * 7;" },
    });
    assert.equal(resultData(result), 42);
    const owner = await cluster.owner(alice.transport.sessionId!);
    for (const [i, replica] of cluster.replicas.entries()) {
      const response = await fetch(`${replica!.base}/metrics`, {
        headers: { authorization: `Bearer ${TOKENS.haproxy}` },
      });
      assert.equal(response.status, 200);
      const samples = (await response.text()).split("\n").filter((l) =>
        l !== "" && !l.startsWith("#")
      );
      assert.ok(samples.length > 0);
      for (const sample of samples) {
        assert.match(sample, new RegExp(`replica="${cluster.ids[i]}"`), sample);
      }
      if (cluster.ids[i] === owner) {
        assert.ok(
          samples.some((s) =>
            s.startsWith("mcp_executor_tasks_total{") && s.includes('status="completed"')
          ),
        );
      }
    }
    let lines: Record<string, unknown>[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      lines = await cluster.auditLines();
      if (lines.some((l) => l.type === "task")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const task = lines.find((l) => l.type === "task");
    assert.ok(task, "the task's audit line is written");
    assert.equal(task.replica, owner);
    assert.equal(task.session, alice.transport.sessionId);
    assert.ok(lines.every((l) => cluster.ids.includes(l.replica as string)));
  },
});
