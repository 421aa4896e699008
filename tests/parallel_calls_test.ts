/**
 * mcp.json's `maxConcurrentCalls`: parallel calls (`Promise.all`) to a server that is not safe under them, against
 * the real server-memory and a fixture server that counts the calls it serves at once.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import type { ServerConfig } from "../runtime/config.ts";
import type { ToolCallEvent } from "../runtime/mod.ts";
import { ToolError } from "../runtime/wire/mod.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";
import { countingServer, npmServer } from "./helpers/servers.ts";

/** A task that creates `count` entities, one `create_entities` call each, all at once. */
const CREATE_IN_PARALLEL = (count: number) => `
  const calls = Array.from({ length: ${count} }, (_, i) =>
    memory.createEntities({ entities: [{ name: "entity-" + i, entityType: "probe", observations: ["n" + i] }] }));
  const settled = await Promise.allSettled(calls);
  return settled.filter((s) => s.status === "fulfilled").length;
`;

/** The entity names server-memory's file holds: it is JSON lines, one `{ type: "entity", name, ... }` each. */
async function entitiesInFile(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((line) => line.trim() !== "").flatMap((line) => {
    const record = JSON.parse(line) as { type?: string; name?: string };
    return record.type === "entity" && record.name !== undefined ? [record.name] : [];
  });
}

/** An orchestrator over one server called `server`, collecting its `tool_call` events. */
async function withServer(server: ServerConfig, name = "memory") {
  const fixture = await startOrchestrator({
    servers: "none",
    config: { servers: { [name]: server } },
  });
  const calls: ToolCallEvent[] = [];
  fixture.orch.onEvent((event) => event.type === "tool_call" && calls.push(event));
  return Object.assign(fixture, { calls });
}

interface CountingStats {
  inFlight: number;
  maxInFlight: number;
  arrived: string[];
}

Deno.test("20 parallel create_entities in one task through server-memory with maxConcurrentCalls 1 store all 20", async () => {
  const file = join(await Deno.makeTempDir(), "memory.jsonl");
  const memory = {
    ...npmServer("server-memory", [], { MEMORY_FILE_PATH: file }),
    maxConcurrentCalls: 1,
  };
  await using fixture = await withServer(memory);
  const result = await fixture.run(CREATE_IN_PARALLEL(20), ["memory"]);
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal(result.data, 20);
  const stored = await entitiesInFile(file);
  assert.deepEqual(
    stored.toSorted(),
    Array.from({ length: 20 }, (_, i) => `entity-${i}`).toSorted(),
  );
  // Every call reports its wait; with one slot and 20 calls at once, most of them waited.
  assert.equal(fixture.calls.length, 20);
  assert.ok(fixture.calls.every((c) => typeof c.queueMs === "number" && c.queueMs <= c.durationMs));
  assert.ok(
    fixture.calls.filter((c) => c.queueMs! > 0).length >= 10,
    JSON.stringify(fixture.calls),
  );
  await Deno.remove(join(file, ".."), { recursive: true });
});

Deno.test("maxConcurrentCalls 1 is one queue for the server across tasks: 4 tasks at once, 5 parallel creates each, store all 20", async () => {
  const file = join(await Deno.makeTempDir(), "memory.jsonl");
  const memory = {
    ...npmServer("server-memory", [], { MEMORY_FILE_PATH: file }),
    maxConcurrentCalls: 1,
  };
  await using fixture = await withServer(memory);
  const results = await Promise.all([0, 1, 2, 3].map((t) =>
    fixture.run(
      `const calls = [0, 1, 2, 3, 4].map((i) => memory.createEntities({
         entities: [{ name: "task${t}-" + i, entityType: "probe", observations: ["x"] }] }));
       return (await Promise.all(calls)).length;`,
      ["memory"],
    )
  ));
  assert.deepEqual(results.map((r) => [r.status, r.data]), Array(4).fill(["completed", 5]));
  assert.equal(new Set(await entitiesInFile(file)).size, 20);
  await Deno.remove(join(file, ".."), { recursive: true });
});

Deno.test("without maxConcurrentCalls, 20 parallel create_entities show what server-memory does (documented, not asserted)", async () => {
  const file = join(await Deno.makeTempDir(), "memory.jsonl");
  await using fixture = await withServer(
    npmServer("server-memory", [], { MEMORY_FILE_PATH: file }),
  );
  const result = await fixture.run(CREATE_IN_PARALLEL(20), ["memory"]);
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const stored = new Set(await entitiesInFile(file));
  // The server reads, changes and rewrites its whole file per call: parallel writes overwrite each other. On
  // server-memory 2026.8.31 this kept only a few of the 20 here; a later version may keep them all.
  console.log(
    `server-memory without a limit: ${result.data} of 20 calls answered, ${stored.size} of 20 stored`,
  );
  assert.ok(stored.size >= 1 && stored.size <= 20, `${stored.size} entities stored`);
  assert.ok(fixture.calls.every((c) => c.queueMs === undefined), "no queue without the limit");
  await Deno.remove(join(file, ".."), { recursive: true });
});

Deno.test("maxConcurrentCalls 3 never has more than 3 calls in flight, and serves them in order of arrival", async () => {
  await using fixture = await withServer(countingServer({ maxConcurrentCalls: 3 }), "counting");
  const result = await fixture.run(
    `await Promise.all(Array.from({ length: 12 }, (_, i) => counting.hold({ id: "h" + i, ms: 100 })));
     return await counting.stats({});`,
    ["counting"],
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const stats = result.data as CountingStats;
  assert.equal(stats.maxInFlight, 3);
  assert.deepEqual(stats.arrived, Array.from({ length: 12 }, (_, i) => `h${i}`));
  // The later calls waited about three rounds of 100 ms for a slot.
  const last = fixture.calls.find((c) => c.tool === "hold" && c.queueMs! >= 250);
  assert.ok(last !== undefined, JSON.stringify(fixture.calls.map((c) => c.queueMs)));
});

Deno.test("without maxConcurrentCalls the counting server sees all 12 calls at once", async () => {
  await using fixture = await withServer(countingServer(), "counting");
  const result = await fixture.run(
    `await Promise.all(Array.from({ length: 12 }, (_, i) => counting.hold({ id: "h" + i, ms: 300 })));
     return await counting.stats({});`,
    ["counting"],
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal((result.data as CountingStats).maxInFlight, 12);
});

Deno.test(
  "a call queued behind maxConcurrentCalls whose task times out, or is cancelled, leaves the queue and never reaches the server",
  noUnhandledRejections(async () => {
    await using fixture = await withServer(countingServer({ maxConcurrentCalls: 1 }), "counting");
    const queue = () => fixture.orch.getStats().servers[0]?.calls;
    // Another task holds the one slot for a second.
    const holder = fixture.run(`return await counting.hold({ id: "first", ms: 1000 });`, [
      "counting",
    ]);
    while (queue()?.inFlight !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const timedOut = await fixture.run(`return await counting.hold({ id: "timed-out", ms: 0 });`, [
      "counting",
    ], { timeoutMs: 300, id: "times-out" });
    assert.equal(timedOut.status, "timeout");
    const cancelled = fixture.run(`return await counting.hold({ id: "cancelled", ms: 0 });`, [
      "counting",
    ], { id: "is-cancelled" });
    while (queue()?.waiting !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fixture.orch.cancelTask("is-cancelled"), true);
    assert.equal((await cancelled).status, "cancelled");
    // Both left the queue when their tasks ended, while the first call still holds the slot.
    assert.deepEqual(queue(), { limit: 1, inFlight: 1, waiting: 0 });
    assert.equal((await holder).data, "held first");
    const later = await fixture.run(`return await counting.stats({});`, ["counting"]);
    assert.equal(later.status, "completed", JSON.stringify(later.error));
    assert.deepEqual((later.data as CountingStats).arrived, ["first"]);
    for (const taskId of ["times-out", "is-cancelled"]) {
      const call = fixture.calls.find((c) => c.taskId === taskId);
      assert.equal(call?.errorCode, "call_cancelled", JSON.stringify(call));
      assert.ok(call.queueMs! > 0 && call.queueMs! < 900, JSON.stringify(call));
    }
  }),
);

Deno.test(
  "a queued call fails with call_timeout when its own deadline passes in the queue, and close() empties the queue",
  noUnhandledRejections(async () => {
    await using servers = new ConnectionManager({
      servers: { counting: countingServer({ maxConcurrentCalls: 1 }) },
    });
    await servers.connectAll();
    const first = servers.callTool("counting", "hold", { id: "first", ms: 600 }, {
      timeoutMs: 5_000,
    });
    const waits: number[] = [];
    const late = servers.callTool("counting", "hold", { id: "late", ms: 0 }, {
      timeoutMs: 150,
      onQueueWait: (ms) => waits.push(ms),
    });
    await assert.rejects(
      late,
      (e) =>
        e instanceof ToolError && e.code === "call_timeout" &&
        /maxConcurrentCalls": 1/.test(e.message),
    );
    assert.equal(waits.length, 1);
    assert.ok(waits[0]! >= 140, `waited ${waits[0]} ms`);
    assert.equal(await first, "held first");
    const stats = await servers.callTool("counting", "stats", {}) as CountingStats;
    assert.deepEqual(stats.arrived, ["first"]);

    const busy = servers.callTool("counting", "hold", { id: "busy", ms: 300 });
    // Its outcome is caught at once: it rejects while close() is awaited.
    const waiting = servers.callTool("counting", "hold", { id: "waiting", ms: 0 })
      .then(() => undefined, (e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(servers.status()[0]?.calls, { limit: 1, inFlight: 1, waiting: 1 });
    await servers.close();
    const error = await waiting;
    assert.ok(error instanceof ToolError && error.code === "server_unavailable", String(error));
    await busy.catch(() => {});
  }),
);
