/**
 * The targets of the performance work (process reuse, Worker ahead of time, a lighter bridge): each measure with
 * the figure before that work, the figure of this run, and the target.
 *
 * @module
 */

import { ms } from "./_speed_stats.ts";

/** This run's figures for the targets table. */
export interface TargetFigures {
  /** Trivial tasks per second at maxConcurrentTasks 4. */
  tasksPerSecond?: number;
  /** Host + sandbox CPU ms per trivial task at maxConcurrentTasks 4. */
  cpuPerTask?: { host: number; sandbox: number };
  /** Cold task (new process + Worker), median ms. */
  coldMs: number;
  /** Warm task, `executeTask` wall time, median ms. */
  warmMs: number;
  /** Added per tool call over a direct SDK client, ms (per-call medians). */
  addedPerCallMs: number;
  /** 1,000 calls in one task over the direct client's loop. */
  loopRatio: number;
  /** Idle pooled sandbox processes: PSS and RSS in MB (median). */
  idle?: { pssMb: number; rssMb: number; n: number };
}

/**
 * The figures before process reuse: `docs/benchmarks.md` as of 2026-11-21 (`deno run -A bench/speed.ts`,
 * 2 cores, load 1.5-7), where every task started a sandbox process of its own.
 */
const BEFORE = {
  tasksPerSecond: "44 (43-48)",
  cpuPerTask: "2.8 + 42.5 = 45.3 ms",
  coldMs: "41.78 ms",
  warmMs: "2.67 ms",
  addedPerCallMs: "0.356 ms",
  loopRatio: "2.14x (960.6 / 449.6 ms)",
  idle: "not measured (design prototype: about 49 MB RSS)",
};

/**
 * The before/after table of the targets.
 *
 * @param after This run's figures.
 * @returns A markdown table: measure, before, after, target, verdict.
 */
export function targetsTable(after: TargetFigures): string {
  const verdict = (met: boolean | undefined) =>
    met === undefined ? "n/a" : met ? "**met**" : "**not met**";
  const cpu = after.cpuPerTask;
  const rows: string[][] = [
    [
      "trivial tasks per second, maxConcurrentTasks 4",
      BEFORE.tasksPerSecond,
      after.tasksPerSecond === undefined ? "n/a" : after.tasksPerSecond.toFixed(0),
      "at least 150",
      verdict(after.tasksPerSecond === undefined ? undefined : after.tasksPerSecond >= 150),
    ],
    [
      "host + sandbox CPU per trivial task",
      BEFORE.cpuPerTask,
      cpu === undefined
        ? "n/a"
        : `${cpu.host.toFixed(1)} + ${cpu.sandbox.toFixed(1)} = ${
          (cpu.host + cpu.sandbox).toFixed(1)
        } ms`,
      "at most 12 ms",
      verdict(cpu === undefined ? undefined : cpu.host + cpu.sandbox <= 12),
    ],
    [
      "cold task (new process + Worker)",
      BEFORE.coldMs,
      `${ms(after.coldMs)} ms`,
      "at most 30 ms",
      verdict(after.coldMs <= 30),
    ],
    [
      "warm task, `executeTask` wall time",
      BEFORE.warmMs,
      `${ms(after.warmMs)} ms`,
      "at most 1.5 ms",
      verdict(after.warmMs <= 1.5),
    ],
    [
      "added per tool call over a direct SDK client",
      BEFORE.addedPerCallMs,
      `${ms(after.addedPerCallMs)} ms`,
      "at most 0.10 ms",
      verdict(after.addedPerCallMs <= 0.1),
    ],
    [
      "1,000 calls in one task vs a direct client loop",
      BEFORE.loopRatio,
      `${after.loopRatio.toFixed(2)}x`,
      "at most 1.3x",
      verdict(after.loopRatio <= 1.3),
    ],
    [
      "idle pooled sandbox process, PSS",
      BEFORE.idle,
      after.idle === undefined
        ? "n/a"
        : `${after.idle.pssMb.toFixed(1)} MB PSS, ${
          after.idle.rssMb.toFixed(1)
        } MB RSS (n ${after.idle.n})`,
      "report",
      "-",
    ],
  ];
  return [
    "| measure | before (every task a new process) | after (this run) | target | verdict |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
