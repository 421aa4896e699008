/**
 * Text analysis shared by the index and the queries, so that both sides split and normalize words the same way.
 *
 * @module
 */

import { stemmer } from "stemmer";

/** Words too common to tell tools apart; dropped from documents and queries alike. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "can",
  "do",
  "for",
  "from",
  "i",
  "if",
  "in",
  "into",
  "is",
  "it",
  "its",
  "me",
  "my",
  "of",
  "on",
  "or",
  "so",
  "that",
  "the",
  "their",
  "them",
  "then",
  "this",
  "to",
  "use",
  "was",
  "we",
  "what",
  "when",
  "which",
  "will",
  "with",
  "you",
  "your",
]);

/**
 * Verbs that servers use interchangeably in tool names: a query with one also looks up the others, at a lower
 * weight, so that "add relation" finds `create_relations` and "run sql" finds `execute_sql`.
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ["add", "create", "insert"],
  ["delete", "remove", "drop"],
  ["get", "fetch", "retrieve"],
  ["update", "modify", "edit"],
  ["search", "find", "lookup"],
  ["run", "execute", "exec"],
  ["send", "post"],
];

const SYNONYMS: ReadonlyMap<string, readonly string[]> = new Map(
  SYNONYM_GROUPS.flatMap((group) => group.map((word) => [word, group.filter((w) => w !== word)])),
);

/**
 * Splits an identifier or a sentence into lowercase words: snake_case, kebab-case, camelCase, PascalCase,
 * dotted names and ordinary punctuation all separate words (`"getPullRequest_files"` gives
 * `["get", "pull", "request", "files"]`, `"HTMLParser"` gives `["html", "parser"]`).
 *
 * @param text An identifier or free text.
 * @returns The words, lowercased, in order; empty when `text` has no letters or digits.
 */
export function splitWords(text: string): string[] {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== "");
}

/**
 * Folds English plurals with Harman's S-stemmer (`entities` and `entity` meet, `files` and `file`, `issues` and
 * `issue`), which is conservative enough never to merge unrelated tool words.
 *
 * @param word A lowercase word from {@linkcode splitWords}.
 * @returns The stem; the word itself when it is not a plural.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && !word.endsWith("eies") && !word.endsWith("aies")) {
    return word.slice(0, -3) + "y";
  }
  if (word.endsWith("es") && !/(?:aes|ees|oes)$/.test(word)) return word.slice(0, -1);
  if (word.endsWith("s") && !word.endsWith("us") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/**
 * Reduces an English word to its Porter stem (`deployment` and `deploys` give `deploy`, `entities` gives
 * `entiti`), through the `stemmer` package. Words with digits and words of up to three letters are kept.
 *
 * @param word A lowercase word from {@linkcode splitWords}.
 * @returns The stem.
 */
export function porterStem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let stemmed = PORTER_CACHE.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    if (PORTER_CACHE.size >= PORTER_CACHE_SIZE) PORTER_CACHE.clear();
    PORTER_CACHE.set(word, stemmed);
  }
  return stemmed;
}

/** Stems already computed: tool corpora repeat their words, and stemming is most of the cost of indexing. */
const PORTER_CACHE = new Map<string, string>();
const PORTER_CACHE_SIZE = 50_000;

/** A stemming function: {@linkcode stem} (plurals only) or {@linkcode porterStem}. */
export type Stemmer = (word: string) => string;

/**
 * Turns one word of an indexed field into its index term. Words of the field named `exactField` are kept as
 * written, so that a singular query word ("file") matches `read_text_file` exactly but `read_multiple_files` only
 * through the stemmed copy of the name; every other field is stemmed.
 *
 * @param word A lowercase word from {@linkcode splitWords}.
 * @param field The field the word comes from.
 * @param options The field whose words are not stemmed, and the stemmer (default {@linkcode stem}).
 * @returns The term, or `null` for a stop word.
 */
export function indexTerm(
  word: string,
  field: string | undefined,
  options: { exactField: string; stemmer?: Stemmer },
): string | null {
  if (STOP_WORDS.has(word)) return null;
  return field === options.exactField ? word : (options.stemmer ?? stem)(word);
}

/**
 * Turns one word of a query into the terms to look up: the word as written and its stem, so that it meets both
 * the exact and the stemmed fields.
 *
 * @param word A lowercase word from {@linkcode splitWords}.
 * @param stemmer The stemmer of the index (default {@linkcode stem}).
 * @returns One or two terms, or `null` for a stop word.
 */
export function queryTerms(word: string, stemmer: Stemmer = stem): string[] | null {
  if (STOP_WORDS.has(word)) return null;
  const stemmed = stemmer(word);
  return stemmed === word ? [word] : [word, stemmed];
}

/**
 * Whether a word is a stop word (dropped from documents and queries).
 *
 * @param word A lowercase word.
 * @returns `true` for a stop word.
 */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/**
 * Returns the words a query term also looks up (see the synonym groups above), without the term itself.
 *
 * @param term A query term from {@linkcode queryTerms}.
 * @returns The synonyms; empty for most words.
 */
export function synonymsOf(term: string): readonly string[] {
  return SYNONYMS.get(term) ?? [];
}
