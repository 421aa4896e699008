/**
 * The store unreachable: a daemon on a PostgreSQL cluster of the test's own, which the test stops (`pg_ctl stop
 * -m fast`) and starts again. While it is down, a new task fails with an error naming the state store (no hang,
 * no crash), a new session is refused naming the store, `GET /healthz` answers `degraded` with the store's
 * state; once it is back the daemon recovers by itself: tasks run again, and its `LISTEN` is subscribed again (a
 * cancel sent to a second replica still reaches a task on the first).
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { daemonDir, httpClient, httpDaemon } from "../daemon/_daemon.ts";
import { freePort } from "../helpers/servers.ts";
import { PG_URL } from "../helpers/postgres.ts";
import { queuedTasks, sessionHeaders, startLongTask, waitFor } from "./_cluster.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A PostgreSQL cluster of this test's own, in a temporary folder; disposing stops it and removes the folder. */
async function ownPostgres(): Promise<
  { url: string; stop(): Promise<void>; start(): Promise<void> } & AsyncDisposable
> {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-outage-pg-" });
  const root = Deno.uid() === 0;
  if (root) await new Deno.Command("chown", { args: ["postgres", dir] }).output();
  const port = freePort();
  const run = async (bin: string, args: string[]) => {
    const command = root
      ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", join(PG_BIN, bin), ...args] })
      : new Deno.Command(join(PG_BIN, bin), { args });
    const { success, stderr } = await command.output();
    if (!success) throw new Error(`${bin} failed: ${new TextDecoder().decode(stderr)}`);
  };
  const data = join(dir, "data");
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-o",
      `-k ${dir} -p ${port} -h 127.0.0.1`,
      "-l",
      join(dir, "server.log"),
      "-w",
      "start",
    ]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres"]);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async [Symbol.asyncDispose]() {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function healthz(base: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/healthz`);
  return { status: response.status, body: await response.json() };
}

/** The text of a tool call's result, or of the error it threw; `timeoutMs` bounds it (a hang fails the test). */
async function callText(
  client: Awaited<ReturnType<typeof httpClient>>["client"],
  code: string,
): Promise<{ ok: boolean; text: string }> {
  try {
    const result = await client.callTool({ name: "execute_code", arguments: { code } }, undefined, {
      timeout: 20_000,
    }) as { isError?: boolean; content?: { text?: string }[] };
    return {
      ok: result.isError !== true,
      text: (result.content ?? []).map((c) => c.text ?? "").join(" "),
    };
  } catch (error) {
    return { ok: false, text: (error as Error).message };
  }
}

Deno.test({
  name:
    "store outage: tasks fail naming the store, /healthz says degraded, and the daemon recovers",
  // Needs PostgreSQL's own binaries to run a cluster it may stop; runs where the other PostgreSQL tests run.
  ignore: PG_URL === undefined || !existsSync(join(PG_BIN, "initdb")),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using pg = await ownPostgres();
    const shared = await Deno.makeTempDir({ prefix: "mcpx-outage-sessions-" });
    await using dir = await daemonDir({
      state: { url: pg.url, leaseMs: 5_000 },
      sessions: { dir: shared },
    });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await using daemon = await httpDaemon(dir.config, {
      env: { MCPX_REPLICA_ID: "r1", MCPX_STATE_KEY: key },
    });
    await using other = await httpDaemon(dir.config, {
      env: { MCPX_REPLICA_ID: "r2", MCPX_STATE_KEY: key },
    });
    await using client = await httpClient(daemon.url);
    try {
      const before = await callText(client.client, "return 1 + 1;");
      assert.ok(before.ok, before.text);
      assert.equal((await healthz(daemon.base)).body.status, "ok");

      await pg.stop();
      const during = await callText(client.client, "return 2 + 2;");
      assert.equal(during.ok, false, during.text);
      assert.match(during.text, /state store/i);
      const health = await healthz(daemon.base);
      assert.equal(health.status, 200);
      assert.equal(health.body.status, "degraded");
      assert.equal(health.body.replica, "r1");
      assert.equal((health.body.store as { ok: boolean }).ok, false);
      const opening = await fetch(daemon.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "1" },
          },
        }),
      });
      assert.equal(opening.status, 503);
      assert.match((await opening.json()).error.message, /state store/);
      // A session this replica does not hold cannot be looked up: 503 naming the store, not a 500.
      const elsewhere = await fetch(daemon.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": crypto.randomUUID(),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      assert.equal(elsewhere.status, 503);
      assert.match((await elsewhere.json()).error.message, /state store is unreachable/);

      await pg.start();
      let after = { ok: false, text: "" };
      for (const deadline = Date.now() + 30_000; !after.ok && Date.now() < deadline;) {
        after = await callText(client.client, "return 3 + 3;");
        if (!after.ok) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(after.ok, after.text);
      const healed = await healthz(daemon.base);
      assert.equal(healed.body.status, "ok");
      assert.equal((healed.body.store as { ok: boolean }).ok, true);

      // LISTEN came back: a cancel sent to r2 for a task running on r1 still stops it.
      const headers = sessionHeaders(client.transport);
      const running = () => queuedTasks(daemon.base);
      const task = startLongTask(daemon.url, headers, 91);
      try {
        await waitFor(async () => (await running()) > 0, "the task starts on r1");
        const cancel = await fetch(other.url, {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            method: "notifications/cancelled",
            params: { requestId: 91 },
          }),
        });
        assert.equal(cancel.status, 202);
        await cancel.body?.cancel();
        await waitFor(
          async () => (await running()) === 0,
          "the cancel sent to r2 reaches r1 after the outage",
        );
      } finally {
        await task.stop();
      }
    } finally {
      await client[Symbol.asyncDispose]();
      for (const replica of [daemon, other]) {
        await replica[Symbol.asyncDispose]();
        const log = await replica.output;
        assert.doesNotMatch(log, /uncaught|unhandled/i, log);
      }
      await Deno.remove(shared, { recursive: true }).catch(() => {});
    }
  },
});
