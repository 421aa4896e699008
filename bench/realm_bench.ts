/**
 * Whether a fresh realm per task (a `node:vm` context in a long-lived Worker) could replace a fresh Worker per
 * task: what a context costs against a Worker, and what contexts in one thread share that Workers do not. Issue 24
 * asks for this before any such change; the answer decides it (see the `## Realm per task` section of
 * docs/benchmarks.md).
 *
 * Run: `deno run -A bench/realm_bench.ts [--write-docs]` (`--write-docs` replaces that section).
 *
 * @module
 */

import vm from "node:vm";
import { replaceSection } from "./_docs_section.ts";
import { cpuTimes } from "./_speed_proc.ts";
import { summarize } from "./_speed_stats.ts";

const RUNS = 60;
// A context whose global is a plain object of its own realm (no sandbox object that would proxy the outer one).
// Node's types do not list the symbol as an argument yet.
const DONT_CONTEXTIFY =
  (vm.constants as unknown as { DONT_CONTEXTIFY: vm.Context }).DONT_CONTEXTIFY;

function cpuSelf(): number {
  const times = cpuTimes();
  if (times === undefined) {
    throw new Error("Cannot measure CPU time: this bench needs /proc (Linux)");
  }
  return times.self;
}

const ECHO = URL.createObjectURL(
  new Blob(["self.onmessage = (event) => self.postMessage(event.data);"], {
    type: "application/javascript",
  }),
);

async function worker(): Promise<void> {
  const w = new Worker(ECHO, { type: "module" });
  await new Promise<void>((resolve) => {
    w.onmessage = () => resolve();
    w.postMessage("x");
  });
  w.terminate();
}

async function context(): Promise<void> {
  const c = vm.createContext(DONT_CONTEXTIFY);
  await vm.runInContext("(async () => 1)()", c);
}

async function measure(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  const before = cpuSelf();
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return { wall: summarize(times).median, cpu: (cpuSelf() - before) / RUNS };
}

const workerCost = await measure(worker);
const contextCost = await measure(context);

const heapBefore = Deno.memoryUsage().heapUsed;
const held = Array.from({ length: 100 }, () => vm.createContext(DONT_CONTEXTIFY));
const heapPerContextKb = (Deno.memoryUsage().heapUsed - heapBefore) / held.length / 1024;

// Task A's context leaves a promise chain behind; the outer code (the next task's turn) awaits once.
const a = vm.createContext(DONT_CONTEXTIFY);
vm.runInContext(
  "globalThis.n = 0; const spin = () => { if (++n < 1e6) Promise.resolve().then(spin); }; spin();",
  a,
);
await Promise.resolve();
const leftRan = vm.runInContext("n", a) as number;
await new Promise((resolve) => setTimeout(resolve, 0));
const leftRanLater = vm.runInContext("n", a) as number;

const b = vm.createContext(DONT_CONTEXTIFY);
let start = performance.now();
vm.runInContext("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)", b);
const blockedMs = performance.now() - start;

const importError = await (vm.runInContext(
  "import('data:text/javascript,export default 1').then(() => 'loaded', (e) => String(e.message))",
  b,
) as Promise<string>);

const sandboxObject = vm.createContext({});
const escapes = vm.runInContext(
  "(function () { return this.constructor.constructor('return typeof Deno')(); })()",
  sandboxObject,
) as string;
const sealed = vm.runInContext(
  "(function () { return this.constructor.constructor('return typeof Deno')(); })()",
  b,
) as string;

start = performance.now();
let stopped = "no";
try {
  vm.runInContext("while (true) {}", b, { timeout: 20 });
} catch {
  stopped = `yes, after ${(performance.now() - start).toFixed(0)} ms`;
}

const load = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");
const body = [
  "- Command: `deno run -A bench/realm_bench.ts --write-docs`",
  `- Last run: ${
    new Date().toISOString().slice(0, 10)
  }; ${navigator.hardwareConcurrency} cores, Deno ` +
  `${Deno.version.deno}; load average ${load} at the end`,
  "",
  `| measure (medians of ${RUNS}) | wall ms | CPU ms |`,
  "| --- | ---: | ---: |",
  `| an empty Worker: created, one message answered, terminated | ${workerCost.wall.toFixed(2)} | ${
    workerCost.cpu.toFixed(2)
  } |`,
  `| a \`node:vm\` context (\`DONT_CONTEXTIFY\`): created, \`(async () => 1)()\` run | ${
    contextCost.wall.toFixed(2)
  } | ${contextCost.cpu.toFixed(2)} |`,
  `| V8 heap a context holds | ${heapPerContextKb.toFixed(0)} KB | |`,
  "",
  "What contexts in one Worker share, which a Worker per task does not:",
  "",
  "| probe | result |",
  "| --- | --- |",
  `| a promise chain left by one context keeps running on the shared microtask queue while the next one runs | ` +
  `${leftRan} of its steps ran during one \`await\` of the next, ${leftRanLater} by its first timer |`,
  `| \`Atomics.wait\` in a context blocks the thread every later context runs on | blocked ${
    blockedMs.toFixed(0)
  } ms of a 50 ms wait |`,
  `| a context can be ended while its code runs | only a synchronous run, with \`timeout\`: ${stopped}; ` +
  "nothing ends its pending promises or a loop reached from a microtask |",
  `| \`import()\` inside a context (agent modules, \`servers/\` imports) | ${importError} |`,
  `| \`this.constructor.constructor\` from a context made with a sandbox object | reaches the outer realm ` +
  `(\`typeof Deno\` is "${escapes}") |`,
  `| the same from a \`DONT_CONTEXTIFY\` context | "${sealed}" |`,
  "",
  "A context costs a small fraction of a Worker, but it cannot be ended: a task's leftover promise chain, " +
  "`Atomics.wait` or microtask loop keeps running in the thread the next task runs on, where today the ended " +
  'Worker\'s thread is checked gone before its process is reused. (`microtaskMode: "afterEvaluate"` gives a ' +
  "context a queue of its own, but its promises then move only when the outer code runs it again, and a loop in " +
  "it still holds the thread.) A realm per task would give up that guarantee, so the sandbox keeps a fresh " +
  "Worker per task.",
].join("\n");

console.log(body);
if (Deno.args.includes("--write-docs")) {
  const docs = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(docs).catch(() => undefined);
  await Deno.writeTextFile(docs, replaceSection(existing, "Realm per task", body));
  console.log(`\nWrote the Realm per task section of ${docs.pathname}`);
}
