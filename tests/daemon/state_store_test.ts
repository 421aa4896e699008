/**
 * The daemon on the PostgreSQL state store: a real `cli/serve.ts` process with `state.url` writes its audit trail
 * to the table, chained; `state.url` (or `MCPX_STATE_URL`) without `sessions.dir` is refused, and without a key
 * (`MCPX_STATE_KEY` or `state.keyFile`) too.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { PostgresStateStore } from "../../runtime/state/mod.ts";
import { freshDatabase, PG_URL } from "../helpers/postgres.ts";
import { daemonDir, httpClient, httpDaemon, SERVE } from "./_daemon.ts";

Deno.test({
  name:
    "daemon: with state.url, the audit trail of a task goes to PostgreSQL, chained, and no file is written",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    await using dir = await daemonDir({
      state: { url: db.url, keyFile: "state.key" },
      sessions: { dir: "sessions" },
      audit: { file: "audit.jsonl" },
    });
    await Deno.writeTextFile(join(dir.dir, "state.key"), btoa("k".repeat(32)));
    {
      await using daemon = await httpDaemon(dir.config);
      await using mcp = await httpClient(daemon.url);
      const result = await mcp.client.callTool({
        name: "execute_code",
        arguments: {
          code: "const graph = await memory.readGraph({});\nreturn graph.entities.length;",
        },
      }) as { isError?: boolean };
      assert.equal(result.isError ?? false, false, JSON.stringify(result));
      const sql = postgres(db.url, { max: 1 });
      try {
        let types: string[] = [];
        for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
          const rows = await sql<{ line: string }[]>`SELECT line FROM mcpx_audit ORDER BY seq`;
          types = rows.map((r) => JSON.parse(r.line).type);
          if (types.includes("task")) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.deepEqual(types, ["tool_call", "task"]);
      } finally {
        await sql.end();
      }
    }
    await using store = await PostgresStateStore.open(db.url);
    const verdict = await store.audit.verify();
    assert.equal(verdict.intact, true, JSON.stringify(verdict.break));
    assert.equal(verdict.lines, 2);
    await assert.rejects(() => Deno.stat(join(dir.dir, "audit.jsonl")), Deno.errors.NotFound);
  },
});

Deno.test("daemon: state.url or MCPX_STATE_URL without sessions.dir is refused, naming both", async (t) => {
  const cases: { name: string; config: unknown; env: Record<string, string> }[] = [
    { name: "state.url", config: { state: { url: "postgres://u@127.0.0.1:1/db" } }, env: {} },
    { name: "MCPX_STATE_URL", config: {}, env: { MCPX_STATE_URL: "postgres://u@127.0.0.1:1/db" } },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      await using dir = await daemonDir(c.config);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SERVE, "--config", dir.config],
        env: c.env,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      assert.match(
        stderr,
        new RegExp(`${c.name.replace(".", "\\.")} is set but sessions\\.dir is not`),
      );
    });
  }
});

Deno.test("daemon: state.url without MCPX_STATE_KEY or state.keyFile is refused at start, naming both", async (t) => {
  const url = "postgres://u@127.0.0.1:1/db";
  const cases: { name: string; config: unknown; env: Record<string, string>; error: RegExp }[] = [
    {
      name: "no key",
      config: { state: { url }, sessions: { dir: "sessions" } },
      env: {},
      error: /cannot start: .*MCPX_STATE_KEY.*state\.keyFile/,
    },
    {
      name: "a key of the wrong length",
      config: { state: { url }, sessions: { dir: "sessions" } },
      env: { MCPX_STATE_KEY: btoa("short") },
      error: /cannot start: .*MCPX_STATE_KEY holds 5 bytes, expected 32/,
    },
    {
      name: "a key file that is not there",
      config: { state: { url, keyFile: "missing.key" }, sessions: { dir: "sessions" } },
      env: {},
      error: /cannot start: .*cannot read state\.keyFile/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      await using dir = await daemonDir(c.config);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SERVE, "--config", dir.config],
        env: c.env,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      assert.match(stderr, c.error);
    });
  }
});
