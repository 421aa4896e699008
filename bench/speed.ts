/**
 * Speed through the whole stack, against the real reference servers: cold and warm task start through
 * `MCPOrchestrator`, the round trip of `memory.read_graph` from inside a sandbox against a direct SDK client, loops
 * of calls, parallel calls, tasks per second, code generation for 100 tools and tool search over 1,000 tools.
 * Prints markdown tables (median, p95, n) and a comparison with the design targets.
 *
 * `bench/sandbox_bench.ts` measures the sandbox pool alone (trivial host answers); this one goes through the
 * orchestrator and real MCP servers. Search figures come from `bench/search_bench.ts`, run as a subprocess.
 *
 * Run: `deno run -A bench/speed.ts [--quick] [--write-docs]`
 *
 * - `--quick`: smaller samples, for a smoke test (about a minute);
 * - `--write-docs`: replace the `## Speed` section of `docs/benchmarks.md` (other sections stay as they are).
 *
 * @module
 */

import { join } from "node:path";
import { measureCodegen } from "./codegen_bench.ts";
import {
  type CallFigures,
  measureCalls,
  measureParallel,
  type ParallelFigures,
} from "./_speed_calls.ts";
import { replaceSection } from "./_docs_section.ts";
import { SEED_CODE, startDirectClient, startOrchestrator } from "./_speed_fixture.ts";
import { ms, timingTable } from "./_speed_stats.ts";
import { measureTaskStart, type TaskStartFigures } from "./_speed_tasks.ts";
import { measureThroughput, type ThroughputResult } from "./_speed_throughput.ts";
import { sandboxMemory } from "./_speed_proc.ts";
import { type TargetFigures, targetsTable } from "./_speed_targets.ts";

const QUICK = Deno.args.includes("--quick");
const WRITE_DOCS = Deno.args.includes("--write-docs");
const unknown = Deno.args.filter((a) => a !== "--quick" && a !== "--write-docs");
if (unknown.length > 0) {
  console.error(
    `Unknown argument(s): ${
      unknown.join(" ")
    }\nUsage: deno run -A bench/speed.ts [--quick] [--write-docs]`,
  );
  Deno.exit(2);
}

const SIZES = QUICK
  ? {
    starts: 10,
    calls: 200,
    loops: 2,
    parallel: 1,
    tasks: 40,
    batches: 1,
    codegen: 10,
    queries: 200,
  }
  : {
    starts: 50,
    calls: 1000,
    loops: 5,
    parallel: 3,
    tasks: 200,
    batches: 3,
    codegen: 50,
    queries: 1000,
  };
const LEVELS = [2, 4, 8];

/** The design's figures: the targets, the prototype and the peer. */
const TARGET = { warmMs: 2, addedPerCallMs: 0.1 };
const PROTOTYPE = { coldMs: 29, warmMs: 2.4, directReadGraphMs: 0.37, bridgeReadGraphMs: 0.59 };

const DOCS = new URL("../docs/benchmarks.md", import.meta.url);
const SEARCH_BENCH = new URL("./search_bench.ts", import.meta.url);

function progress(message: string): void {
  console.error(`[speed] ${message}`);
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

const parts: string[] = [];
function section(title: string, body: string): void {
  const text = `### ${title}\n\n${body.trim()}\n`;
  console.log(`\n${text}`);
  parts.push(text);
}

async function runSearchBench(queries: number): Promise<{ text: string; p50: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-sys=loadavg",
      SEARCH_BENCH.pathname,
      `--queries=${queries}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const all = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) throw new Error(`bench/search_bench.ts failed:\n${all}`);
  // It prints its whole docs section (quality, memory, speed): only its speed part belongs here.
  const speed = all.split(/\n(?=### )/).find((part) => part.startsWith("### Speed and tokens"));
  const text = speed === undefined ? all : speed.replace(/^### Speed and tokens\n+/, "").trim();
  const row = text.split("\n").find((line) => line.startsWith("| description |"));
  return { text, p50: row?.split("|")[3]?.trim() ?? "?" };
}

function verdict(met: boolean): string {
  return met ? "**met**" : "**not met**";
}

function summaryTable(
  starts: TaskStartFigures,
  calls: CallFigures,
  parallel: ParallelFigures,
  throughput: ThroughputResult,
): string {
  const addedMedian = calls.sandbox.median - calls.direct.median;
  const addedMean = calls.sandboxLoopMean - calls.directLoopMean;
  const rows = [
    [
      `warm task < ${TARGET.warmMs} ms (prototype ${PROTOTYPE.warmMs} ms; @utcp/code-mode 2.2-3.0 ms)`,
      `${ms(starts.warm.median)} ms median, ${ms(starts.warm.p95)} ms p95 (n ${starts.warm.n})`,
      verdict(starts.warm.median < TARGET.warmMs),
    ],
    [
      `< ${TARGET.addedPerCallMs} ms added per call (prototype ${
        ms(PROTOTYPE.bridgeReadGraphMs - PROTOTYPE.directReadGraphMs)
      } ms; @utcp/code-mode ~0.1 ms)`,
      `${ms(addedMedian)} ms (per-call medians ${ms(calls.sandbox.median)} vs ${
        ms(calls.direct.median)
      } direct, n ${calls.sandbox.n}); ${ms(addedMean)} ms from loop means`,
      verdict(addedMedian < TARGET.addedPerCallMs && addedMean < TARGET.addedPerCallMs),
    ],
    [
      "parallel tool calls really parallel (@utcp/code-mode: one at a time)",
      `10 x 0.2 s calls in ${ms(parallel.parallel.median)} ms with \`Promise.all\`, ${
        ms(parallel.sequential.median)
      } ms one by one: ${parallel.ratio.toFixed(1)}x`,
      verdict(parallel.parallel.median < 2 * 200),
    ],
    [
      `cold task (prototype ${PROTOTYPE.coldMs} ms)`,
      `${ms(starts.cold.median)} ms median (fresh process, non-default permissions); ${
        ms(starts.coldPoolZero.median)
      } ms with poolSize 0 (preloads \`servers/\`)`,
      starts.cold.median <= PROTOTYPE.coldMs ? "at or under the prototype" : "over the prototype",
    ],
    [
      `\`read_graph\` through the sandbox (prototype ${PROTOTYPE.bridgeReadGraphMs} ms, direct ${PROTOTYPE.directReadGraphMs} ms)`,
      `${ms(calls.sandbox.median)} ms (direct ${ms(calls.direct.median)} ms)`,
      calls.sandbox.median <= PROTOTYPE.bridgeReadGraphMs
        ? "at or under the prototype"
        : "over the prototype",
    ],
    [
      "trivial tasks per second",
      throughput.levels.map((l) => `${l.trivial.toFixed(0)}/s at ${l.concurrency}`).join(", "),
      "no target",
    ],
  ];
  return [
    "| target or reference (design) | measured | verdict |",
    "| --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const loadAtStart = loadAverage();
const root = await Deno.makeTempDir({ prefix: "speed_bench_" });
let serverVersions = "";
try {
  let starts: TaskStartFigures;
  let calls: CallFigures;
  let parallel: ParallelFigures;
  let idle: TargetFigures["idle"];
  {
    progress("starting the orchestrators (server-memory, server-everything) and a direct client");
    await using main = await startOrchestrator(root, {
      servers: ["memory", "everything"],
      label: "main",
      poolSize: 1,
      maxToolCalls: 1_000_000,
      taskTimeoutMs: 300_000,
    });
    await using direct = await startDirectClient(join(root, "direct"));
    await main.run(SEED_CODE, ["memory"]);
    serverVersions = main.orch.getStats().servers
      .map((s) => `${s.serverInfo?.name ?? s.name} ${s.serverInfo?.version ?? "?"}`)
      .join(", ");
    {
      await using poolZero = await startOrchestrator(root, {
        servers: ["memory"],
        label: "pool_zero",
        poolSize: 0,
      });
      progress(`task start: ${SIZES.starts} tasks a row`);
      starts = await measureTaskStart(main, poolZero, {
        runs: SIZES.starts,
        extraRead: join(root, "main", "data"),
      });
    }
    section("Task start (`return 1`)", `${starts.table}\n\n${starts.notes[0]}`);
    // The main orchestrator at rest: its pooled processes (poolSize 1, and the pool_zero one is gone) are idle.
    await main.settle();
    const memory = sandboxMemory();
    if (memory.length > 0) {
      const middle = (values: number[]) =>
        values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      idle = {
        pssMb: middle(memory.map((m) => m.pssMb)),
        rssMb: middle(memory.map((m) => m.rssMb)),
        n: memory.length,
      };
    }
    section("Where a warm task's time goes", `${starts.stagesTable}\n\n${starts.notes[1]}`);

    progress(`tool calls: ${SIZES.calls} calls, ${SIZES.loops} loops a side`);
    calls = await measureCalls(main, direct, { calls: SIZES.calls, loops: SIZES.loops });
    section(
      "Tool-call round trip: `memory.read_graph` (small graph)",
      `${calls.perCallTable}\n\n${calls.notes.join("\n\n")}`,
    );
    section(`${SIZES.calls} calls in a loop`, calls.loopTable);

    progress(`parallel calls: ${SIZES.parallel} task(s)`);
    parallel = await measureParallel(main, SIZES.parallel);
    section(
      "Parallel calls: server-everything `trigger-long-running-operation`, 0.2 s each, inside one task",
      parallel.table,
    );
  }

  progress(`throughput: ${SIZES.tasks} tasks a batch at ${LEVELS.join(", ")}`);
  const throughput = await measureThroughput(root, {
    levels: LEVELS,
    tasks: SIZES.tasks,
    reps: SIZES.batches,
  });
  section("Tasks per second", `${throughput.table}\n\n${throughput.notes.join("\n\n")}`);

  progress(`codegen: ${SIZES.codegen} runs`);
  const codegen = await measureCodegen({ runs: SIZES.codegen });
  section(
    "Code generation: the first 100 tools of the recorded corpus",
    `${
      timingTable(codegen.rows)
    }\n\nFrom \`bench/codegen_bench.ts\` (also runnable on its own, and under \`deno bench\`).`,
  );

  progress(`search: bench/search_bench.ts --queries=${SIZES.queries}`);
  const search = await runSearchBench(SIZES.queries);
  section("Tool search over 1,000+ tools (`bench/search_bench.ts`, unchanged)", search.text);

  section("Against the targets", summaryTable(starts, calls, parallel, throughput));
  const atFour = throughput.levels.find((level) => level.concurrency === 4);
  section(
    "Performance targets: before and after process reuse",
    targetsTable({
      ...(atFour === undefined ? {} : { tasksPerSecond: atFour.trivial }),
      ...(atFour?.trivialCpu === undefined ? {} : { cpuPerTask: atFour.trivialCpu }),
      coldMs: starts.cold.median,
      warmMs: starts.warm.median,
      addedPerCallMs: calls.sandbox.median - calls.direct.median,
      loopRatio: calls.sandboxLoopMean / calls.directLoopMean,
      ...(idle === undefined ? {} : { idle }),
    }) +
      "\n\nBefore: `docs/benchmarks.md` of 2026-11-21, when every task started a sandbox process of its own. " +
      "The machine is shared: compare medians of several runs, and the load average above.",
  );

  if (WRITE_DOCS) {
    const header = [
      `- Command: \`deno run -A bench/speed.ts${QUICK ? " --quick" : ""} --write-docs\`` +
      (QUICK ? " (quick run: small samples, a smoke test, not the figures to quote)" : ""),
      `- Last run: ${new Date().toISOString().slice(0, 10)}`,
      `- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}); ` +
      `load average ${loadAtStart} at start, ${loadAverage()} at the end`,
      `- Servers: ${serverVersions}, each a \`deno run -A npm:@modelcontextprotocol/...\` child over stdio`,
      "",
      "Times are wall-clock milliseconds: median, p95 (nearest rank) and n. Everything runs against the real servers " +
      "through `MCPOrchestrator`; the direct side is a plain SDK `Client` on its own server-memory process of " +
      "the same version. `bench/sandbox_bench.ts` measures the sandbox pool alone.",
    ].join("\n");
    let existing: string | undefined;
    try {
      existing = await Deno.readTextFile(DOCS);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const body = `${header}\n\n${parts.join("\n")}`;
    await Deno.writeTextFile(DOCS, replaceSection(existing, "Speed", body));
    // `deno task ok` runs `deno fmt --check`: align the tables and wrap the text as the repository's config says.
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", DOCS.pathname],
      cwd: new URL("..", DOCS).pathname,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!fmt.success) {
      progress(`deno fmt failed on ${DOCS.pathname}: ${new TextDecoder().decode(fmt.stderr)}`);
    }
    progress(`wrote the ## Speed section of ${DOCS.pathname}`);
  }
} finally {
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
