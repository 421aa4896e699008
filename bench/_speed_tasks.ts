/**
 * Task start through the orchestrator: cold (a fresh sandbox process per task) and warm (a pooled process whose
 * Worker is already created), and where a warm task's time goes.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { screenCode } from "../runtime/blocker/mod.ts";
import { prepareCode } from "../runtime/sandbox/mod.ts";
import { SandboxPool } from "../runtime/sandbox/mod.ts";
import { SandboxProcess } from "../runtime/sandbox/mod.ts";
import { codeModeTokens } from "../runtime/tokens/mod.ts";
import type { OrchestratorFixture } from "./_speed_fixture.ts";
import { ms, type Row, summarize, type Summary, timingTable } from "./_speed_stats.ts";

/** What the task-start section found. */
export interface TaskStartFigures {
  table: string;
  stagesTable: string;
  notes: string[];
  cold: Summary;
  coldPoolZero: Summary;
  warm: Summary;
}

interface Timed {
  wall: number[];
  inside: number[];
  waits: number[];
  /** Tasks that found no idle process in the pool (only counted when `expectIdle`). */
  notWarm: number;
}

interface Variant {
  tools?: string[];
  extra?: Record<string, unknown>;
  expectIdle?: boolean;
}

/**
 * Runs `return 1` tasks, `runs` of each variant after `warmup` rounds, taking the variants in turn so that a burst
 * of load from elsewhere on the machine hits them alike.
 */
async function timeTasks(
  fixture: OrchestratorFixture,
  runs: number,
  warmup: number,
  variants: Variant[],
): Promise<Timed[]> {
  const timed: Timed[] = variants.map(() => ({ wall: [], inside: [], waits: [], notWarm: 0 }));
  for (let i = -warmup; i < runs; i++) {
    for (const [index, variant] of variants.entries()) {
      // The previous task's process is gone and the pool has refilled: each measured task finds an idle process.
      const waited = await fixture.settle();
      const idle = fixture.pool.size.idle;
      const start = performance.now();
      const result = await fixture.run("return 1", variant.tools ?? [], variant.extra ?? {});
      const elapsed = performance.now() - start;
      if (result.data !== 1) throw new Error(`Expected 1, got ${JSON.stringify(result.data)}`);
      if (i < 0) continue;
      const out = timed[index]!;
      if (variant.expectIdle && idle < 1) out.notWarm++;
      out.wall.push(elapsed);
      out.inside.push(result.stats.duration);
      out.waits.push(waited);
    }
  }
  return timed;
}

/**
 * Times the host's own steps before a task's `run` line in the order `executeTask` runs them, each sample after the
 * host has idled `idleMs` (as it has between tasks), so caches are as cold as in a task.
 */
async function hostSteps(
  runs: number,
  serversUrl: string,
  idleMs: number,
): Promise<{ screen: number[]; prepare: number[]; tokens: number[] }> {
  const out = { screen: [] as number[], prepare: [] as number[], tokens: [] as number[] };
  for (let i = -3; i < runs; i++) {
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const t0 = performance.now();
    screenCode("return 1");
    const t1 = performance.now();
    prepareCode("return 1", { servers: [], serversUrl });
    const t2 = performance.now();
    codeModeTokens({ code: "return 1", data: 1, logs: [] });
    const t3 = performance.now();
    if (i < 0) continue;
    out.screen.push(t1 - t0);
    out.prepare.push(t2 - t1);
    out.tokens.push(t3 - t2);
  }
  return out;
}

const STAGES = [
  ["before", "`executeTask` -> `SandboxPool.run`: blocker (`screenCode`), allowlist, queue"],
  ["pool", "`SandboxPool.run` -> `SandboxProcess.run`: `prepareCode`, take the idle process"],
  ["send", "`SandboxProcess.run` itself: RSS watchdog start, deadline timer, `run` line written"],
  ["sandbox", "`run` line -> `done` handled: socket, bootstrap, Worker eval, `done`, zod check"],
  ["after", "back in `executeTask`: `#finish` (truncateJson, token accounting)"],
] as const;

type Stage = (typeof STAGES)[number][0];

/**
 * Times the stages of warm tasks by wrapping `SandboxPool.prototype.run` and `SandboxProcess.prototype.run` with
 * `performance.now()` marks for the duration of the call (the methods are restored afterwards). The wrappers add
 * two `performance.now()` calls and a promise hop to each stage boundary.
 */
async function stageTimes(
  fixture: OrchestratorFixture,
  runs: number,
): Promise<Record<Stage | "total", number[]>> {
  const marks = { poolIn: 0, processIn: 0, sent: 0, done: 0, poolOut: 0 };
  const poolRun = SandboxPool.prototype.run;
  const processRun = SandboxProcess.prototype.run;
  SandboxPool.prototype.run = async function (this: SandboxPool, options) {
    marks.poolIn = performance.now();
    const result = await poolRun.call(this, options);
    marks.poolOut = performance.now();
    return result;
  };
  SandboxProcess.prototype.run = function (this: SandboxProcess, task) {
    marks.processIn = performance.now();
    const running = processRun.call(this, task);
    marks.sent = performance.now();
    return running.then((result) => {
      marks.done = performance.now();
      return result;
    });
  };
  const out: Record<Stage | "total", number[]> = {
    before: [],
    pool: [],
    send: [],
    sandbox: [],
    after: [],
    total: [],
  };
  try {
    for (let i = -2; i < runs; i++) {
      await fixture.settle();
      const start = performance.now();
      await fixture.run("return 1");
      const end = performance.now();
      if (i < 0) continue;
      out.before.push(marks.poolIn - start);
      out.pool.push(marks.processIn - marks.poolIn);
      out.send.push(marks.sent - marks.processIn);
      out.sandbox.push(marks.done - marks.sent);
      out.after.push(end - marks.done);
      out.total.push(end - start);
    }
  } finally {
    SandboxPool.prototype.run = poolRun;
    SandboxProcess.prototype.run = processRun;
  }
  return out;
}

/**
 * Measures cold and warm task starts (`return 1`) and the stages of a warm task.
 *
 * @param main An orchestrator with poolSize 1 and server-memory connected.
 * @param poolZero An orchestrator with poolSize 0.
 * @param options `runs` per row; `extraRead` a folder to grant read on (a non-default permission set).
 * @returns The tables and the figures the summary needs.
 */
export async function measureTaskStart(
  main: OrchestratorFixture,
  poolZero: OrchestratorFixture,
  options: { runs: number; extraRead: string },
): Promise<TaskStartFigures> {
  const { runs } = options;
  const permissions = { permissions: { read: [options.extraRead] } };
  const [cold] = await timeTasks(main, runs, 2, [{ extra: permissions }]);
  const [coldZero] = await timeTasks(poolZero, runs, 2, [{}]);
  const [warm, warmMemory] = await timeTasks(main, runs, 3, [
    { expectIdle: true },
    { tools: ["memory"], expectIdle: true },
  ]);
  if (
    cold === undefined || coldZero === undefined || warm === undefined || warmMemory === undefined
  ) {
    throw new Error("Cannot measure task start: a variant is missing");
  }
  const stages = await stageTimes(main, runs);

  const rows: Row[] = [
    {
      name: "cold: non-default permissions (spawn + Worker + `return 1`)",
      summary: summarize(cold.wall),
      note: `no server modules preloaded; \`stats.duration\` ${
        ms(summarize(cold.inside).median)
      } ms`,
    },
    {
      name: "cold: poolSize 0 (spawn + Worker + preload `servers/` + `return 1`)",
      summary: summarize(coldZero.wall),
      note: `\`stats.duration\` ${ms(summarize(coldZero.inside).median)} ms`,
    },
    {
      name: "warm: from the pool (`return 1`)",
      summary: summarize(warm.wall),
      note:
        `pool refilled before each task (${
          runs - warm.notWarm
        } of ${runs} found an idle process); ` +
        `\`stats.duration\` ${ms(summarize(warm.inside).median)} ms`,
    },
    {
      name: 'warm: `requiredTools: ["memory"]` (`return 1`)',
      summary: summarize(warmMemory.wall),
      note: `the \`memory\` namespace bound (${
        runs - warmMemory.notWarm
      } of ${runs} found an idle process)`,
    },
  ];
  const stageRows: Row[] = STAGES.map(([key, name]) => ({ name, summary: summarize(stages[key]) }));
  stageRows.push({
    name: "whole task (`executeTask` wall time)",
    summary: summarize(stages.total),
  });

  const serversUrl = pathToFileURL(`${main.orch.serversDir}/`).href;
  const steps = await hostSteps(runs, serversUrl, Math.round(summarize(warm.waits).median));
  stageRows.push(
    {
      name: '  on its own after the same idle: `screenCode("return 1")` (in stage 1)',
      summary: summarize(steps.screen),
    },
    {
      name: '  on its own after the same idle: `prepareCode("return 1")` (in stage 2)',
      summary: summarize(steps.prepare),
    },
    {
      name: "  on its own after the same idle: `codeModeTokens` (in stage 5)",
      summary: summarize(steps.tokens),
    },
  );
  return {
    table: timingTable(rows),
    stagesTable: timingTable(stageRows),
    notes: [
      `Times are \`executeTask\` wall time. Before each task the harness waits for the orchestrator's sandbox ` +
      `pool to be at rest (\`SandboxPool.settled()\`: refilled, the last task's process back with a fresh Worker or gone) and for the ` +
      `child processes to use no CPU for 30 ms (from /proc): median wait ${
        ms(summarize(warm.waits).median)
      } ms. The two warm rows take turns, task by task. 2-3 warm-up tasks a row are not counted.`,
      `Stages: the same warm task with \`SandboxPool.prototype.run\` and \`SandboxProcess.prototype.run\` ` +
      `wrapped in \`performance.now()\` marks (restored afterwards). The last three rows time three of the ` +
      `host's steps on their own, each sample after the host has idled as long as it does between tasks.`,
    ],
    cold: summarize(cold.wall),
    coldPoolZero: summarize(coldZero.wall),
    warm: summarize(warm.wall),
  };
}
