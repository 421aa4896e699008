/**
 * The daemon as a real subprocess serving Streamable HTTP, with server-memory behind it, driven by SDK clients.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { CallToolResultSchema } from "../../runtime/sdk.ts";
import { daemonDir, descendants, httpClient, httpDaemon, isAlive, textOf } from "./_daemon.ts";

interface Health {
  status: string;
  servers: { name: string; state: string; tools: number }[];
  queue: { running: number; waiting: number; limit: number };
  sessions: number;
}

async function health(base: string): Promise<Health> {
  return await (await fetch(`${base}/healthz`)).json();
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function data(result: unknown): unknown {
  return (result as { structuredContent: { data: unknown } }).structuredContent.data;
}

Deno.test("daemon over HTTP: healthz, resources, sessions apart, disconnect mid-task, DELETE ends a session", async (t) => {
  await using dir = await daemonDir({ sessions: { dir: "sessions" } });
  await using daemon = await httpDaemon(dir.config);
  await using a = await httpClient(daemon.url);
  await using b = await httpClient(daemon.url);

  await t.step("GET /healthz reports servers, pool, queue and sessions", async () => {
    const report = await health(daemon.base);
    assert.equal(report.status, "ok");
    assert.deepEqual(report.servers, [{ name: "memory", state: "connected", tools: 9 }]);
    assert.equal(report.queue.running, 0);
    assert.equal(report.sessions, 2);
  });

  await t.step("the generated modules are resources", async () => {
    const { resources } = await a.client.listResources();
    assert.ok(resources.some((r) => r.uri === "servers://memory/index.ts"));
    const read = await a.client.readResource({ uri: "servers://memory/readGraph.ts" });
    const text = (read.contents[0] as { text: string }).text;
    assert.match(text, /export function readGraph\(/);
    await assert.rejects(a.client.readResource({ uri: "servers://../mcp.json" }));
  });

  await t.step("two clients at once get their own workspaces and independent results", async () => {
    const write = (name: string) =>
      `await Deno.writeTextFile("who.txt", "${name}");\n` +
      'await new Promise((r) => setTimeout(r, 200));\nreturn await Deno.readTextFile("who.txt");';
    const [ra, rb] = await Promise.all([
      a.client.callTool({ name: "execute_code", arguments: { code: write("a"), workspace: "w" } }),
      b.client.callTool({ name: "execute_code", arguments: { code: write("b"), workspace: "w" } }),
    ]);
    assert.equal(data(ra), "a");
    assert.equal(data(rb), "b");
    // A session's task sees only its own workspace: the folder above it is out of reach.
    const peek = await a.client.callTool({
      name: "execute_code",
      arguments: { code: 'return [...Deno.readDirSync("..")].map((e) => e.name);', workspace: "w" },
    });
    assert.equal(peek.isError, true);
    assert.match(textOf(peek), /Requires read access to "\.\."/);
    const sessions = [...Deno.readDirSync(join(dir.dir, "sessions"))].map((e) => e.name).sort();
    assert.deepEqual(sessions, [a.transport.sessionId, b.transport.sessionId].sort());
  });

  await t.step("a long task of one client does not hold up another's", async () => {
    const slow = a.client.callTool({
      name: "execute_code",
      arguments: { code: "await new Promise((r) => setTimeout(r, 1500));\nreturn 'slow';" },
    });
    const fast = await b.client.callTool({
      name: "execute_code",
      arguments: { code: "return 'fast';" },
    });
    assert.equal(data(fast), "fast");
    assert.equal((await health(daemon.base)).queue.running, 1);
    assert.equal(data(await slow), "slow");
  });

  await t.step("progress notifications arrive over HTTP", async () => {
    const seen: number[] = [];
    await b.client.callTool(
      {
        name: "execute_code",
        arguments: {
          code: "progress(1, 2);\nawait new Promise((r) => setTimeout(r, 80));\nprogress(2, 2);",
        },
      },
      CallToolResultSchema,
      { onprogress: (p) => seen.push(p.progress) },
    );
    assert.deepEqual(seen, [1, 2]);
  });

  await t.step(
    "a client that disconnects mid-task: its task is cancelled and others are served",
    async () => {
      await using c = await httpClient(daemon.url);
      const pending = c.client.callTool({
        name: "execute_code",
        arguments: { code: "while (true) {}", timeout: 60_000 },
      }).catch((error) => error);
      await until(async () => (await health(daemon.base)).queue.running === 1, "the task to start");
      await c.transport.close();
      await pending;
      await until(async () => (await health(daemon.base)).queue.running === 0, "the task to end");
      const still = await b.client.callTool({
        name: "execute_code",
        arguments: { code: "return 4;" },
      });
      assert.equal(data(still), 4);
    },
  );

  await t.step(
    "DELETE ends a session: its folder is removed and its id is refused after",
    async () => {
      const id = a.transport.sessionId!;
      await a.transport.terminateSession();
      await until(
        () =>
          Promise.resolve(!Deno.readDirSync(join(dir.dir, "sessions")).some((e) => e.name === id)),
        "the session folder to go",
      );
      const response = await fetch(daemon.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": id,
          "mcp-protocol-version": "2025-11-25",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      await response.body?.cancel();
      assert.equal(response.status, 404);
    },
  );
});

Deno.test("daemon over HTTP: SIGTERM lets a short task finish, cancels a long one, exits 0 and leaves no process", async () => {
  await using dir = await daemonDir();
  const daemon = await httpDaemon(dir.config, { args: ["--drain-timeout", "1500"] });
  await using client = await httpClient(daemon.url);
  const short = client.client.callTool({
    name: "execute_code",
    arguments: { code: "await new Promise((r) => setTimeout(r, 400));\nreturn 'short';" },
  });
  const long = client.client.callTool({
    name: "execute_code",
    arguments: { code: "await new Promise((r) => setTimeout(r, 60_000));\nreturn 'long';" },
  });
  await until(async () => (await health(daemon.base)).queue.running === 2, "both tasks to run");
  const children = descendants(daemon.process.pid);
  assert.ok(children.length >= 3, "server-memory and two sandbox processes run");
  daemon.process.kill("SIGTERM");
  assert.equal(data(await short), "short");
  const cancelled = await long;
  assert.equal(cancelled.isError, true);
  assert.equal((cancelled.structuredContent as { status: string }).status, "cancelled");
  assert.match(textOf(cancelled), /the daemon shut down .* drain time of 1500 ms/);
  assert.equal((await daemon.process.status).code, 0);
  await daemon.output;
  assert.deepEqual(children.filter(isAlive), []);
});

Deno.test("daemon over HTTP: an idle session expires and its id is refused", async () => {
  await using dir = await daemonDir({ sessions: { idleTimeoutMs: 1_000 } });
  await using daemon = await httpDaemon(dir.config);
  await using client = await httpClient(daemon.url);
  assert.equal((await health(daemon.base)).sessions, 1);
  await until(async () => (await health(daemon.base)).sessions === 0, "the session to expire");
  await assert.rejects(client.client.listTools(), /Session not found|404/);
});
