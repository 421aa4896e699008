/**
 * What Deno itself costs on this machine, below anything mcp-executor does: starting a process, creating a Worker,
 * and passing a message to a Worker thread that is busy or has gone idle. The sandbox starts a process for a cold
 * task and a fresh Worker for every task, so these are the floors of the speed targets in docs/benchmarks.md.
 *
 * Run: `deno run -A bench/floor_bench.ts [--write-docs]` (`--write-docs` replaces the `## Floor` section of
 * `docs/benchmarks.md`).
 *
 * @module
 */

import { replaceSection } from "./_docs_section.ts";
import { cpuTimes } from "./_speed_proc.ts";
import { summarize } from "./_speed_stats.ts";

const RUNS = 60;

const median = (values: number[]): number => summarize(values).median;

/** User + system CPU of this process (`self`) and of its reaped children, in milliseconds. */
function cpu(): { self: number; reapedChildren: number } {
  const times = cpuTimes();
  if (times === undefined) {
    throw new Error("Cannot measure CPU time: this bench needs /proc (Linux)");
  }
  return times;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function processFloor(): Promise<{ wall: number; cpu: number }> {
  const file = await Deno.makeTempFile({ suffix: ".js" });
  try {
    const times: number[] = [];
    const before = cpu().reapedChildren;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-config", "--no-prompt", file],
        stdout: "null",
        stderr: "null",
      }).output();
      times.push(performance.now() - start);
      if (code !== 0) throw new Error(`deno run of an empty file exited with ${code}`);
    }
    return { wall: median(times), cpu: (cpu().reapedChildren - before) / RUNS };
  } finally {
    await Deno.remove(file);
  }
}

const ECHO = URL.createObjectURL(
  new Blob(["self.onmessage = (event) => self.postMessage(event.data);"], {
    type: "application/javascript",
  }),
);

function roundTrip(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.onmessage = () => resolve();
    worker.postMessage("x");
  });
}

async function workerFloor(): Promise<{ wall: number; cpu: number }> {
  const times: number[] = [];
  const before = cpu().self;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const worker = new Worker(ECHO, { type: "module" });
    await roundTrip(worker);
    worker.terminate();
    times.push(performance.now() - start);
  }
  return { wall: median(times), cpu: (cpu().self - before) / RUNS };
}

async function wakeUps(): Promise<{ busy: number; idle: number }> {
  const worker = new Worker(ECHO, { type: "module" });
  try {
    await roundTrip(worker);
    const busy: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let start = performance.now();
      await roundTrip(worker); // right after the previous one: both threads awake
      busy.push(performance.now() - start);
      await sleep(20);
      start = performance.now();
      await roundTrip(worker); // after 20 ms: both threads had gone to sleep
      idle.push(performance.now() - start);
    }
    return { busy: median(busy), idle: median(idle) };
  } finally {
    worker.terminate();
  }
}

const spawn = await processFloor();
const worker = await workerFloor();
const wake = await wakeUps();
const load = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");
const body = [
  "- Command: `deno run -A bench/floor_bench.ts --write-docs`",
  `- Last run: ${new Date().toISOString().slice(0, 10)}`,
  `- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}); ` +
  `load average ${load} at the end`,
  "",
  "What Deno costs before mcp-executor does anything (medians of " + RUNS +
  "; CPU is user + system):",
  "",
  "| measurement | wall ms | CPU ms |",
  "| --- | ---: | ---: |",
  `| \`deno run\` of an empty file (process start and exit) | ${spawn.wall.toFixed(2)} | ${
    spawn.cpu.toFixed(1)
  } |`,
  `| an empty Worker: created, one message answered, terminated | ${worker.wall.toFixed(2)} | ${
    worker.cpu.toFixed(1)
  } |`,
  `| a message to a Worker and back, both threads awake | ${wake.busy.toFixed(3)} | |`,
  `| the same after 20 ms idle (both threads asleep) | ${wake.idle.toFixed(3)} | |`,
  "",
  "Every task runs in a fresh Worker, so the Worker row is the least CPU a task can cost in a reused process, " +
  "before the host, the bridge and the agent code; a cold task adds the process row. A warm task passes four " +
  "messages between threads that have gone idle (host to sandbox, sandbox to Worker and back, sandbox to host), " +
  "each costing about the last row.",
].join("\n");

console.log(body);
if (Deno.args.includes("--write-docs")) {
  const docs = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(docs).catch(() => undefined);
  await Deno.writeTextFile(docs, replaceSection(existing, "Floor", body));
  console.log(`\nWrote the Floor section of ${docs.pathname}`);
}
