/**
 * Turns a query into weighted index terms: the words typed (weight 1) and their stems, the hand-picked verb
 * synonyms, and the lexicon's expansions (abbreviations, WordNet synonyms, broader words, phrasal verbs) at lower
 * weights.
 *
 * @module
 */

import { isStopWord, porterStem, queryTerms, splitWords, stem, synonymsOf } from "./_analyze.ts";
import { expandWords, isDictionaryWord } from "./_lexicon.ts";
import type { RankingOptions } from "./types.ts";

/** Weight of a hand-picked verb synonym ("create" for "add") against the typed word. */
const VERB_SYNONYM_WEIGHT = 0.4;

/** A query, analyzed. */
export interface AnalyzedQuery {
  /** The query's words, lowercase, stop words included. */
  words: string[];
  /** Index terms of the typed words (looked up with prefix and typo tolerance). */
  typed: Set<string>;
  /** Every term to look up, with its weight (the highest when a term comes several ways). */
  weights: Map<string, number>;
}

/**
 * Analyzes a query.
 *
 * @param query The query as typed.
 * @param options The ranking features in use and the index's stemmer.
 * @returns The words, the typed terms and every weighted term.
 */
export function analyzeQuery(
  query: string,
  options: {
    ranking: Required<RankingOptions>;
    /** Whether the index holds a term; words it holds are not expanded with synonyms. */
    known?: (term: string) => boolean;
  },
): AnalyzedQuery {
  const { ranking, known = () => false } = options;
  const stems = (word: string): string[] => {
    const out = [word, stem(word)];
    if (ranking.stems) out.push(porterStem(word));
    return out;
  };
  const words = splitWords(query);
  const typed = new Set<string>();
  const weights = new Map<string, number>();
  const add = (term: string, weight: number): void => {
    if (isStopWord(term)) return;
    if ((weights.get(term) ?? 0) < weight) weights.set(term, weight);
  };
  for (const word of words) {
    if (queryTerms(word) === null) continue;
    for (const term of stems(word)) {
      typed.add(term);
      add(term, 1);
    }
  }
  for (const term of [...typed]) {
    for (const synonym of synonymsOf(term)) {
      for (const term of stems(synonym)) add(term, VERB_SYNONYM_WEIGHT);
    }
  }
  const expansions = expandWords(words, {
    expand: (word) => !stems(word).some(known),
    synonyms: ranking.synonyms,
    abbreviations: ranking.abbreviations,
  });
  for (const { term, weight } of expansions) {
    for (const each of stems(term)) add(each, weight);
  }
  return { words, typed, weights };
}

/**
 * A server-name word counts as naming the server only when at most this many tools of other servers hold it (so
 * "notion" names Notion, but "search" in `brave-search` names nothing).
 */
const SERVER_WORD_ELSEWHERE = 2;

/**
 * The servers a query names: a word of a server's name that the query says and that few tools of other servers
 * hold.
 *
 * @param words The query's words.
 * @param index The servers with their tool counts, and how many tools hold a (plural-folded) term.
 * @returns The names of the servers named.
 */
export function namedServers(
  words: readonly string[],
  index: { servers: { name: string; toolCount: number }[]; holders: (term: string) => number },
): Set<string> {
  const named = new Set<string>();
  const said = new Set(words);
  for (const { name, toolCount } of index.servers) {
    for (const part of splitWords(name)) {
      if (part.length < 2 || isStopWord(part) || !said.has(part)) continue;
      if (index.holders(stem(part)) - toolCount <= SERVER_WORD_ELSEWHERE) named.add(name);
    }
  }
  return named;
}

/**
 * The words of a query that use may be learned for: typed words of letters only, plural-folded, that the index
 * (`known`) or the dictionary knows.
 *
 * @param query A query.
 * @param known Whether the index holds a term.
 * @returns The terms, without duplicates.
 */
export function learnableTerms(query: string, known: (term: string) => boolean): string[] {
  const terms = new Set<string>();
  for (const word of splitWords(query)) {
    if (isStopWord(word) || !/^[a-z]+$/.test(word)) continue;
    const term = stem(word);
    if (known(term) || known(word) || isDictionaryWord(word)) terms.add(term);
  }
  return [...terms];
}
