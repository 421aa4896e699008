/**
 * {@linkcode SkillIndex}: ranked search over saved skills, with the tool search's analysis (word splitting, stop
 * words, plural folding, verb synonyms, prefix and typo tolerance) and BM25+ from MiniSearch.
 *
 * @module
 */

import MiniSearch from "minisearch";
import { indexTerm, queryTerms, splitWords, synonymsOf } from "../search/mod.ts";
import type { JsonSchema, SkillSummary } from "./types.ts";

/**
 * One skill a search found.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillSearchHit } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const [hit]: SkillSearchHit[] = orch.searchSkills("add numbers");
 * assert.equal(hit?.importLine, 'import { run } from "skills/add-two/skill.ts";');
 * ```
 */
export interface SkillSearchHit
  extends Pick<SkillSummary, "name" | "description" | "version" | "tags" | "tools" | "health"> {
  /** Runs so far. */
  runs: number;
  /** Runs that completed. */
  successes: number;
  /** The ranking score (higher is better), after the health and success factors. */
  score: number;
  /** The line that imports it into a task: `import { run } from "skills/<name>/skill.ts";`. */
  importLine: string;
  /** Its params schema. */
  params: JsonSchema;
}

interface SkillDocument {
  id: string;
  name: string;
  nameStems: string;
  description: string;
  tags: string;
  params: string;
  tools: string;
}

const FIELD_BOOSTS: Readonly<Record<Exclude<keyof SkillDocument, "id">, number>> = {
  name: 3,
  nameStems: 2,
  tags: 2,
  description: 1,
  params: 0.7,
  tools: 0.5,
};

const SYNONYM_BOOST = 0.4;

/**
 * How much a skill's health and record weigh on its rank: a skill whose runs keep failing, or whose tools changed
 * incompatibly, ranks below one that works. The success rate is smoothed (one success and one failure assumed), so
 * a new skill starts at the middle and a few runs move it.
 *
 * @param summary The skill.
 * @returns A factor between 0.1 and 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankFactor } from "./skill_index.ts";
 * const base = { name: "a", description: "", version: 1, tags: [], tools: [], health: "ok" as const, changes: [] };
 * const works = rankFactor({ ...base, stats: { runs: 5, successes: 5, failures: {}, medianDurationMs: 1, toolsCalled: [] } });
 * const fails = rankFactor({ ...base, stats: { runs: 5, successes: 0, failures: { x: 5 }, medianDurationMs: 1, toolsCalled: [] } });
 * assert.ok(works > fails);
 * ```
 */
export function rankFactor(summary: SkillSummary): number {
  const rate = (summary.stats.successes + 1) / (summary.stats.runs + 2);
  const health = summary.health === "breaking" ? 0.3 : summary.health === "changed" ? 0.9 : 1;
  return Math.max(0.1, (0.25 + 0.75 * rate) * health);
}

function paramText(params: JsonSchema): string {
  const properties = (params.properties ?? {}) as Record<string, { description?: unknown }>;
  return Object.entries(properties)
    .map(([key, schema]) =>
      `${key} ${typeof schema?.description === "string" ? schema.description : ""}`
    )
    .join(" ");
}

/**
 * A search index over skills, rebuilt only when a skill's searchable text changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SkillIndex } from "./skill_index.ts";
 * const stats = { runs: 0, successes: 0, failures: {}, medianDurationMs: 0, toolsCalled: [] };
 * const index = new SkillIndex();
 * index.update([{
 *   name: "count-domain", description: "Counts contacts per email domain", version: 1, tags: ["crm"],
 *   tools: ["memory.read_graph"], health: "ok", changes: [], stats,
 * }]);
 * assert.equal(index.search("how many people per mail domain")[0]?.name, "count-domain");
 * ```
 */
export class SkillIndex {
  #search = this.#create();
  #signature = "";
  #summaries = new Map<string, SkillSummary>();
  #params = new Map<string, JsonSchema>();
  #vocabulary = new Set<string>();

  #create(): MiniSearch<SkillDocument> {
    return new MiniSearch<SkillDocument>({
      idField: "id",
      fields: Object.keys(FIELD_BOOSTS),
      tokenize: (text) => splitWords(text),
      processTerm: (term, field) => indexTerm(term, field, { exactField: "name" }),
      searchOptions: {
        processTerm: (term) => {
          const terms = queryTerms(term);
          return terms === null ? null : [...terms, ...terms.flatMap(synonymsOf)];
        },
        boost: FIELD_BOOSTS,
        prefix: (term) => term.length >= 3,
        fuzzy: (term) =>
          this.#vocabulary.has(term) ? false : term.length >= 6 ? 2 : term.length >= 4 ? 1 : false,
        boostDocument: (id) => {
          const summary = this.#summaries.get(id as string);
          return summary === undefined ? 1 : rankFactor(summary);
        },
      },
    });
  }

  /**
   * Replaces the indexed skills; the index is rebuilt only when their searchable text changed. Broken skills are
   * left out.
   *
   * @param summaries Every skill, as `listSkills()` gives them.
   * @param params Each skill's params schema, by name.
   */
  update(
    summaries: readonly SkillSummary[],
    params: ReadonlyMap<string, JsonSchema> = new Map(),
  ): void {
    const usable = summaries.filter((s) => s.health !== "broken");
    this.#summaries = new Map(usable.map((s) => [s.name, s]));
    this.#params = new Map(params);
    const documents = usable.map((s) => ({
      id: s.name,
      name: s.name,
      nameStems: s.name,
      description: s.description,
      tags: s.tags.join(" "),
      params: paramText(params.get(s.name) ?? {}),
      tools: s.tools.join(" "),
    }));
    const signature = JSON.stringify(documents);
    if (signature === this.#signature) return;
    this.#signature = signature;
    this.#search = this.#create();
    this.#search.addAll(documents);
    this.#vocabulary = new Set(
      documents.flatMap((d) =>
        Object.values(d).flatMap((text) =>
          splitWords(text).map((w) => indexTerm(w, "x", { exactField: "name" }))
        )
      ).filter((t): t is string => t !== null),
    );
  }

  /**
   * Finds skills by what they do.
   *
   * @param query Free text, e.g. `"contacts per email domain"`.
   * @param options `limit`: the most hits (default 10).
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string.
   * @throws {RangeError} When the limit is not a positive integer.
   */
  search(query: string, options: { limit?: number } = {}): SkillSearchHit[] {
    if (typeof query !== "string") {
      throw new TypeError("Cannot search skills: the query must be a string");
    }
    const limit = options.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Cannot search skills: limit must be a positive integer, got ${limit}`);
    }
    const typed = new Set(splitWords(query).flatMap((word) => queryTerms(word) ?? []));
    const results = this.#search.search(query, {
      boostTerm: (term) => typed.has(term) ? 1 : SYNONYM_BOOST,
    });
    return results.slice(0, limit).map((result) => {
      const s = this.#summaries.get(result.id as string)!;
      return {
        name: s.name,
        description: s.description,
        version: s.version,
        tags: s.tags,
        tools: s.tools,
        health: s.health,
        runs: s.stats.runs,
        successes: s.stats.successes,
        score: result.score,
        importLine: `import { run } from "skills/${s.name}/skill.ts";`,
        params: this.#params.get(s.name) ?? {},
      };
    });
  }
}

/**
 * One hit as the line a model reads: import line, description, arguments, health and run record.
 *
 * @param hit The hit.
 * @returns The line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skillHitLine, type SkillSearchHit } from "./skill_index.ts";
 * const hit = {
 *   name: "add", version: 2, description: "Adds two numbers", health: "ok", runs: 4, successes: 3,
 *   params: { type: "object", properties: { a: {}, b: {} } },
 *   importLine: 'import { run } from "skills/add/skill.ts";',
 * } as unknown as SkillSearchHit;
 * assert.equal(
 *   skillHitLine(hit),
 *   'import { run } from "skills/add/skill.ts"; // skill add v2: Adds two numbers args: { a, b } (3/4 runs ok)',
 * );
 * ```
 */
export function skillHitLine(hit: SkillSearchHit): string {
  const properties = Object.keys((hit.params.properties ?? {}) as object);
  const args = properties.length > 0 ? ` args: { ${properties.join(", ")} }` : "";
  const health = hit.health === "ok" ? "" : ` [${hit.health}]`;
  const record = hit.runs > 0 ? ` (${hit.successes}/${hit.runs} runs ok)` : "";
  return `${hit.importLine} // skill ${hit.name} v${hit.version}: ${hit.description}${args}${health}${record}`;
}
