/**
 * Ways of combining rankings: learned use added to BM25 scores, and an embedding's similarities blended in.
 *
 * @module
 */

/**
 * Weight of the embedding's standard scores against BM25 scaled to the query's best hit (1). Tuned on the tune part
 * of `bench/search_queries.json` with the Universal Sentence Encoder (0.15 to 0.3 rank alike; reciprocal rank fusion
 * ranked worse there, see docs/benchmarks.md).
 */
export const SEMANTIC_WEIGHT = 0.2;

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
 * Blends an embedding's similarities into BM25 scores: a tool scores `bm25 / best + SEMANTIC_WEIGHT * z`, `best`
 * being the query's best BM25 score and `z` the tool's similarity in standard deviations from the mean over all
 * tools. Both parts are free of the scales of BM25 and of the model, so the weight holds for any embedding; a tool no
 * query word matches can still rank by meaning alone.
 *
 * @param lexical BM25 ranking (with learned use), best first.
 * @param semantic Similarity of every candidate tool to the query, any order.
 * @returns The blended ranking, best first (ties by name).
 */
export function blendSemantic(lexical: readonly Scored[], semantic: readonly Scored[]): Scored[] {
  const best = lexical[0]?.score ?? 0;
  const scores = new Map(lexical.map(({ name, score }) => [name, best > 0 ? score / best : 0]));
  const n = semantic.length;
  const mean = semantic.reduce((sum, s) => sum + s.score, 0) / Math.max(n, 1);
  const variance = semantic.reduce((sum, s) => sum + (s.score - mean) ** 2, 0) / Math.max(n, 1);
  const deviation = Math.sqrt(variance);
  if (deviation > 0) {
    for (const { name, score } of semantic) {
      scores.set(name, (scores.get(name) ?? 0) + SEMANTIC_WEIGHT * (score - mean) / deviation);
    }
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
