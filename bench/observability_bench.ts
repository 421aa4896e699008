/**
 * What observability costs: the time per tool call of a loop of `memory.read_graph` calls with no event listener
 * against the same with the audit log, the metrics and an approval rule that asks (and an approver that says
 * yes) all on; and how fast the audit log writes, with the longest stall of the event loop while it does.
 *
 * Run: `deno run -A bench/observability_bench.ts`
 *
 * @module
 */

import { join } from "node:path";
import { AuditLog, DaemonMetrics, MCPOrchestrator, type ToolCallEvent } from "../runtime/mod.ts";
import { npmServer } from "../tests/helpers/servers.ts";
import { ms, summarize } from "./_speed_stats.ts";

const CALLS = 200;
const ROUNDS = 10;
const LINES = 100_000;

const root = await Deno.makeTempDir({ prefix: "observability-bench-" });

async function start(name: string, observed: boolean) {
  const orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(root, `${name}.jsonl`) }),
      },
    },
    serversDir: join(root, name, "servers"),
    poolSize: 1,
    ...(observed ? { approvals: { "memory.read_graph": "ask" }, approve: () => true } : {}),
  });
  await orch.initialize();
  const audit = observed ? new AuditLog({ file: join(root, name, "audit.jsonl") }) : undefined;
  audit?.attach(orch);
  const metrics = observed ? new DaemonMetrics(orch) : undefined;
  return { orch, audit, metrics };
}

const plain = await start("plain", false);
const observed = await start("observed", true);
const perCall: Record<"plain" | "observed", number[]> = { plain: [], observed: [] };
let n = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, side] of [["plain", plain], ["observed", observed]] as const) {
    await side.orch.settled();
    const result = await side.orch.executeTask({
      id: `bench-${++n}`,
      description: "call loop",
      code: `for (let i = 0; i < ${CALLS}; i++) await memory.readGraph();`,
      requiredTools: ["memory"],
      status: "pending",
    });
    if (result.status !== "completed") throw new Error(JSON.stringify(result.error));
    perCall[name].push(result.stats.duration / CALLS);
  }
}
const a = summarize(perCall.plain);
const b = summarize(perCall.observed);
console.log(`| tool call in a loop of ${CALLS} (median of ${ROUNDS} tasks) | median | p95 |`);
console.log("| --- | --- | --- |");
console.log(`| no listeners | ${ms(a.median)} | ${ms(a.p95)} |`);
console.log(`| audit + metrics + "ask" rule approved | ${ms(b.median)} | ${ms(b.p95)} |`);
console.log(`| added per call | ${ms(b.median - a.median)} | |`);
await observed.audit?.close();
observed.metrics?.close();
await plain.orch.shutdown({ drainTimeoutMs: 0 });
await observed.orch.shutdown({ drainTimeoutMs: 0 });

// The audit log alone: 100,000 lines queued at once, written in batches.
const audit = new AuditLog({
  file: join(root, "throughput", "audit.jsonl"),
  maxBytes: 8 * 1024 * 1024,
});
const event: ToolCallEvent = {
  type: "tool_call",
  time: new Date().toISOString(),
  session: "s1",
  taskId: "t1",
  server: "memory",
  tool: "read_graph",
  durationMs: 0.4,
  outcome: "ok",
  argsBytes: 2,
  resultBytes: 380,
};
let longest = 0;
let last = performance.now();
const probe = setInterval(() => {
  const now = performance.now();
  longest = Math.max(longest, now - last);
  last = now;
}, 1);
const started = performance.now();
for (let i = 0; i < LINES; i++) audit.write({ ...event, taskId: `t${i}` });
const queued = performance.now() - started;
// The gap that counts is while the queued lines are written, not the synchronous loop above.
longest = 0;
last = performance.now();
await audit.flush();
const total = performance.now() - started;
clearInterval(probe);
await audit.close();
console.log(
  `\naudit log: ${LINES} lines queued in ${ms(queued)} ms and written in ${ms(total)} ms ` +
    `(${Math.round(LINES / (total / 1000))} lines/s, rotating at 8 MiB); longest event-loop gap ` +
    `while writing ${ms(longest)} ms`,
);
await Deno.remove(root, { recursive: true });
