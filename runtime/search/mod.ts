/**
 * Progressive tool discovery: a ranked, typo-tolerant index over the tools of every connected MCP server, and
 * the compact text a model reads from it.
 *
 * @example
 * ```ts
 * import { formatHits, ToolIndex } from "./mod.ts";
 *
 * const index = new ToolIndex();
 * index.setServerTools("everything", [
 *   { name: "get-sum", description: "Returns the sum of two numbers", inputSchema: { type: "object" } },
 * ]);
 * console.log(formatHits(index.search("add two numbers"), "description"));
 * ```
 *
 * @module
 */

export { ToolIndex } from "./tool_index.ts";
export {
  type EmbedFunction,
  type FindOptions,
  ToolFinder,
  type ToolFinderOptions,
} from "./tool_finder.ts";
export { universalSentenceEncoder } from "./sentence_encoder.ts";
export { type UsageFile, UsageMemory, type UsageMemoryOptions } from "./usage_memory.ts";
export { loadUsageFile, saveUsageFile } from "./usage_file.ts";
export { formatHits, NO_HITS_TEXT } from "./format_hits.ts";
export { indexTerm, queryTerms, splitWords, synonymsOf } from "./_analyze.ts";
export { isDictionaryWord } from "./_lexicon.ts";
export { defaultFunctionName, defaultRenderSignature, defaultServerDir } from "./fallbacks.ts";
export type {
  RankingOptions,
  SearchDetail,
  ServerSummary,
  ToolIndexEntry,
  ToolIndexOptions,
  ToolSearchHit,
  ToolSearchOptions,
  ToolSummary,
} from "./types.ts";
