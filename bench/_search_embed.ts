/**
 * The offline embedder in the search benchmark: one `universalSentenceEncoder()` shared by the quality row and the
 * speed figures, with what it cost (tool texts embedded, model memory, query latency).
 *
 * @module
 */

import { universalSentenceEncoder } from "../runtime/search/mod.ts";
import { ToolFinder } from "../runtime/search/mod.ts";
import { ToolIndex } from "../runtime/search/mod.ts";
import type { EmbedFunction } from "../runtime/search/mod.ts";
import type { ToolIndexEntry } from "../runtime/search/mod.ts";

/** What the embedder cost. */
export interface EmbedCost {
  /** Texts embedded in the first search (every tool, plus the query), and how long it took. */
  firstCall: { texts: number; ms: number } | undefined;
  /** Resident memory added by loading the model and embedding the tools, in MB. */
  rssMb: number | undefined;
}

const encoder = universalSentenceEncoder();
const vectors = new Map<string, number[]>();

/** The cost figures, filled in by the first call of {@linkcode benchEmbed}. */
export const embedCost: EmbedCost = { firstCall: undefined, rssMb: undefined };

/**
 * The benchmark's embedding function: the Universal Sentence Encoder, each text embedded once per run (so that the
 * quality row and the speed figures do not embed the tools twice).
 *
 * @param texts Texts.
 * @returns One vector per text.
 */
export const benchEmbed: EmbedFunction = async (texts) => {
  const missing = [...new Set(texts.filter((text) => !vectors.has(text)))];
  if (missing.length > 0) {
    const rssBefore = Deno.memoryUsage().rss;
    const start = performance.now();
    const found = await encoder(missing);
    if (embedCost.firstCall === undefined) {
      embedCost.firstCall = { texts: missing.length, ms: performance.now() - start };
      embedCost.rssMb = (Deno.memoryUsage().rss - rssBefore) / 1e6;
    }
    missing.forEach((text, i) => vectors.set(text, found[i]!));
  }
  return texts.map((text) => vectors.get(text)!);
};

/**
 * Times `findAsync` with the embedder over the corpus: tool vectors are already known, each query is embedded.
 *
 * @param entries The corpus.
 * @param queries Queries not embedded before.
 * @returns The times in milliseconds, sorted.
 */
export async function timeEmbeddedSearch(
  entries: readonly ToolIndexEntry[],
  queries: readonly string[],
): Promise<number[]> {
  const finder = new ToolFinder(ToolIndex.from(entries), { embed: benchEmbed });
  await finder.findAsync("warm up the model", { detail: "name" });
  const times: number[] = [];
  for (const query of queries) {
    const start = performance.now();
    await finder.findAsync(query, { detail: "name", limit: 10 });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}
