/**
 * Tasks per second: many short tasks submitted at once to an orchestrator whose pool size equals its concurrency.
 *
 * @module
 */

import { SEED_CODE, startOrchestrator } from "./_speed_fixture.ts";
import { cpuTimes, liveSandboxCpu } from "./_speed_proc.ts";
import { ms, summarize, table } from "./_speed_stats.ts";

/** One concurrency level's figures. */
export interface ThroughputFigures {
  concurrency: number;
  trivial: number;
  readGraph: number;
  /** Median CPU ms per `return 1` task: the orchestrator's and the sandbox processes'. */
  trivialCpu?: { host: number; sandbox: number };
}

/** What the throughput section found. */
export interface ThroughputResult {
  table: string;
  notes: string[];
  levels: ThroughputFigures[];
}

const KINDS = [
  { key: "trivial", code: "return 1", tools: [] as string[] },
  {
    key: "readGraph",
    code: "const g = await memory.readGraph();\nreturn g.entities.length;",
    tools: ["memory"],
  },
] as const;

/**
 * For each concurrency level, starts an orchestrator (server-memory only, `poolSize` = `maxConcurrentTasks` =
 * level), then submits `tasks` tasks at once, `reps` times, for `return 1` and for one `read_graph` each.
 *
 * @param root A folder the benchmark owns.
 * @param options The levels, tasks per batch and batches per kind.
 * @returns A table (median tasks/s over the batches) and the figures.
 */
export async function measureThroughput(
  root: string,
  options: { levels: number[]; tasks: number; reps: number },
): Promise<ThroughputResult> {
  const rows: string[][] = [];
  const levels: ThroughputFigures[] = [];
  for (const level of options.levels) {
    await using fixture = await startOrchestrator(root, {
      servers: ["memory"],
      label: `throughput_${level}`,
      poolSize: level,
      maxConcurrentTasks: level,
      taskTimeoutMs: 120_000,
    });
    await fixture.run(SEED_CODE, ["memory"]);
    const figures: ThroughputFigures = { concurrency: level, trivial: 0, readGraph: 0 };
    const cells: string[] = [String(level), String(options.tasks)];
    for (const kind of KINDS) {
      // Warm-up batch: one task per slot.
      await fixture.settle();
      await Promise.all(
        Array.from({ length: level }, () => fixture.run(kind.code, [...kind.tools])),
      );
      const rates: number[] = [];
      const durations: number[] = [];
      const hostCpu: number[] = [];
      const sandboxCpu: number[] = [];
      for (let rep = 0; rep < options.reps; rep++) {
        await fixture.settle();
        const cpuBefore = cpuTimes();
        const liveBefore = sum(liveSandboxCpu());
        const start = performance.now();
        const results = await Promise.all(
          Array.from({ length: options.tasks }, () => fixture.run(kind.code, [...kind.tools])),
        );
        const wall = performance.now() - start;
        rates.push(options.tasks / (wall / 1000));
        for (const result of results) durations.push(result.stats.duration);
        // Every process of the batch is reaped once the pool is at rest again; the refilled spares are not.
        await fixture.settle();
        const cpuAfter = cpuTimes();
        const liveAfter = sum(liveSandboxCpu());
        if (cpuBefore !== undefined && cpuAfter !== undefined) {
          hostCpu.push((cpuAfter.self - cpuBefore.self) / options.tasks);
          sandboxCpu.push(
            (cpuAfter.reapedChildren - cpuBefore.reapedChildren + liveAfter - liveBefore) /
              options.tasks,
          );
        }
      }
      const rate = summarize(rates);
      const run = summarize(durations);
      figures[kind.key] = rate.median;
      if (kind.key === "trivial" && hostCpu.length > 0) {
        figures.trivialCpu = {
          host: summarize(hostCpu).median,
          sandbox: summarize(sandboxCpu).median,
        };
      }
      cells.push(
        rate.median.toFixed(0),
        options.reps > 1 ? `${rate.min.toFixed(0)}-${rate.max.toFixed(0)}` : "-",
        `${ms(run.median)} / ${ms(run.p95)}`,
        hostCpu.length === 0
          ? "n/a"
          : `${summarize(hostCpu).median.toFixed(1)} + ${summarize(sandboxCpu).median.toFixed(1)}`,
      );
    }
    levels.push(figures);
    rows.push(cells);
  }
  return {
    table: table(
      [
        "maxConcurrentTasks = poolSize:",
        "tasks a batch:",
        "`return 1` tasks/s:",
        "range:",
        "run ms median / p95:",
        "CPU ms/task host + sandbox:",
        "one `read_graph` tasks/s:",
        "range:",
        "run ms median / p95:",
        "CPU ms/task host + sandbox:",
      ],
      rows,
    ),
    notes: [
      `Each batch submits its tasks at once (\`Promise.all\` over \`executeTask\`) and is timed from the first ` +
      `submission to the last result; tasks/s is the median over ${options.reps} batch(es) (range: min-max). ` +
      `"run ms" is each task's \`stats.duration\` (run message to done) across all batches. ` +
      `A pooled process that finished cleanly runs the next task in a fresh Worker (up to ` +
      `\`maxTasksPerProcess\`). "CPU ms/task": the orchestrator process's own CPU time + that of the sandbox ` +
      `processes (reaped ones from /proc/self/stat, live ones from /proc/<pid>/stat), over the batch, per task ` +
      `(10 ms ticks; the MCP server's CPU is not included).`,
    ],
    levels,
  };
}

function sum(values: Map<number, number>): number {
  let total = 0;
  for (const value of values.values()) total += value;
  return total;
}
