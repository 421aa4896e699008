import { configure, type LogRecord, reset } from "@logtape/logtape";
import { LOG_CATEGORY } from "../log.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../config.ts";
import { loadDaemonConfig, parseDaemonConfig } from "./daemon_config.ts";

Deno.test("parseDaemonConfig() accepts the sessions and http sections", () => {
  const config = parseDaemonConfig({
    sessions: { quotaMb: 50, idleTimeoutMs: 60_000, persist: true, dir: "sessions" },
    http: {
      host: "0.0.0.0",
      port: 9000,
      allowedOrigins: ["https://app.example"],
      allowedHosts: ["mcp.example"],
      bearerTokenEnv: "MY_TOKEN",
      bearerTokenFile: "token.txt",
    },
  });
  assert.equal(config.sessions?.quotaMb, 50);
  assert.equal(config.http?.bearerTokenEnv, "MY_TOKEN");
});

Deno.test("parseDaemonConfig() reads http.tokenFile and http.tokenEnv under their new names, warning with the new name", async () => {
  const seen: string[] = [];
  await configure({
    reset: true,
    sinks: { capture: (record: LogRecord) => seen.push(record.message.join("")) },
    loggers: [{ category: [LOG_CATEGORY], lowestLevel: "warning", sinks: ["capture"] }],
  });
  try {
    const config = parseDaemonConfig({ http: { tokenEnv: "MY_TOKEN", tokenFile: "token.txt" } });
    assert.equal(config.http?.bearerTokenEnv, "MY_TOKEN");
    assert.equal(config.http?.bearerTokenFile, "token.txt");
    assert.equal("tokenFile" in (config.http ?? {}), false);
    assert.deepEqual(seen, [
      'In mcp-executor.json, "http.tokenEnv" is deprecated: rename it to "http.bearerTokenEnv" (the old name is ' +
      "read until the next release)",
      'In mcp-executor.json, "http.tokenFile" is deprecated: rename it to "http.bearerTokenFile" (the old name is ' +
      "read until the next release)",
    ]);
    assert.throws(
      () => parseDaemonConfig({ http: { tokenFile: "a", bearerTokenFile: "b" } }),
      /"http\.tokenFile" and "http\.bearerTokenFile" are the same setting/,
    );
    seen.length = 0;
    parseDaemonConfig({ http: { bearerTokenFile: "token.txt" } });
    assert.deepEqual(seen, []);
  } finally {
    await reset();
  }
});

Deno.test("parseDaemonConfig() accepts a pii section with the orchestrator's options", () => {
  const pii = {
    enabled: true,
    detect: ["EMAIL", "PHONE"],
    fields: [{ server: "crm", path: "$.rows[*].name", kind: "NAME" }],
    flows: [{ from: "crm", to: ["crm", "mailer"] }],
    ttlMs: 60_000,
  };
  assert.deepEqual(parseDaemonConfig({ pii }).pii, pii);
});

Deno.test("parseDaemonConfig() accepts typecheck and inferOutputTypes and refuses an unknown mode", () => {
  const config = parseDaemonConfig({ typecheck: "error", inferOutputTypes: false });
  assert.equal(config.typecheck, "error");
  assert.equal(config.inferOutputTypes, false);
  assert.throws(() => parseDaemonConfig({ typecheck: "strict" }), /typecheck/);
});

Deno.test("parseDaemonConfig() accepts a search section naming the offline embedding", () => {
  const search = { embed: "universal-sentence-encoder" };
  assert.deepEqual(parseDaemonConfig({ search }).search, search);
  assert.deepEqual(parseDaemonConfig({ search: { embed: "none" } }).search, { embed: "none" });
});

Deno.test("parseDaemonConfig() names the field that is wrong", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["a wrong type", { sessions: { quotaMb: "big" } }, /"sessions\.quotaMb"/],
    ["a port out of range", { http: { port: 70000 } }, /"http\.port"/],
    ["an unknown key in a section", { http: { hots: "x" } }, /"http": .*hots/],
    ["an unknown section", { approval: {} }, /top level: .*approval/],
    [
      "a token variable that is not a name",
      { http: { bearerTokenEnv: "A-B" } },
      /"http\.bearerTokenEnv"/,
    ],
    ["pii without enabled", { pii: { flows: [] } }, /"pii\.enabled"/],
    ["an embedding that does not exist", { search: { embed: "openai" } }, /"search\.embed"/],
    [
      "a pii flow without to",
      { pii: { enabled: true, flows: [{ from: "crm" }] } },
      /"pii\.flows\.0\.to"/,
    ],
    [
      "a pii pattern that does not compile",
      { pii: { enabled: true, patterns: [{ kind: "ID", pattern: "(" }] } },
      /"pii\.patterns\.0\.pattern": Invalid regular expression/,
    ],
    [
      "a pii field path outside the subset",
      { pii: { enabled: true, fields: [{ server: "crm", path: "$.x[?(@)]", kind: "NAME" }] } },
      /"pii\.fields\.0\.path"/,
    ],
    ["an unknown pii key", { pii: { enabled: true, detekt: ["EMAIL"] } }, /"pii": .*detekt/],
    [
      "an advertised address with a path",
      { state: { advertiseUrl: "http://10.0.0.5:8787/mcp" } },
      /"state\.advertiseUrl": expected an origin/,
    ],
    [
      "an advertised address that is not http",
      { state: { advertiseUrl: "ftp://10.0.0.5" } },
      /"state\.advertiseUrl"/,
    ],
    ["a forward timeout of 0", { state: { forwardTimeoutMs: 0 } }, /"state\.forwardTimeoutMs"/],
  ];
  for (const [name, data, pattern] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseDaemonConfig(data), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, "invalid_config");
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
});

Deno.test("loadDaemonConfig() reads a file, allows a missing optional one and refuses bad JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "mcp-executor.json");
    assert.deepEqual(await loadDaemonConfig(path, { optional: true }), {});
    await assert.rejects(
      loadDaemonConfig(path),
      (e: unknown) => (e as ConfigError).code === "unreadable",
    );
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(loadDaemonConfig(path), /is not valid JSON/);
    await Deno.writeTextFile(path, '{"sessions":{"persist":true,"dir":"s"}}');
    const config = await loadDaemonConfig(path);
    assert.equal(config.path, path);
    assert.equal(config.sessions?.dir, "s");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseDaemonConfig() reads the auth section, http.publicUrl and the session caps, refusing unknown keys", () => {
  const config = parseDaemonConfig({
    http: { publicUrl: "https://mcp.example.com" },
    auth: { issuer: "https://login.example.com", principalClaim: "email", algorithms: ["ES256"] },
    sessions: { maxPerPrincipal: 4, max: 64 },
  });
  assert.equal(config.auth?.issuer, "https://login.example.com");
  assert.equal(config.sessions?.maxPerPrincipal, 4);
  assert.throws(
    () => parseDaemonConfig({ auth: { issuer: "https://login.example.com", isuer: "x" } }),
    /"auth": .*isuer/,
  );
  assert.throws(() => parseDaemonConfig({ auth: {} }), /"auth\.issuer"/);
  assert.throws(
    () => parseDaemonConfig({ auth: { issuer: "https://i.example", algorithms: ["none"] } }),
    /"auth\.algorithms\.0"/,
  );
  assert.throws(() => parseDaemonConfig({ sessions: { max: 0 } }), /"sessions\.max"/);
});
