import assert from "node:assert/strict";
import { MemorySessionRecords, type SessionRecords } from "../state/mod.ts";
import { createAuthenticator } from "./auth/mod.ts";
import { ExecutorDaemon } from "./executor_daemon.ts";
import { HttpHandler } from "./http_handler.ts";
import { SessionLeases } from "./session_leases.ts";

const ALICE = "a".repeat(32);
const BOB = "b".repeat(32);

/** One replica in this process: a daemon and its handler, leasing sessions in shared records. */
async function replica(
  records: SessionRecords,
  id: string,
  leaseMs = 60_000,
  more: { principal: string; token: string; scopes: string[] }[] = [],
) {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: { config: { servers: {} }, serversDir: `${dir}/servers`, stateDir: dir },
  });
  await daemon.initialize();
  const leases = new SessionLeases({
    records,
    replica: id,
    leaseMs,
    health: () => Promise.resolve({ engine: "files", ok: true }),
  });
  const handler = new HttpHandler(daemon, {
    authenticate: createAuthenticator({
      tokens: [
        { principal: "alice", token: ALICE, scopes: ["mcpx:execute"] },
        { principal: "bob", token: BOB, scopes: ["mcpx:execute"] },
        ...more,
      ],
    }),
    leases,
  });
  const request = async (token: string, body?: unknown, session?: string, method = "POST") => {
    const response = await handler.handle(
      new Request(
        `http://127.0.0.1:8787${body === undefined && method === "GET" ? "/healthz" : "/mcp"}`,
        {
          method,
          headers: {
            host: "127.0.0.1:8787",
            authorization: `Bearer ${token}`,
            accept: "application/json, text/event-stream",
            "content-type": "application/json",
            ...(session === undefined ? {} : { "mcp-session-id": session }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
      ),
    );
    return { response, text: await response.text() };
  };
  return {
    daemon,
    handler,
    leases,
    request,
    async [Symbol.asyncDispose]() {
      await handler.close();
      await daemon.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "t", version: "1" },
  },
};
const TOOLS = { jsonrpc: "2.0", id: 2, method: "tools/list" };

Deno.test("a session cannot be taken over by another principal: its id gets 404 on every replica, held or lapsed", async () => {
  const records = new MemorySessionRecords();
  await using a = await replica(records, "a");
  await using b = await replica(records, "b");
  const opened = await a.request(ALICE, INITIALIZE);
  assert.equal(opened.response.status, 200, opened.text);
  const id = opened.response.headers.get("mcp-session-id")!;
  assert.equal((await records.get(id))?.principal.id, "alice");

  const held = await b.request(ALICE, TOOLS, id);
  assert.equal(held.response.status, 503);
  assert.match(held.text, /held by replica a, whose lease is live; retry/);
  assert.equal((await b.request(BOB, TOOLS, id)).response.status, 404);

  await a.leases.handOver();
  const stolen = await b.request(BOB, TOOLS, id);
  assert.equal(stolen.response.status, 404);
  assert.match(stolen.text, /Session not found/);
  assert.equal((await records.get(id))?.owner, "a", "bob's request claimed nothing");
});

Deno.test("HttpHandler takes over a session whose replica handed it over, under the same id, without initialize", async () => {
  const records = new MemorySessionRecords();
  await using a = await replica(records, "a");
  await using b = await replica(records, "b");
  const id = (await a.request(ALICE, INITIALIZE)).response.headers.get("mcp-session-id")!;
  await a.leases.handOver();
  const taken = await b.request(ALICE, TOOLS, id);
  assert.equal(taken.response.status, 200, taken.text);
  assert.match(taken.text, /execute_code/);
  assert.equal(b.handler.sessionCount, 1);
  assert.equal(b.daemon.sessionPrincipal(id)?.id, "alice");
  assert.equal((await records.get(id))?.owner, "b");

  const health = await b.request(ALICE, undefined, undefined, "GET");
  assert.deepEqual(
    (({ replica, store }) => ({ replica, store }))(JSON.parse(health.text)),
    { replica: "b", store: { engine: "files", ok: true } },
  );
  // DELETE ends the session for good: its record goes.
  const deleted = await b.request(ALICE, undefined, id, "DELETE");
  assert.equal(deleted.response.status, 200, deleted.text);
  assert.equal(await records.get(id), undefined);
});

Deno.test("HttpHandler takes over a session once its dead replica's lease lapses", async () => {
  const records = new MemorySessionRecords();
  await using a = await replica(records, "a", 300);
  await using b = await replica(records, "b", 300);
  const id = (await a.request(ALICE, INITIALIZE)).response.headers.get("mcp-session-id")!;
  a.leases.stop(); // as if killed: no heartbeat, no hand-over
  assert.equal((await b.request(ALICE, TOOLS, id)).response.status, 503);
  await new Promise((r) => setTimeout(r, 350));
  // Two requests at once (distinct JSON-RPC ids, as a client sends them): one takeover, both answered.
  const [one, two] = await Promise.all([
    b.request(ALICE, TOOLS, id),
    b.request(ALICE, { ...TOOLS, id: 3 }, id),
  ]);
  assert.equal(one.response.status, 200, one.text);
  assert.equal(two.response.status, 200, two.text);
  assert.equal((await records.get(id))?.owner, "b");
});

Deno.test("a replica whose session was taken over meanwhile drops it at its next heartbeat, keeping the record", async () => {
  const records = new MemorySessionRecords();
  await using a = await replica(records, "a", 300);
  await using b = await replica(records, "b", 300);
  const id = (await a.request(ALICE, INITIALIZE)).response.headers.get("mcp-session-id")!;
  // As if a stalled past its lease: b takes the session while a's heartbeat still runs.
  // a's heartbeat may renew the lease between the release and b's claim (a replica renews what it still owns):
  // release again until b wins.
  let taken = 0;
  for (let attempt = 0; attempt < 5 && taken !== 200; attempt++) {
    await records.release("a", [id]);
    taken = (await b.request(ALICE, TOOLS, id)).response.status;
  }
  assert.equal(taken, 200);
  const deadline = Date.now() + 5_000;
  while (a.handler.sessionCount > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(a.handler.sessionCount, 0);
  assert.equal((await records.get(id))?.owner, "b");
  assert.equal((await b.request(ALICE, { ...TOOLS, id: 4 }, id)).response.status, 200);
});

Deno.test("a request forwarded to the session's holder is authenticated again there, with the client's own token", async () => {
  const records = new MemorySessionRecords();
  // A second token of alice's that only replica b accepts (a token revoked on a, say).
  const onlyOnB = "z".repeat(32);
  await using a = await replica(records, "a");
  await using b = await replica(records, "b", 60_000, [
    { principal: "alice", token: onlyOnB, scopes: ["mcpx:execute"] },
  ]);
  await using served = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => a.handler.handle(request),
  );
  a.handler.listening("127.0.0.1", served.addr.port);
  assert.equal(a.leases.url, `http://127.0.0.1:${served.addr.port}`);
  const id = (await a.request(ALICE, INITIALIZE)).response.headers.get("mcp-session-id")!;
  assert.equal((await records.get(id))?.ownerUrl, a.leases.url);

  const forwarded = await b.request(ALICE, TOOLS, id);
  assert.equal(forwarded.response.status, 200, forwarded.text);
  assert.match(forwarded.text, /execute_code/);
  const refused = await b.request(onlyOnB, TOOLS, id);
  assert.equal(refused.response.status, 401, "a refuses the token b accepted");
  assert.equal(b.handler.sessionCount, 0, "b took nothing over");
  assert.equal((await records.get(id))?.owner, "a");
});

Deno.test("a session whose record is still being written is not dropped by a heartbeat meanwhile", async () => {
  // A slow store: the record of a new session lands 400 ms after its initialize was answered, while the
  // heartbeat (every 100 ms at a 300 ms lease) renews what the replica holds.
  class SlowRecords extends MemorySessionRecords {
    override async create(...args: Parameters<MemorySessionRecords["create"]>): Promise<void> {
      await new Promise((r) => setTimeout(r, 400));
      await super.create(...args);
    }
  }
  const records = new SlowRecords();
  await using a = await replica(records, "a", 300);
  const id = (await a.request(ALICE, INITIALIZE)).response.headers.get("mcp-session-id")!;
  assert.equal(a.handler.sessionCount, 1);
  // Two more heartbeats with the record in place.
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(a.handler.sessionCount, 1, "the session is still held");
  assert.equal((await records.get(id))?.owner, "a");
  assert.equal((await a.request(ALICE, TOOLS, id)).response.status, 200);
});
