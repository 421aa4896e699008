/**
 * Ranking quality of tool search on the query set in `bench/search_queries.json`: top-1, top-3, top-10 and MRR per
 * label (plain, paraphrase, cross-server) and split (tune, held out). Used by `bench/search_bench.ts`.
 *
 * @module
 */

import { ToolFinder } from "../runtime/search/mod.ts";
import { ToolIndex } from "../runtime/search/mod.ts";
import type { RankingOptions, ToolIndexEntry } from "../runtime/search/mod.ts";
import { UsageMemory } from "../runtime/search/mod.ts";
import { benchEmbed } from "./_search_embed.ts";

/** One query of the set. */
export interface LabelledQuery {
  query: string;
  /** Every acceptable `server.tool`. */
  answers: string[];
  label: "plain" | "paraphrase" | "cross-server";
  /** `heldout` queries are never used to tune the ranking. */
  split: "tune" | "heldout";
}

/** Quality of one group of queries. */
export interface Quality {
  count: number;
  top1: number;
  top3: number;
  top10: number;
  mrr: number;
}

/** Quality per group: `all`, each label, each split, and `heldout/<label>`. */
export type QualityReport = Record<string, Quality>;

/**
 * Reads the query set.
 *
 * @returns The queries in file order.
 */
export async function loadQueries(): Promise<LabelledQuery[]> {
  const file = new URL("./search_queries.json", import.meta.url);
  return (JSON.parse(await Deno.readTextFile(file)) as { queries: LabelledQuery[] }).queries;
}

/**
 * Ranks every query and scores the ranking.
 *
 * @param queries The query set.
 * @param rank Returns `server.tool` names, best first (at least 10 when there are).
 * @returns Quality per group.
 */
export function measureQuality(
  queries: readonly LabelledQuery[],
  rank: (query: string) => string[],
): QualityReport {
  const groups = new Map<string, number[]>();
  const add = (group: string, position: number): void => {
    const list = groups.get(group) ?? [];
    list.push(position);
    groups.set(group, list);
  };
  for (const q of queries) {
    const names = rank(q.query);
    const position = names.findIndex((name) => q.answers.includes(name)) + 1; // 0: not found
    add("all", position);
    add(q.label, position);
    add(q.split, position);
    add(`${q.split}/${q.label}`, position);
  }
  const report: QualityReport = {};
  for (const [group, positions] of groups) {
    const n = positions.length;
    const within = (k: number): number => positions.filter((p) => p >= 1 && p <= k).length / n;
    report[group] = {
      count: n,
      top1: within(1),
      top3: within(3),
      top10: within(10),
      mrr: positions.reduce((sum, p) => sum + (p === 0 ? 0 : 1 / p), 0) / n,
    };
  }
  return report;
}

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * One table row per configuration: held-out top-1/3/10, held-out paraphrase top-3, tune top-3 and MRR.
 *
 * @param rows Configuration name and its report, in order.
 * @returns Markdown table lines.
 */
export function configurationTable(rows: readonly [string, QualityReport][]): string[] {
  const lines = [
    "| configuration | held-out top-1 | held-out top-3 | held-out top-10 | held-out MRR | held-out paraphrase top-3 | tune top-3 | all top-3 |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, r] of rows) {
    const h = r.heldout!;
    lines.push(
      `| ${name} | ${percent(h.top1)} | ${percent(h.top3)} | ${percent(h.top10)} | ${
        h.mrr.toFixed(3)
      } | ${percent(r["heldout/paraphrase"]!.top3)} | ${percent(r.tune!.top3)} | ${
        percent(r.all!.top3)
      } |`,
    );
  }
  return lines;
}

/**
 * The detailed table of one report: a row per label and split.
 *
 * @param report A report from {@linkcode measureQuality}.
 * @returns Markdown table lines.
 */
export function detailTable(report: QualityReport): string[] {
  const lines = [
    "| queries | n | top-1 | top-3 | top-10 | MRR |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const order = ["all", "tune", "heldout"].flatMap((
    split,
  ) => [split, ...["plain", "paraphrase", "cross-server"].map((l) => `${split}/${l}`)]).map((g) =>
    g.replace(/^all\//, "")
  );
  for (const group of order) {
    const q = report[group];
    if (q === undefined) continue;
    lines.push(
      `| ${group} | ${q.count} | ${percent(q.top1)} | ${percent(q.top3)} | ${percent(q.top10)} | ${
        q.mrr.toFixed(3)
      } |`,
    );
  }
  return lines;
}

/** One configuration of the ranking, as a row of the table. */
export interface Configuration {
  name: string;
  /** Builds a ranking function (names best first) over the entries. */
  build(entries: readonly ToolIndexEntry[], queries: readonly LabelledQuery[]): Promise<Ranker>;
}

/** Ranks one query: `server.tool` names, best first. */
export type Ranker = (query: string) => Promise<string[]> | string[];

const OFF: RankingOptions = {
  stems: false,
  synonyms: false,
  abbreviations: false,
  serverNames: false,
};

function lexical(name: string, ranking: RankingOptions): Configuration {
  return {
    name,
    build: (entries) => {
      const index = ToolIndex.from(entries, { ranking });
      return Promise.resolve((q) =>
        index.search(q, { detail: "name", limit: 10 }).map((h) => h.name)
      );
    },
  };
}

/** The table's rows: each way in added in turn, then each removed from the default, then use and an embedding. */
export const CONFIGURATIONS: readonly Configuration[] = [
  lexical("baseline (BM25, name parts, plural folding, 7 verb synonym groups)", OFF),
  lexical("+ Porter stems", { ...OFF, stems: true }),
  lexical("+ WordNet synonyms and phrasal verbs", { ...OFF, stems: true, synonyms: true }),
  lexical("+ abbreviations", {
    stems: true,
    synonyms: true,
    abbreviations: true,
    serverNames: false,
  }),
  lexical("+ server names = **default**", {}),
  lexical("default without Porter stems", { stems: false }),
  lexical("default without WordNet", { synonyms: false }),
  lexical("default without abbreviations", { abbreviations: false }),
  lexical("default without server names", { serverNames: false }),
  {
    name: "default + learning from use (each tune query followed by a call of its first answer)",
    build: (entries, queries) => {
      const finder = new ToolFinder(ToolIndex.from(entries), { usage: new UsageMemory() });
      queries.filter((q) => q.split === "tune").forEach((q, i) => {
        finder.find(q.query, { session: `s${i}` });
        finder.taskFinished(`s${i}`, [q.answers[0]!]);
      });
      return Promise.resolve((q) =>
        finder.find(q, { detail: "name", limit: 10 }).map((h) => h.name)
      );
    },
  },
  {
    name:
      "default + embed: Universal Sentence Encoder lite, offline (`universalSentenceEncoder()`)",
    build: (entries) => {
      const finder = new ToolFinder(ToolIndex.from(entries), { embed: benchEmbed });
      return Promise.resolve(async (q) =>
        (await finder.findAsync(q, { detail: "name", limit: 10 })).map((h) => h.name)
      );
    },
  },
];

/**
 * Runs every configuration over the query set.
 *
 * @param entries The corpus.
 * @param queries The query set.
 * @returns One report per configuration, in order.
 */
export async function runConfigurations(
  entries: readonly ToolIndexEntry[],
  queries: readonly LabelledQuery[],
): Promise<[string, QualityReport][]> {
  const rows: [string, QualityReport][] = [];
  for (const configuration of CONFIGURATIONS) {
    const rank = await configuration.build(entries, queries);
    const ranked = new Map<string, string[]>();
    for (const q of queries) ranked.set(q.query, await rank(q.query));
    rows.push([configuration.name, measureQuality(queries, (q) => ranked.get(q)!)]);
  }
  return rows;
}
