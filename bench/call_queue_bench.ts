/**
 * What mcp.json's `maxConcurrentCalls` adds to a tool call when its queue is not full (target: under 0.01 ms).
 *
 * 1. The queue alone: `tryAcquire()` + `release()`, and the path `ServerConnection.callTool` takes with a limit
 *    (`await takeSlot(...)`, then `release()` in a `finally`) against the same async call without it.
 * 2. End to end: sequential `stats` calls through `ServerConnection` to a real MCP server (the SDK's `McpServer`
 *    over stdio, tests/fixtures/servers/counting_server.ts), with `maxConcurrentCalls: 1000` (never full) and
 *    without, in alternating rounds; the difference is within the noise of a 0.1 ms round trip.
 *
 * Run: `deno run -A bench/call_queue_bench.ts [--write-docs]` (`--write-docs` replaces the `## Call queue`
 * section of `docs/benchmarks.md`).
 *
 * @module
 */

import { CallQueue, takeSlot } from "../runtime/connections/mod.ts";
import { ServerConnection } from "../runtime/connections/mod.ts";
import { countingServer } from "../tests/helpers/servers.ts";
import { replaceSection } from "./_docs_section.ts";
import { summarize } from "./_speed_stats.ts";

const TARGET_MS = 0.01;
const OPS = 1_000_000;
const ASYNC_OPS = 200_000;
const ROUNDS = 9;
const CALLS = 1_000;

/** Nanoseconds per iteration of `body`, median over `ROUNDS` rounds of `ops`. */
async function perOp(ops: number, body: (ops: number) => unknown): Promise<number> {
  const rounds: number[] = [];
  await body(ops / 10); // Warm up the JIT.
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await body(ops);
    rounds.push(((performance.now() - start) * 1e6) / ops);
  }
  return summarize(rounds).median;
}

const queue = new CallQueue(1_000);
const closing = new AbortController().signal;
const work = (): Promise<number> => Promise.resolve(1);

async function withoutQueue(): Promise<number> {
  return await work();
}

async function withQueue(): Promise<number> {
  const slot = { server: "s", tool: "t", timeoutMs: 60_000 };
  await takeSlot(queue, { ...slot, closing });
  try {
    return await work();
  } finally {
    queue.release();
  }
}

const tryRelease = await perOp(OPS, (n) => {
  for (let i = 0; i < n; i++) {
    queue.tryAcquire();
    queue.release();
  }
});
const asyncWithout = await perOp(ASYNC_OPS, async (n) => {
  for (let i = 0; i < n; i++) await withoutQueue();
});
const asyncWith = await perOp(ASYNC_OPS, async (n) => {
  for (let i = 0; i < n; i++) await withQueue();
});

await using limited = new ServerConnection(
  "limited",
  countingServer({ maxConcurrentCalls: 1_000 }),
);
await using free = new ServerConnection("free", countingServer());
await Promise.all([limited.connect(), free.connect()]);

/** Median milliseconds per call over one round of `CALLS` sequential calls. */
async function round(connection: ServerConnection): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await connection.callTool("stats", {});
    times.push(performance.now() - start);
  }
  return summarize(times).median;
}

await round(limited);
await round(free);
const limitedRounds: number[] = [];
const freeRounds: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternating, so that drift in the machine's load falls on both alike.
  limitedRounds.push(await round(limited));
  freeRounds.push(await round(free));
}
const e2eLimited = summarize(limitedRounds).median;
const e2eFree = summarize(freeRounds).median;
const diffs = limitedRounds.map((value, i) => value - freeRounds[i]!);
const diff = summarize(diffs);

const addedMs = (asyncWith - asyncWithout) / 1e6;
const met = addedMs < TARGET_MS ? "**met**" : "not met";
const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ").slice(0, 3)
  .join(" ");
const body = [
  "- Command: `deno run -A bench/call_queue_bench.ts --write-docs`",
  `- Last run: ${new Date().toISOString().slice(0, 10)}`,
  `- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}); ` +
  `load average ${load} at the end`,
  "",
  "What a server's `maxConcurrentCalls` adds to a call when its queue is not full (medians of " +
  `${ROUNDS} rounds):`,
  "",
  "| measurement | per call | target |",
  "| --- | ---: | --- |",
  `| \`tryAcquire()\` + \`release()\` (${OPS.toLocaleString("en")} per round) | ${
    tryRelease.toFixed(1)
  } ns | |`,
  `| an async call without the queue (${ASYNC_OPS.toLocaleString("en")} per round) | ${
    asyncWithout.toFixed(1)
  } ns | |`,
  `| the same with \`await takeSlot()\` and \`release()\`, as \`callTool\` does | ${
    asyncWith.toFixed(1)
  } ns | |`,
  `| **added by the queue** | **${(addedMs * 1000).toFixed(3)} µs (${
    addedMs.toFixed(5)
  } ms)** | < ${TARGET_MS} ms: ${met} |`,
  `| a \`stats\` call to a stdio server through \`ServerConnection\`, no limit (${CALLS} per round) | ${
    e2eFree.toFixed(3)
  } ms | |`,
  `| the same with \`maxConcurrentCalls: 1000\` | ${e2eLimited.toFixed(3)} ms | |`,
  `| difference, round by round (median, min to max) | ${diff.median.toFixed(4)} ms (${
    diff.min.toFixed(4)
  } to ${diff.max.toFixed(4)}) | |`,
  "",
  "The end-to-end rows cross a process boundary and the SDK; their difference is round-to-round noise of a " +
  "0.1 ms round trip, so the target is judged on the rows above them, which isolate the queue's own path.",
].join("\n");

console.log(body);
if (Deno.args.includes("--write-docs")) {
  const docs = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(docs).catch(() => undefined);
  await Deno.writeTextFile(docs, replaceSection(existing, "Call queue", body));
  console.log(`\nWrote the Call queue section of ${docs.pathname}`);
}
