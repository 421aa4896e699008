/**
 * Python agent code (issue 21): a warm Python task (`1`, from a pooled process with an interpreter ready), a cold
 * one (no pooled process: spawn + interpreter from the snapshot), a tool call from Python against a direct SDK
 * client on the same server-memory, CPU per warm task, and resident memory per idle Python slot. Prints a table;
 * `--write-docs` puts it into docs/benchmarks.md as the `## Python` section.
 *
 * Run: `deno run -A bench/python_bench.ts [--write-docs] [--warm=40] [--cold=8] [--calls=300] [--rounds=3]`
 *
 * @module
 */

import { join } from "node:path";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { Client, StdioClientTransport } from "../runtime/sdk.ts";
import { memoryOrchestratorOptions, npmServer } from "../tests/helpers/servers.ts";
import { replaceSection } from "./_docs_section.ts";
import { pidsRunning } from "../tests/helpers/processes.ts";

const flags = Object.fromEntries(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => {
    const [key, value] = a.slice(2).split("=");
    return [key!, value ?? "true"];
  }),
);
const WARM = Number(flags.warm ?? 40);
const COLD = Number(flags.cold ?? 8);
const CALLS = Number(flags.calls ?? 300);
const ROUNDS = Number(flags.rounds ?? 3);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The Python sandbox processes of this bench (running the bootstrap with the Python state folder). */
function pythonSandboxes(stateDir: string): number[] {
  return pidsRunning(["bootstrap.ts", join(stateDir, "python")]);
}

async function orchestrator(dir: string, pythonPoolSize: number): Promise<MCPOrchestrator> {
  const orch = new MCPOrchestrator(memoryOrchestratorOptions(dir, {
    pythonPoolSize,
  }));
  await orch.initialize();
  return orch;
}

let taskId = 0;
async function python(orch: MCPOrchestrator, code: string, tools: string[] = []) {
  const result = await orch.executeTask({
    id: `py-${++taskId}`,
    description: "bench",
    code,
    language: "python",
    requiredTools: tools,
    status: "pending",
  });
  if (result.status !== "completed") throw new Error(JSON.stringify(result.error));
  return result;
}

const dir = await Deno.makeTempDir({ prefix: "python-bench-" });
const rows: string[][] = [];
const verdicts: string[] = [];
try {
  // ---- warm ----
  const warmDir = join(dir, "warm");
  await Deno.mkdir(warmDir);
  const made = performance.now();
  const orch = await orchestrator(warmDir, 1);
  await python(orch, "1"); // the pool is made on this first task
  const firstMs = performance.now() - made;
  await orch.settled();
  const warm: number[] = [];
  let sandboxCpu = 0;
  const hostCpu0 = cpuMs("self");
  for (let i = 0; i < WARM; i++) {
    await orch.settled();
    const pids = pythonSandboxes(join(warmDir, "state"));
    const before = pids.map(cpuMs);
    const t0 = performance.now();
    await python(orch, "1");
    warm.push(performance.now() - t0);
    // The task's own process, before it recycles its Worker (the next interpreter's load is not the task's).
    sandboxCpu += pids.reduce((sum, pid, k) => sum + cpuMs(pid) - before[k]!, 0);
  }
  const hostCpu = cpuMs("self") - hostCpu0;
  await orch.settled();
  const idle = pythonSandboxes(join(warmDir, "state"));
  const idleRss = idle.map(rssMb);

  // ---- per call: Python in the sandbox against a direct client ----
  await python(
    orch,
    `await memory.create_entities(entities=[{"name": n, "entityType": "t", "observations": ["o"]} for n in "abc"])\nNone`,
    ["memory"],
  );
  const pythonCalls = async (): Promise<number[]> =>
    (await python(
      orch,
      `import time
for _ in range(50):
    await memory.read_graph()
times = []
for _ in range(${CALLS}):
    t0 = time.perf_counter()
    await memory.read_graph()
    times.append((time.perf_counter() - t0) * 1000)
times`,
      ["memory"],
    )).data as number[];
  const tsCalls = async (): Promise<number[]> =>
    (await orch.executeTask({
      id: "ts-calls",
      description: "bench",
      code: `for (let i = 0; i < 50; i++) await memory.readGraph();
const times = [];
for (let i = 0; i < ${CALLS}; i++) {
  const t0 = performance.now();
  await memory.readGraph();
  times.push(performance.now() - t0);
}
return times;`,
      requiredTools: ["memory"],
      status: "pending",
    })).data as number[];
  const client = new Client({ name: "bench", version: "1" });
  const config = <{ command: string; args: string[]; env: Record<string, string> }> npmServer(
    "server-memory",
    [],
    {
      MEMORY_FILE_PATH: join(warmDir, "memory.jsonl"),
    },
  );
  await client.connect(
    new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: { ...Deno.env.toObject(), ...config.env },
      stderr: "ignore",
    }),
  );
  const directCalls = async (): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) await client.callTool({ name: "read_graph", arguments: {} });
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      await client.callTool({ name: "read_graph", arguments: {} });
      times.push(performance.now() - t0);
    }
    return times;
  };
  // The first task of the process that calls tools meets a cold call path (the host's JIT, Pyodide's WebAssembly
  // tier-up, which the process's later Workers share); later tasks each start in a fresh Worker of a warm process.
  // Rounds interleave the three sides, so that load changes fall on all of them.
  const firstPython = await pythonCalls();
  const inPython: number[] = [];
  const inTs: number[] = [];
  const direct: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    inPython.push(...await pythonCalls());
    inTs.push(...await tsCalls());
    direct.push(...await directCalls());
  }
  // The bridge alone: a catalog read the host answers at once, no server in the way.
  const pyList = (await python(
    orch,
    `import time
times = []
for _ in range(${CALLS}):
    t0 = time.perf_counter()
    await tools.list("memory")
    times.append((time.perf_counter() - t0) * 1000)
times`,
  )).data as number[];
  const tsList = (await orch.executeTask({
    id: "ts-list",
    description: "bench",
    code: `const times = [];
for (let i = 0; i < ${CALLS}; i++) {
  const t0 = performance.now();
  await tools.list("memory");
  times.push(performance.now() - t0);
}
return times;`,
    requiredTools: [],
    status: "pending",
  })).data as number[];
  await client.close();
  await orch.shutdown({ drainTimeoutMs: 0 });

  // ---- cold: no pooled Python process ----
  const coldDir = join(dir, "cold");
  await Deno.mkdir(coldDir);
  const coldOrch = await orchestrator(coldDir, 0);
  await python(coldOrch, "1");
  const cold: number[] = [];
  for (let i = 0; i < COLD; i++) {
    await coldOrch.settled();
    const t0 = performance.now();
    await python(coldOrch, "1");
    cold.push(performance.now() - t0);
  }
  await coldOrch.shutdown({ drainTimeoutMs: 0 });

  const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  const verdict = (what: string, value: number, target: number) =>
    verdicts.push(
      `- ${what}: ${fmt(value)} ms against at most ${target} ms: ${
        value <= target ? "met" : "NOT met"
      }.`,
    );
  const added = quantile(inPython, 0.5) - quantile(direct, 0.5);
  verdict("warm Python task p50", quantile(warm, 0.5), 50);
  verdict("cold Python task p50", quantile(cold, 0.5), 900);
  verdict(
    "a tool call from Python above a direct client (median, later tasks)",
    quantile(inPython, 0.5) - quantile(direct, 0.5),
    0.5,
  );
  rows.push(
    [
      "warm Python task (`1`), pooled process",
      fmt(quantile(warm, 0.5)),
      fmt(quantile(warm, 0.95)),
      `${WARM}`,
      "≤ 50 ms p50",
    ],
    [
      "cold Python task (`1`), no pooled process",
      fmt(quantile(cold, 0.5)),
      fmt(quantile(cold, 0.95)),
      `${COLD}`,
      "≤ 900 ms p50",
    ],
    ["first Python task of an orchestrator (snapshot + pool)", fmt(firstMs), "", "1", "once"],
    [
      "`memory.read_graph()` from Python, the process's first task that calls",
      fmt(quantile(firstPython, 0.5)),
      fmt(quantile(firstPython, 0.95)),
      `${CALLS}`,
      "timed in Python",
    ],
    [
      "`memory.read_graph()` from Python, later tasks",
      fmt(quantile(inPython, 0.5)),
      fmt(quantile(inPython, 0.95)),
      `${ROUNDS} x ${CALLS}`,
      "timed in Python",
    ],
    [
      "`memory.readGraph()` from TypeScript, later tasks",
      fmt(quantile(inTs, 0.5)),
      fmt(quantile(inTs, 0.95)),
      `${ROUNDS} x ${CALLS}`,
      "same rounds, for comparison",
    ],
    [
      "`read_graph` on a direct SDK client",
      fmt(quantile(direct, 0.5)),
      fmt(quantile(direct, 0.95)),
      `${ROUNDS} x ${CALLS}`,
      "same rounds",
    ],
    ["added per call (median, Python later tasks minus direct)", fmt(added), "", "", "≤ 0.5 ms"],
    [
      "added per call (median, TypeScript later tasks minus direct)",
      fmt(quantile(inTs, 0.5) - quantile(direct, 0.5)),
      "",
      "",
      "for comparison",
    ],
    [
      "bridge alone: `tools.list()` from Python (host answers at once)",
      fmt(quantile(pyList, 0.5)),
      fmt(quantile(pyList, 0.95)),
      `${CALLS}`,
      "",
    ],
    [
      "bridge alone: `tools.list()` from TypeScript",
      fmt(quantile(tsList, 0.5)),
      fmt(quantile(tsList, 0.95)),
      `${CALLS}`,
      "",
    ],
    ["CPU per warm task: host", fmt(hostCpu / WARM), "", `${WARM}`, "10 ms ticks"],
    [
      "CPU per warm task: the task's sandbox process",
      fmt(sandboxCpu / WARM),
      "",
      `${WARM}`,
      "10 ms ticks",
    ],
    [
      "resident memory per idle Python slot, MB",
      idleRss.map(fmt).join(", ") || "n/a",
      "",
      `${idle.length}`,
      "VmRSS",
    ],
  );
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

const header = ["measurement", "p50 ms", "p95 ms", "n", "target / note"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) =>
  `| ${
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")
  } |`;
const table = [
  line(header),
  `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ")} |`,
  ...rows.map(line),
].join("\n");
const load = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");
const body = `- Command: \`deno run -A bench/python_bench.ts --write-docs\`
- Last run: ${new Date().toISOString().slice(0, 10)}
- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}, Pyodide 314.0.8); load average ${load} at the end

${table}

Against the targets:

${verdicts.join("\n")}

A warm task takes a pooled process whose Worker already holds an interpreter made from the memory snapshot; after
the task the process gets a fresh Worker (and a fresh interpreter) before it goes back to the pool. A cold task
spawns a sandbox process whose Worker loads the interpreter from the snapshot. Every side of the call comparison
makes 50 calls first (server and JIT warm-up), then the timed ones; the process's first task that calls tools is
reported on its own (the host's JIT and Pyodide's WebAssembly tier-up are cold then), and the later tasks, each in a
fresh Worker, interleave with the TypeScript tasks and the direct client round by round. The two "bridge alone" rows isolate what Python
adds to a crossing (Pyodide's await of a JavaScript promise, the JSON envelope both ways) from server time. CPU per
warm task counts the task's process from the task's start to the result, which includes the start of its fresh
Worker's interpreter load (the recycle begins as soon as the result is sent). The snapshot is made once per
orchestrator, on its first Python task (or at start when \`pythonPoolSize\` > 0).

Where a Python call's extra time goes (timestamps taken in the Worker around one raw bridge call, 400 calls after
30 warm-up ones, medians of 3 rounds at load 6–7): Python to the JavaScript function 0.010 ms; the JavaScript side
before the call returns to Python 0.07 (arguments checked and serialized 0.012, the call-site stack 0.015, the
promise and \`postMessage\` 0.026, the promise handed back to Python 0.018); the round trip through the sandbox's
main thread, the host and the server 0.53–0.67 (0.53–0.60 for TypeScript); the answer to the resolved promise
0.016; **the resolved promise to Python running again 0.10**; the generated function's JSON and unwrapping 0.035.
In a fresh Worker the first hundred calls are slower still (medians 1.8–4.8 ms in a 900-call task, settling to
0.75–0.85): Pyodide's JavaScript is compiled again in each Worker's isolate. Measured and not kept (gains of
0.01–0.05 ms, within this machine's noise): resolving a Python future straight from the answer and running what it
wakes at once instead of awaiting a JavaScript promise; a \`MessageChannel\` in place of the event loop's scheduler
(Pyodide under Deno schedules with \`setImmediate\` already); V8 flags for the sandbox (\`--max-semi-space-size\`,
\`--no-lazy-feedback-allocation\`, \`--single-threaded-gc\`); sharing one compiled WebAssembly module across
Workers (the interpreter loaded in 1.6 s instead of 2.0 in a separate test; calls unchanged).`;
console.log(body);
if (flags["write-docs"] === "true") {
  const path = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(path).catch(() => undefined);
  await Deno.writeTextFile(path, replaceSection(existing, "Python", body));
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path.pathname] }).output();
}
