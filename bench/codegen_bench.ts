/**
 * Code generation time for 100 tools: the first 100 tools of the recorded `tools/list` corpus
 * (`tests/fixtures/tools_list/*.json`, servers in key order, tools in listing order), generated as the servers they
 * come from with `generateServerModules` (in memory), and written to a fresh folder with `writeServerModules`.
 *
 * One file, two ways to run it:
 *
 * - `deno run --allow-read --allow-write bench/codegen_bench.ts [--runs=50]` prints median, p95 and n, from
 *   {@linkcode measureCodegen}, which `bench/speed.ts` imports for its table (one source of truth);
 * - `deno bench --allow-read --allow-write bench/codegen_bench.ts` runs the same work under Deno's bench harness
 *   (`Deno.bench` is a no-op under `deno run`, and `import.meta.main` is false under `deno bench`).
 *
 * @module
 */

import { join } from "node:path";
import {
  generateServerModules,
  type ServerInput,
  writeServerModules,
} from "../runtime/codegen/mod.ts";
import type { Tool } from "../runtime/sdk.ts";
import { type Row, summarize, timingTable } from "./_speed_stats.ts";

const FIXTURES = new URL("../tests/fixtures/tools_list/", import.meta.url);

/**
 * The first `count` tools of the recorded corpus, grouped by the server they come from.
 *
 * @param count How many tools. Default 100.
 * @returns Servers in key order with their tools; together they hold `count` tools (or the whole corpus).
 */
export async function corpusServers(count = 100): Promise<ServerInput[]> {
  const fixtures: { key: string; version?: string; tools: Tool[] }[] = [];
  for await (const file of Deno.readDir(FIXTURES)) {
    if (!file.isFile || !file.name.endsWith(".json")) continue;
    fixtures.push(JSON.parse(await Deno.readTextFile(new URL(file.name, FIXTURES))));
  }
  fixtures.sort((a, b) => a.key.localeCompare(b.key));
  const servers: ServerInput[] = [];
  let left = count;
  for (const fixture of fixtures) {
    if (left <= 0) break;
    const tools = fixture.tools.slice(0, left);
    left -= tools.length;
    servers.push({ name: fixture.key, version: fixture.version ?? "recorded", tools });
  }
  return servers;
}

/** Generates every server's modules in memory; returns how many files and bytes came out. */
function generateAll(servers: readonly ServerInput[]): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const server of servers) {
    for (const text of generateServerModules(server).values()) {
      files++;
      bytes += text.length;
    }
  }
  return { files, bytes };
}

/** What {@linkcode measureCodegen} found. */
export interface CodegenFigures {
  tools: number;
  servers: number;
  files: number;
  bytes: number;
  rows: Row[];
}

/**
 * Times code generation for `tools` tools, `runs` times each way, after `warmup` unmeasured runs.
 *
 * @param options `runs` (default 50), `tools` (default 100), `warmup` (default 5).
 * @returns The corpus size, the output size and one row a way (in memory; written to a fresh folder).
 */
export async function measureCodegen(
  options: { runs?: number; tools?: number; warmup?: number } = {},
): Promise<CodegenFigures> {
  const runs = options.runs ?? 50;
  const servers = await corpusServers(options.tools ?? 100);
  const tools = servers.reduce((sum, s) => sum + s.tools.length, 0);
  for (let i = 0; i < (options.warmup ?? 5); i++) generateAll(servers);

  const memory: number[] = [];
  let output = { files: 0, bytes: 0 };
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    output = generateAll(servers);
    memory.push(performance.now() - start);
  }

  const root = await Deno.makeTempDir({ prefix: "codegen_bench_" });
  const written: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = join(root, String(i));
      const start = performance.now();
      await writeServerModules(dir, servers);
      written.push(performance.now() - start);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const where = `${tools} tools on ${servers.length} servers`;
  return {
    tools,
    servers: servers.length,
    ...output,
    rows: [
      {
        name: `codegen, in memory (\`generateServerModules\`, ${where})`,
        summary: summarize(memory),
        note: `${output.files} files, ${Math.round(output.bytes / 1024)} KiB`,
      },
      {
        name: `codegen + write to a fresh folder (\`writeServerModules\`, ${where})`,
        summary: summarize(written),
        note: "adds `_client.ts`, the lock and the file writes",
      },
    ],
  };
}

const benchServers = await corpusServers(100);

Deno.bench({
  name: "generateServerModules: first 100 corpus tools",
  group: "codegen",
  baseline: true,
  fn() {
    generateAll(benchServers);
  },
});

Deno.bench({
  name: "writeServerModules: first 100 corpus tools, fresh folder",
  group: "codegen",
  async fn(b) {
    const dir = await Deno.makeTempDir({ prefix: "codegen_bench_" });
    try {
      b.start();
      await writeServerModules(dir, benchServers);
      b.end();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--runs="));
  const figures = await measureCodegen(arg === undefined ? {} : { runs: Number(arg.slice(7)) });
  console.log(timingTable(figures.rows));
}
