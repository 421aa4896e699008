/**
 * Measures {@linkcode ToolIndex} on a catalogue of over 1,000 tools: the recorded corpus of
 * `tests/fixtures/tools_list/` replicated under distinct server names until it is that large. Prints the index
 * build time, then for each detail level the latency of 1,000 varied queries (search plus `formatHits`, as
 * `searchTools` runs them) and the tokens of the text a model receives.
 *
 * Run: `deno run --allow-read bench/search_bench.ts [--tools=1000] [--queries=1000]`
 *
 * @module
 */

import { countTokens, getTokenizerName } from "../runtime/tokens/tokens.ts";
import { formatHits } from "../runtime/search/format_hits.ts";
import { ToolIndex } from "../runtime/search/tool_index.ts";
import type { SearchDetail, ToolIndexEntry } from "../runtime/search/types.ts";
import { loadRecordedServers } from "../runtime/search/_test_corpus.ts";

function option(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const MIN_TOOLS = option("tools", 1000);
const QUERY_COUNT = option("queries", 1000);
const DETAILS: SearchDetail[] = ["name", "description", "full"];

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

const buildStart = performance.now();
const index = ToolIndex.from(entries);
const buildMs = performance.now() - buildStart;

const queries = makeQueries(entries, QUERY_COUNT);
for (const query of queries.slice(0, 200)) formatHits(index.search(query), "description"); // warm-up

const rows: string[] = [];
for (const detail of DETAILS) {
  const times: number[] = [];
  let tokens = 0;
  let hits = 0;
  const texts: string[] = [];
  for (const query of queries) {
    const start = performance.now();
    const found = index.search(query, { detail });
    const text = formatHits(found, detail);
    times.push(performance.now() - start);
    hits += found.length;
    texts.push(text);
  }
  for (const text of texts) tokens += countTokens(text);
  times.sort((a, b) => a - b);
  rows.push(
    `| ${detail} | ${queries.length} | ${percentile(times, 50).toFixed(3)} | ${
      percentile(times, 95).toFixed(3)
    } | ${times.at(-1)!.toFixed(3)} | ${(hits / queries.length).toFixed(1)} | ${
      Math.round(tokens / queries.length)
    } |`,
  );
}

const allDefinitions = countTokens(JSON.stringify(entries.map(({ tool }) => tool)));
const recordedTools = servers.flatMap(({ tools }) => tools);
const recordedDefinitions = countTokens(JSON.stringify(recordedTools));
console.log(
  `Index: ${index.size} tools on ${index.listServers().length} servers (${servers.length} recorded, replicated), ` +
    `built in ${
      buildMs.toFixed(1)
    } ms. Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores.\n`,
);
console.log("| detail | queries | p50 ms | p95 ms | max ms | hits/query | tokens/answer |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
console.log(
  `\nTimes are search() plus formatHits() at the default limit of 10. Tokens: ${getTokenizerName()}; ` +
    `all ${index.size} tool definitions as JSON would be ${allDefinitions} tokens ` +
    `(the ${recordedTools.length} distinct recorded ones: ${recordedDefinitions}).`,
);
