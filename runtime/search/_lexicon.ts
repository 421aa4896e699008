/**
 * Query-side lexical knowledge: WordNet synonyms and phrasal verbs (the precomputed table in `_synonyms.json`, built
 * by `bench/build_synonyms.ts`), and the field's abbreviations. Each expansion carries a weight below that of the
 * words typed.
 *
 * @module
 */

import table from "./_synonyms.json" with { type: "json" };
import { ABBREVIATIONS } from "./_abbreviations.ts";

/** Weights of expanded terms against a typed word (1). */
export const LEXICON_WEIGHTS = {
  abbreviation: 0.9,
  phrasal: 0.5,
  synonym: 0.3,
} as const;

/** Particles of English phrasal verbs ("give back", "set up", "shut down"). */
const PARTICLES: ReadonlySet<string> = new Set([
  "about",
  "along",
  "around",
  "away",
  "back",
  "down",
  "forward",
  "in",
  "off",
  "on",
  "out",
  "over",
  "through",
  "up",
]);

/** How many words may stand between a verb and its particle ("give the money back"). */
const PARTICLE_GAP = 3;

const entries = table as unknown as Record<string, string | number>;

/** Synonyms of a WordNet lemma (or phrasal verb) that occur in tool corpora, or `undefined`. */
function lookup(lemma: string): string[] | undefined {
  if (!Object.hasOwn(entries, lemma)) return undefined;
  const value = entries[lemma];
  return typeof value === "string" && value !== "" ? value.split(" ") : undefined;
}

/**
 * The dictionary form of an inflected English word, as far as the table knows it: `undoing` gives `undo`,
 * `commits` gives `commit`, `stashed` gives `stash` (WordNet's detachment rules, without its exception lists).
 *
 * @param word A lowercase word.
 * @returns The first candidate the table holds, or the word itself.
 */
export function lemmaOf(word: string): string {
  if (lookup(word) !== undefined) return word;
  const candidates: string[] = [];
  const rules: [string, string][] = [
    ["ies", "y"],
    ["es", "e"],
    ["es", ""],
    ["s", ""],
    ["ing", "e"],
    ["ing", ""],
    ["ed", "e"],
    ["ed", ""],
  ];
  for (const [suffix, replacement] of rules) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
      const base = word.slice(0, -suffix.length);
      candidates.push(base + replacement);
      // "stopped" -> "stop", "running" -> "run"
      if (replacement === "" && /(.)\1$/.test(base)) candidates.push(base.slice(0, -1));
    }
  }
  return candidates.find((c) => lookup(c) !== undefined) ?? word;
}

/** A term the query also looks up, with its weight. */
export interface Expansion {
  term: string;
  weight: number;
}

/**
 * The words a query also looks up: abbreviations spelled out, WordNet synonyms of each word, and synonyms of the
 * phrasal verbs it contains.
 *
 * @param words The query's words, lowercase, in order, stop words included (particles are stop words).
 * @param options Which kinds to include (all by default).
 * @returns The expansions, unweighted duplicates included (the caller keeps the highest weight of a term).
 */
export function expandWords(
  words: readonly string[],
  options: {
    synonyms?: boolean;
    abbreviations?: boolean;
    /** Whether a word gets synonyms (all by default); phrasal verbs and abbreviations always do. */
    expand?: (word: string) => boolean;
  } = {},
): Expansion[] {
  const out: Expansion[] = [];
  const { synonyms = true, abbreviations = true, expand = () => true } = options;
  words.forEach((word, i) => {
    if (abbreviations) {
      for (const term of ABBREVIATIONS.get(word) ?? []) {
        out.push({ term, weight: LEXICON_WEIGHTS.abbreviation });
      }
    }
    if (!synonyms) return;
    const lemma = lemmaOf(word);
    const found = expand(word) ? lookup(lemma) : undefined;
    for (const term of found ?? []) out.push({ term, weight: LEXICON_WEIGHTS.synonym });
    for (let j = i + 1; j <= i + 1 + PARTICLE_GAP && j < words.length; j++) {
      if (!PARTICLES.has(words[j]!)) continue;
      const phrasal = lookup(`${lemma} ${words[j]}`);
      for (const term of phrasal ?? []) {
        out.push({ term, weight: LEXICON_WEIGHTS.phrasal });
      }
    }
  });
  return out;
}

/**
 * Whether the dictionary table knows a word (in any inflection), i.e. it is an English word rather than a name,
 * an identifier or a value.
 *
 * @param word A lowercase word.
 * @returns `true` when the word's lemma is a key of the table.
 */
export function isDictionaryWord(word: string): boolean {
  return lookup(lemmaOf(word)) !== undefined;
}
