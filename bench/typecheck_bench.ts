/**
 * Type-checking agent code before it runs: a 40-line program against the generated types of server-memory,
 * server-filesystem and server-everything (the checkout's `servers/`), checked by
 *
 * - TypeScript 7.0.2, the native compiler: the project's `TypeChecker` (a tsgo process kept open through
 *   `typescript/unstable/async`, one project, the agent's file changed per check), what the orchestrator uses;
 * - TypeScript 6.0.3, the classic compiler API in process: a language service kept warm (`_typecheck_classic.ts`);
 * - `deno check` in a subprocess per program (the baseline).
 *
 * Each check gets a program that differs from the last (a changed string), so nothing is answered from a cache.
 * The first check counts from the checker's creation (compiler started or loaded, lib files parsed). Memory: the
 * tsgo process's resident set for TypeScript 7, the growth of this process's resident set for TypeScript 6.
 *
 * Run: `deno run -A bench/typecheck_bench.ts [--runs=60] [--write-docs]`
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { checkedTexts, type CheckInput, TypeChecker } from "../runtime/typecheck/mod.ts";
import { replaceSection } from "./_docs_section.ts";
import { classicChecker } from "./_typecheck_classic.ts";
import { type BenchChecker, denoCheckChecker, rssOf } from "./_typecheck_others.ts";

const SERVERS_DIR = fileURLToPath(new URL("../servers", import.meta.url));
const DOCS = new URL("../docs/benchmarks.md", import.meta.url);
const SERVERS = ["memory", "filesystem", "everything"].map((dir) => ({ identifier: dir, dir }));

/** A realistic 40-line agent program over the three servers; `n` changes one string. */
function program(n: number): string {
  return `import { searchFiles } from "servers/filesystem/index.ts";
import type { ReadGraphOutput } from "servers/memory/index.ts";

// Gather what the knowledge graph knows about the project (${n}).
const graph: ReadGraphOutput = await memory.readGraph();
const people = graph.entities.filter((e) => e.entityType === "person");
const names = new Set(people.map((p) => p.name));
const related = graph.relations.filter((r) => names.has(r.from) || names.has(r.to));
progress(1, 4, "graph read");

const found = await searchFiles({ path: "/data", pattern: "*.md", excludePatterns: ["node_modules"] });
const texts = [];
for (const path of found.content.split("\\n").slice(0, 5)) {
  const file = await filesystem.readTextFile({ path, head: 20 });
  texts.push({ path, lines: file.content.split("\\n").length });
}
progress(2, 4, "files read");

const echoed = await everything.echo({ message: "run ${n}" });
const sum = await everything.getSum({ a: people.length, b: related.length });
const listed = await filesystem.listDirectory({ path: "/data" });
progress(3, 4);

await memory.addObservations({
  observations: people.slice(0, 3).map((p) => ({
    entityName: p.name,
    contents: [\`seen in \${texts.length} files\`],
  })),
});
const hits = await memory.searchNodes({ query: "project ${n}" });
const catalog = await tools.search("read a file", { limit: 3 });
progress(4, 4, "done");

return {
  people: people.length,
  related: related.length,
  files: texts,
  echoed,
  sum,
  listed: String(listed).length,
  hits: hits.entities.length,
  catalog: catalog.map((c) => c.name),
};
`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Row {
  checker: string;
  first: number;
  p50: number;
  p95: number;
  runs: number;
  memory: string;
  errors: number;
}

async function measure(
  name: string,
  make: () => BenchChecker,
  runs: number,
  memory: (checker: BenchChecker, rssBefore: number) => string,
): Promise<Row> {
  const rssBefore = rssOf(Deno.pid);
  const started = performance.now();
  const checker = make();
  let errors = await checker.check(program(0));
  const first = performance.now() - started;
  const times: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const t = performance.now();
    errors = Math.max(errors, await checker.check(program(i)));
    times.push(performance.now() - t);
  }
  const mem = memory(checker, rssBefore);
  await checker.close();
  times.sort((a, b) => a - b);
  return {
    checker: name,
    first,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    runs,
    memory: mem,
    errors,
  };
}

/** TypeScript 7 through the project's own `TypeChecker`. */
function nativeChecker(): BenchChecker {
  const checker = new TypeChecker({ serversDir: SERVERS_DIR });
  let rssBytes = 0;
  return {
    async check(code: string): Promise<number> {
      const outcome = await checker.check({ code, servers: SERVERS });
      if (outcome === undefined) throw new Error("The checker failed");
      rssBytes = outcome.rssBytes;
      return outcome.diagnostics.length;
    },
    outsideRssBytes: () => rssBytes,
    close: () => checker[Symbol.asyncDispose](),
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

if (import.meta.main) {
  const runs = Number(Deno.args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 60);
  const input: CheckInput = { code: "", servers: SERVERS };
  const texts = checkedTexts(input);
  const files = {
    serversDir: SERVERS_DIR,
    globals: texts.globals,
    wrap: (code: string) => checkedTexts({ ...input, code }).agent,
  };
  const rows: Row[] = [];
  rows.push(
    await measure(
      "TypeScript 7.0.2, native, tsgo process (chosen)",
      nativeChecker,
      runs,
      (c) => `${mb(c.outsideRssBytes())} RSS (tsgo process)`,
    ),
  );
  rows.push(
    await measure(
      "TypeScript 6.0.3, language service in process",
      () => classicChecker(files),
      runs,
      (_, before) => `${mb(rssOf(Deno.pid) - before)} RSS added`,
    ),
  );
  rows.push(
    await measure(
      "`deno check` per program (baseline)",
      () => denoCheckChecker(files),
      Math.min(runs, 10),
      () => "a process per check",
    ),
  );
  const table = [
    "| checker | first check, ms | warm p50, ms | warm p95, ms | runs | memory held | errors found |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.checker} | ${r.first.toFixed(0)} | ${r.p50.toFixed(1)} | ${
        r.p95.toFixed(1)
      } | ${r.runs} | ${r.memory} | ${r.errors} |`
    ),
  ].join("\n");
  console.log(table);
  if (Deno.args.includes("--write-docs")) {
    const body =
      `Run: \`deno run -A bench/typecheck_bench.ts --write-docs\` (Deno ${Deno.version.deno}, 2 cores shared with
other work). A 40-line program (\`program()\` in the script) against the generated types of server-memory,
server-filesystem and server-everything; each check gets a changed program. Targets: warm p50 at most 30 ms, p95 at
most 80 ms, first check at most 1.5 s. "errors found" is 0 for every checker: they agree the program is clean. The TypeScript 7 row is the whole
\`TypeChecker.check()\` the orchestrator awaits (writing the agent's file, the snapshot update and the
diagnostics over the compiler's pipe).

${table}
`;
    const existing = await Deno.readTextFile(DOCS).catch(() => undefined);
    await Deno.writeTextFile(DOCS, replaceSection(existing, "Type check", body));
  }
}
