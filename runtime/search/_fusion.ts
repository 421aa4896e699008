/**
 * Ways of combining rankings: learned use added to BM25 scores, and reciprocal rank fusion.
 *
 * @module
 */

/** The `k` of reciprocal rank fusion (Cormack et al. 2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

/** A ranked tool. */
export interface Scored {
  name: string;
  score: number;
}

/**
 * Adds learned use to BM25 scores. A tool's coverage is the share of the query's learnable terms that earlier
 * searches led to it (each term counting up to 1 by its decayed weight). Its score becomes
 * `max(bm25 * (1 + coverage), best * 1.05 * coverage^2)`, `best` being the query's best BM25 score: a query whose
 * words all led to a tool before ranks it first, one word in common only nudges it.
 *
 * @param ranked BM25 ranking, best first.
 * @param coverage Coverage per tool name, in [0, 1].
 * @returns The combined ranking, best first (ties by name).
 */
export function addLearned(
  ranked: readonly Scored[],
  coverage: ReadonlyMap<string, number>,
): Scored[] {
  if (coverage.size === 0) return [...ranked];
  const best = ranked[0]?.score ?? 1;
  const scores = new Map(ranked.map(({ name, score }) => [name, score]));
  for (const [name, share] of coverage) {
    const lexical = scores.get(name) ?? 0;
    scores.set(name, Math.max(lexical * (1 + share), best * 1.05 * share * share));
  }
  return sortScored(scores);
}

/**
 * Reciprocal rank fusion: each tool scores `sum 1 / (RRF_K + rank)` over the rankings it appears in.
 *
 * @param rankings Rankings of tool names, best first.
 * @returns The fused ranking, best first (ties by name).
 */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[]): Scored[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((name, i) => scores.set(name, (scores.get(name) ?? 0) + 1 / (RRF_K + i + 1)));
  }
  return sortScored(scores);
}

/**
 * Cosine similarity of two vectors of the same length.
 *
 * @param a A vector.
 * @param b Another.
 * @returns The similarity in [-1, 1]; 0 when either is all zeros.
 */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function sortScored(scores: Map<string, number>): Scored[] {
  return [...scores].map(([name, score]) => ({ name, score })).sort((a, b) =>
    b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}
