/**
 * Tool calls through the sandbox against a direct SDK client: the round trip of `memory.read_graph` (per call and
 * as a loop), where the added time goes, and parallel calls to server-everything's long-running operation.
 *
 * @module
 */

import { unwrapResult } from "../runtime/connections/mod.ts";
import { parseSandboxMessage } from "../runtime/sandbox/mod.ts";
import type { CallToolResult } from "../runtime/sdk.ts";
import { toolCallTokens, toolResultTokens } from "../runtime/tokens/mod.ts";
import type { DirectClient, OrchestratorFixture } from "./_speed_fixture.ts";
import { ms, type Row, summarize, type Summary, table, timingTable } from "./_speed_stats.ts";

/** What the tool-call section found. */
export interface CallFigures {
  perCallTable: string;
  loopTable: string;
  notes: string[];
  sandbox: Summary;
  direct: Summary;
  /** Mean per call from the untimed loops: total / calls, median over the repetitions. */
  sandboxLoopMean: number;
  directLoopMean: number;
  graphBytes: number;
}

const loopCode = (calls: number) =>
  `const start = performance.now();
for (let i = 0; i < ${calls}; i++) await memory.readGraph();
return performance.now() - start;`;

const perCallCode = (calls: number) =>
  `const times = [];
for (let i = 0; i < ${calls}; i++) {
  const start = performance.now();
  await memory.readGraph();
  times.push(performance.now() - start);
}
return times;`;

async function directLoop(direct: DirectClient, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await direct.readGraph();
  return performance.now() - start;
}

async function directPerCall(direct: DirectClient, calls: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await direct.readGraph();
    times.push(performance.now() - start);
  }
  return times;
}

function timeLoop(runs: number, fn: () => unknown): number[] {
  for (let i = 0; i < 200; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times;
}

function textOf(result: CallToolResult): string {
  const block = result.content?.[0];
  return block?.type === "text" ? block.text : JSON.stringify(result);
}

/**
 * Measures `read_graph` per call and in loops, inside a task and on a direct client, and splits the difference.
 *
 * @param main An orchestrator with server-memory, seeded with the small graph.
 * @param direct A direct client on its own server-memory, seeded alike.
 * @param options `calls` per measurement, `loops` repetitions of the loop measurement.
 * @returns Two tables and the figures the summary needs.
 */
export async function measureCalls(
  main: OrchestratorFixture,
  direct: DirectClient,
  options: { calls: number; loops: number },
): Promise<CallFigures> {
  const { calls, loops } = options;
  const connections = main.orch.connections;
  const viaHost = (await connections.callToolRaw("memory", "read_graph", {})) as CallToolResult;
  const viaDirect = await direct.readGraph();
  if (textOf(viaHost) !== textOf(viaDirect)) {
    throw new Error(
      `The two servers hold different graphs: ${textOf(viaHost)} vs ${textOf(viaDirect)}`,
    );
  }
  const graphBytes = new TextEncoder().encode(textOf(viaDirect)).length;

  // Warm-up: the SDK paths, both servers, the bridge.
  await main.settle();
  await main.run(loopCode(200), ["memory"]);
  await directLoop(direct, 200);

  // Loops, alternating sides so that drift in machine load hits both.
  const sandboxTotals: number[] = [];
  const sandboxWalls: number[] = [];
  const directTotals: number[] = [];
  for (let rep = 0; rep < loops; rep++) {
    await main.settle();
    const start = performance.now();
    const result = await main.run(loopCode(calls), ["memory"]);
    sandboxWalls.push(performance.now() - start);
    sandboxTotals.push(result.data as number);
    await main.settle();
    directTotals.push(await directLoop(direct, calls));
  }

  // Per call: inside the task (with the host's call into server-memory timed during that same task), then on the
  // direct client.
  await main.settle();
  const hostTimes: number[] = [];
  const callToolRaw = connections.callToolRaw;
  connections.callToolRaw = function (...args) {
    const start = performance.now();
    const answer = callToolRaw.apply(this, args);
    answer.then(() => hostTimes.push(performance.now() - start), () => {});
    return answer;
  };
  let sandboxTimes: number[];
  try {
    sandboxTimes = (await main.run(perCallCode(calls), ["memory"])).data as number[];
  } finally {
    connections.callToolRaw = callToolRaw;
  }
  await main.settle();
  const directTimes = await directPerCall(direct, calls);

  // The same task with the host answering at once from a cached result (the same bytes): the bridge and the
  // orchestrator's own work, without the server.
  await main.settle();
  connections.callToolRaw = () => Promise.resolve(viaHost);
  let instantTimes: number[];
  try {
    instantTimes = (await main.run(perCallCode(calls), ["memory"])).data as number[];
  } finally {
    connections.callToolRaw = callToolRaw;
  }

  // What executeTask's onToolCall does with every call besides forwarding it, and the host's check of each line
  // from the sandbox, each on its own in a loop.
  const resultTokensTimes = timeLoop(calls, () => toolResultTokens(viaHost));
  const unwrapTimes = timeLoop(calls, () => {
    toolCallTokens("read_graph", {});
    unwrapResult("memory", "read_graph", viaHost);
  });
  const callLine = JSON.stringify({
    type: "call",
    taskId: "speed-1",
    callId: 1,
    server: "memory",
    tool: "read_graph",
    args: {},
  });
  const validateTimes = timeLoop(calls, () => parseSandboxMessage(callLine));

  const sandbox = summarize(sandboxTimes);
  const directSummary = summarize(directTimes);
  const host = summarize(hostTimes);
  const resultTokens = summarize(resultTokensTimes);
  const unwrap = summarize(unwrapTimes);
  const validate = summarize(validateTimes);
  const instant = summarize(instantTimes);
  const rest = sandbox.median - host.median - resultTokens.median - unwrap.median;
  const rows: Row[] = [
    {
      name: "`memory.readGraph()` inside a task (sandbox -> host -> server-memory)",
      summary: sandbox,
      note: "timed in the agent code with `performance.now()`",
    },
    {
      name: "`read_graph` on a direct SDK client (own connection, same server version)",
      summary: directSummary,
      note: "`client.callTool`, raw result",
    },
    {
      name: "  of a sandbox call: host -> server-memory -> host (`connections.callToolRaw`)",
      summary: host,
      note: "timed on the host during the same task",
    },
    {
      name: "the same inside a task, the host answering at once from a cached result",
      summary: instant,
      note:
        "`connections.callToolRaw` replaced for this task: bridge + orchestrator work, no server",
    },
    {
      name: "  of a sandbox call: `toolResultTokens(result)` (tiktoken o200k)",
      summary: resultTokens,
      note: "`onToolCall` counts every raw result for `stats.tokensDirect`; on its own, hot loop",
    },
    {
      name: "  of a sandbox call: `toolCallTokens` + `unwrapResult`",
      summary: unwrap,
      note: "on its own, hot loop",
    },
    {
      name: "  of a sandbox call: zod check of the `call` line (`parseSandboxMessage`)",
      summary: validate,
      note: "on its own, hot loop; part of the bridge below",
    },
  ];
  const sandboxLoop = summarize(sandboxTotals);
  const directLoopSummary = summarize(directTotals);
  const wall = summarize(sandboxWalls);
  const loopTable = table(
    ["side", `${calls} calls, total ms (median):`, "p95 ms:", "runs:", "per call ms:"],
    [
      [
        "inside one task (loop timed in the agent)",
        ms(sandboxLoop.median),
        ms(sandboxLoop.p95),
        String(loops),
        ms(sandboxLoop.median / calls),
      ],
      [
        "the same task, `executeTask` wall time (includes a warm start)",
        ms(wall.median),
        ms(wall.p95),
        String(loops),
        ms(wall.median / calls),
      ],
      [
        "direct SDK client, same loop",
        ms(directLoopSummary.median),
        ms(directLoopSummary.p95),
        String(loops),
        ms(directLoopSummary.median / calls),
      ],
    ],
  );
  return {
    perCallTable: timingTable(rows),
    loopTable,
    notes: [
      `The graph read is ${graphBytes} bytes of JSON (3 entities, 2 relations); both servers hold the same one.`,
      `Added per call (sandbox minus direct): median ${
        ms(sandbox.median - directSummary.median)
      } ms, ` +
      `p95 ${ms(sandbox.p95 - directSummary.p95)} ms, loop mean ${
        ms((sandboxLoop.median - directLoopSummary.median) / calls)
      } ms.`,
      `Split of the sandbox median (${ms(sandbox.median)} ms): server round trip from the host ${
        ms(host.median)
      } ms + result token counting ${ms(resultTokens.median)} ms + unwrapping ${
        ms(unwrap.median)
      } ms + the bridge ${
        ms(rest)
      } ms (Worker -> sandbox process -> socket -> host, zod check, JSON, ` +
      `and back). Measured instead of inferred: with the host answering at once the call takes ${
        ms(instant.median)
      } ms, which leaves ${
        ms(instant.median - resultTokens.median - unwrap.median)
      } ms for the bridge after token counting and unwrapping. The host's round trip to its server-memory takes ${
        ms(Math.abs(host.median - directSummary.median))
      } ms ${
        host.median >= directSummary.median ? "more" : "less"
      } than the direct client's (median; two server processes, so some of that is noise).`,
    ],
    sandbox,
    direct: directSummary,
    sandboxLoopMean: sandboxLoop.median / calls,
    directLoopMean: directLoopSummary.median / calls,
    graphBytes,
  };
}

/** What the parallel-call section found. */
export interface ParallelFigures {
  table: string;
  parallel: Summary;
  sequential: Summary;
  ratio: number;
}

const PARALLEL_CODE = `const op = { duration: 0.2, steps: 1 };
let start = performance.now();
await everything.triggerLongRunningOperation(op);
const single = performance.now() - start;
start = performance.now();
await Promise.all(Array.from({ length: 10 }, () => everything.triggerLongRunningOperation(op)));
const parallel = performance.now() - start;
start = performance.now();
for (let i = 0; i < 10; i++) await everything.triggerLongRunningOperation(op);
const sequential = performance.now() - start;
return { single, parallel, sequential };`;

/**
 * Runs 10 calls of server-everything's `trigger-long-running-operation` (0.2 s each) in parallel and in sequence
 * inside one task.
 *
 * @param main An orchestrator with server-everything.
 * @param reps How many tasks.
 * @returns The table, and the medians and their ratio.
 */
export async function measureParallel(
  main: OrchestratorFixture,
  reps: number,
): Promise<ParallelFigures> {
  const single: number[] = [];
  const parallel: number[] = [];
  const sequential: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    await main.settle();
    const result = await main.run(PARALLEL_CODE, ["everything"]);
    const data = result.data as { single: number; parallel: number; sequential: number };
    single.push(data.single);
    parallel.push(data.parallel);
    sequential.push(data.sequential);
  }
  const s = summarize(sequential);
  const p = summarize(parallel);
  const ratio = s.median / p.median;
  const rows: Row[] = [
    { name: "1 call, 0.2 s operation", summary: summarize(single), note: "`steps: 1`" },
    {
      name: "10 calls with `Promise.all`",
      summary: p,
      note: `${ratio.toFixed(1)}x faster than sequential (10x is ideal)`,
    },
    { name: "10 calls one after another", summary: s, note: "" },
  ];
  return { table: timingTable(rows), parallel: p, sequential: s, ratio };
}
