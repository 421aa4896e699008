/**
 * Token counting for the benchmarks that compare code execution with classic tool calling.
 *
 * The default tokenizer is OpenAI's `o200k_base` encoding (through js-tiktoken's lite build and its bundled ranks,
 * so nothing is fetched at run time). `o200k_base` is the encoding of current OpenAI models (GPT-4o, o1, o3,
 * GPT-4.1); Claude's tokenizer is not public, so a public, offline, modern BPE encoding is the honest proxy: it
 * counts the same JSON and TypeScript text the way a current model's tokenizer does, within a few percent, and
 * anyone can reproduce the numbers. Another tokenizer can be swapped in with {@linkcode setTokenizer}.
 *
 * @module
 */

import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";

/** A function that counts tokens, with the name reports print beside the figures. */
export interface Tokenizer {
  /** Short name shown in reports, e.g. `"o200k_base"`. */
  readonly name: string;
  /** Returns the number of tokens `text` encodes to. */
  count(text: string): number;
  /**
   * Whether counts add up over the pieces {@linkcode countTokensAsync} cuts a long text into (cuts after a newline
   * followed by a visible character, or between a letter or digit and a punctuation mark). True for BPE encodings
   * whose pre-tokenizer never joins across those places, such as `o200k_base`; a tokenizer without it is counted
   * whole.
   */
  readonly additiveAtWordBoundaries?: boolean;
}

let encoder: Tiktoken | undefined;

/**
 * The default tokenizer: OpenAI's `o200k_base` encoding. Its rank table is decoded on the first count (about a
 * second) and the encoder is kept for the life of the process. Special-token text such as `<|endoftext|>` is
 * counted as ordinary text, as it would be inside a tool result.
 *
 * @example Count with the default tokenizer directly
 * ```ts
 * import { o200kTokenizer } from "./tokens.ts";
 *
 * console.log(o200kTokenizer.name, o200kTokenizer.count("hello world")); // o200k_base 2
 * ```
 */
export const o200kTokenizer: Tokenizer = {
  name: "o200k_base",
  additiveAtWordBoundaries: true,
  count(text: string): number {
    if (text === "") return 0;
    encoder ??= new Tiktoken(o200kBase);
    return encoder.encode(text, [], []).length;
  },
};

let current: Tokenizer = o200kTokenizer;

/**
 * Counts the tokens of a text with the current tokenizer (`o200k_base` unless {@linkcode setTokenizer} changed it).
 *
 * @param text The text to count.
 * @returns The number of tokens; 0 for the empty string.
 * @throws {TypeError} If `text` is not a string.
 *
 * @example Count a short text
 * ```ts
 * import { countTokens } from "./tokens.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(countTokens("hello world"), 2);
 * ```
 */
export function countTokens(text: string): number {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot count tokens: expected a string, got ${typeof text}`);
  }
  return current.count(text);
}

/**
 * Counts the tokens of a value serialized the way a model receives it: compact `JSON.stringify` output.
 *
 * @param value Any JSON-serializable value.
 * @returns The number of tokens of `JSON.stringify(value)`; 0 when it serializes to nothing (`undefined`, a
 * function, a symbol).
 *
 * @example Count a tool definition
 * ```ts
 * import { countJsonTokens } from "./tokens.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(countJsonTokens({ name: "read_file" }), 6);
 * assert.equal(countJsonTokens(undefined), 0);
 * ```
 */
export function countJsonTokens(value: unknown): number {
  const json: string | undefined = JSON.stringify(value);
  return json === undefined ? 0 : countTokens(json);
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const PUNCTUATION = /[^\s\p{L}\p{N}\p{M}'\/]/u;

/**
 * Where a long text may be cut without changing its token count: just after a newline that a visible character
 * (not `/`) follows, or between a letter or digit and a punctuation mark (not an apostrophe or `/`). In `o200k_base`'s
 * pre-tokenizer no piece spans either place, and BPE merges never cross pieces.
 */
function cutPoint(text: string, from: number, to: number): number {
  for (let i = to; i > from; i--) {
    const before = text[i - 1]!;
    const after = text[i]!;
    if (before === "\n" && after !== "/" && !/\s/.test(after)) return i;
    if (WORD_CHAR.test(before) && PUNCTUATION.test(after)) return i;
  }
  return -1;
}

/**
 * Counts like {@linkcode countTokens}, without holding the event loop: a long text is counted in pieces of about
 * `chunkChars` characters, cut where the count is unchanged, with a pause between pieces so other work runs.
 * Counting starts after the current task of the event loop, so a caller can answer first and count later.
 *
 * @param text The text to count.
 * @param options `chunkChars`: the piece size, default 8,192.
 * @returns The same number {@linkcode countTokens} gives.
 * @throws {TypeError} If `text` is not a string.
 *
 * @example
 * ```ts
 * import { countTokens, countTokensAsync } from "./tokens.ts";
 * import assert from "node:assert/strict";
 * const text = "id,name\n" + Array.from({ length: 2_000 }, (_, i) => `${i},row ${i}`).join("\n");
 * assert.equal(await countTokensAsync(text), countTokens(text));
 * ```
 */
export async function countTokensAsync(
  text: string,
  options: { chunkChars?: number } = {},
): Promise<number> {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot count tokens: expected a string, got ${typeof text}`);
  }
  const tokenizer = current;
  const chunk = options.chunkChars ?? 8_192;
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (text.length <= chunk || tokenizer.additiveAtWordBoundaries !== true) {
    return tokenizer.count(text);
  }
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + chunk);
    if (end < text.length) {
      const cut = cutPoint(text, start + Math.floor(chunk / 2), end);
      end = cut === -1 ? text.length : cut;
    }
    total += tokenizer.count(text.slice(start, end));
    start = end;
    if (start < text.length) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return total;
}

/**
 * Counts like {@linkcode countJsonTokens}, without holding the event loop (see {@linkcode countTokensAsync}).
 *
 * @param value Any JSON-serializable value.
 * @returns The same number {@linkcode countJsonTokens} gives.
 */
export function countJsonTokensAsync(value: unknown): Promise<number> {
  const json: string | undefined = JSON.stringify(value);
  return json === undefined ? Promise.resolve(0) : countTokensAsync(json);
}

/**
 * Replaces the tokenizer that {@linkcode countTokens} and {@linkcode countJsonTokens} use, for the whole process.
 *
 * @param tokenizer The tokenizer to use from now on; pass {@linkcode o200kTokenizer} to restore the default.
 * @returns The tokenizer that was in use before, so that a caller can put it back.
 * @throws {TypeError} If `tokenizer` has no `name` string or no `count` function.
 *
 * @example Count words instead of tokens, then restore
 * ```ts
 * import { countTokens, setTokenizer } from "./tokens.ts";
 * import assert from "node:assert/strict";
 *
 * const previous = setTokenizer({ name: "words", count: (t) => t.split(/\s+/).filter(Boolean).length });
 * assert.equal(countTokens("one two three"), 3);
 * setTokenizer(previous);
 * ```
 */
export function setTokenizer(tokenizer: Tokenizer): Tokenizer {
  if (typeof tokenizer?.name !== "string" || typeof tokenizer.count !== "function") {
    throw new TypeError(
      "Cannot set tokenizer: expected an object with a name and a count function",
    );
  }
  const previous = current;
  current = tokenizer;
  return previous;
}

/**
 * Returns the name of the tokenizer in use, for reports.
 *
 * @returns The current tokenizer's name, `"o200k_base"` by default.
 *
 * @example
 * ```ts
 * import { getTokenizerName } from "./tokens.ts";
 *
 * console.log(getTokenizerName()); // o200k_base
 * ```
 */
export function getTokenizerName(): string {
  return current.name;
}
