/**
 * Token counting for the figures that compare code execution with classic tool calling.
 *
 * The default tokenizer is OpenAI's `o200k_base` encoding, through `gpt-tokenizer` (pure JavaScript, its rank
 * tables ship in the package, so nothing is fetched at run time). `o200k_base` is the encoding of current OpenAI
 * models (GPT-4o, o1, o3, GPT-4.1); Claude's tokenizer is not public, so a public, offline, modern BPE encoding is
 * the honest proxy, and anyone can reproduce the numbers. Another tokenizer can be swapped in with
 * {@linkcode setTokenizer}.
 *
 * Why `gpt-tokenizer` and not `js-tiktoken`: both give the same counts, but js-tiktoken's byte-pair merge is
 * quadratic in the length of a pre-token (2,000 letters without a space took a second), and a tool result or an
 * agent's return value can hold such runs (base64, hashes, minified code, or on purpose). `gpt-tokenizer` counts
 * ordinary text 10 to 80 times faster and base64 in linear time.
 *
 * Counting is done piece by piece, cut where the count is unchanged (see {@linkcode countTokensAsync}). Two bounds
 * keep hostile text cheap, at the price of exactness only where they apply: a run of more than 4,096 characters
 * with no place to cut (e.g. one repeated character) is cut every 4,096 characters, each cut adding at most one
 * token; and a text over 1,000,000 characters is counted exactly up to there and extrapolated for the rest.
 *
 * @module
 */

import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/**
 * A function that counts tokens, with the name reports print beside the figures.
 *
 * @example Count words instead of o200k tokens
 * ```ts
 * import { countTokens, setTokenizer, type Tokenizer } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const words: Tokenizer = { name: "words", count: (text) => text.split(/\s+/).filter(Boolean).length };
 * const previous = setTokenizer(words);
 * assert.equal(countTokens("one two three"), 3);
 * setTokenizer(previous);
 * ```
 */
export interface Tokenizer {
  /** Short name shown in reports, e.g. `"o200k_base"`. */
  readonly name: string;
  /** Returns the number of tokens `text` encodes to. */
  count(text: string): number;
  /**
   * Whether counts add up over the pieces this module cuts a long text into (after a newline followed by a visible
   * character, or between a letter or digit and a punctuation mark). True for BPE encodings whose pre-tokenizer
   * never joins across those places, such as `o200k_base`; a tokenizer without it is counted whole.
   */
  readonly additiveAtWordBoundaries?: boolean;
}

/** A text longer than this is counted exactly up to here and extrapolated for the rest. */
export const MAX_EXACT_CHARS = 1_000_000;
/** A run with no place to cut is cut every this many characters. */
const HARD_CUT_CHARS = 4_096;

/**
 * The default tokenizer: OpenAI's `o200k_base` encoding. Special-token text such as `<|endoftext|>` is counted as
 * ordinary text, as it would be inside a tool result.
 *
 * @example Count with the default tokenizer directly
 * ```ts
 * import { o200kTokenizer } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(o200kTokenizer.name, "o200k_base");
 * assert.equal(o200kTokenizer.count("hello world"), 2);
 * ```
 */
export const o200kTokenizer: Tokenizer = {
  name: "o200k_base",
  additiveAtWordBoundaries: true,
  count(text: string): number {
    return text === ""
      ? 0
      : countO200k(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() });
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
 * import { countTokens } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(countTokens("hello world"), 2);
 * ```
 */
export function countTokens(text: string): number {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot count tokens: expected a string, got ${typeof text}`);
  }
  const tokenizer = current;
  if (tokenizer.additiveAtWordBoundaries !== true) return tokenizer.count(text);
  let total = 0;
  for (const [start, end] of pieces(text, PIECE_CHARS)) {
    total += tokenizer.count(text.slice(start, end));
  }
  return extrapolate(total, text.length);
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
const SPACE = /\s/;
const PIECE_CHARS = 8_192;
/** How long {@linkcode countTokensAsync} counts before it lets other work run. */
const YIELD_AFTER_MS = 4;

function isWordChar(code: number, char: string): boolean {
  if (code < 128) {
    return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  }
  return WORD_CHAR.test(char);
}

function isPunctuation(code: number, char: string): boolean {
  if (code < 128) {
    return code > 32 && code !== 39 && code !== 47 && code !== 127 && !isWordChar(code, char);
  }
  return PUNCTUATION.test(char);
}

/**
 * Whether the count is unchanged by cutting `text` just before index `i`: after a newline that a visible character
 * (not `/`) follows, or between a letter or digit and a punctuation mark (not an apostrophe or `/`). In
 * `o200k_base`'s pre-tokenizer no piece spans either place, and BPE merges never cross pieces.
 */
function isExactCut(text: string, i: number): boolean {
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i);
  if (before === 10) return after !== 47 && !(after < 128 ? after <= 32 : SPACE.test(text[i]!));
  return isWordChar(before, text[i - 1]!) && isPunctuation(after, text[i]!);
}

/**
 * The `[start, end)` pieces a text is counted in, each about `size` characters. Pieces end at exact cuts, and a run
 * with none for HARD_CUT_CHARS characters is cut there, counted from the run's start, so where the cuts fall does
 * not depend on `size` and every way of counting gives the same number.
 */
function* pieces(text: string, size: number): Generator<[number, number]> {
  const limit = Math.min(text.length, MAX_EXACT_CHARS);
  if (limit <= HARD_CUT_CHARS) {
    yield [0, limit];
    return;
  }
  let start = 0;
  let runStart = 0;
  let lastCut = 0;
  for (let i = 1; i < limit; i++) {
    const exact = isExactCut(text, i);
    if (!exact && i - runStart < HARD_CUT_CHARS) continue;
    runStart = i;
    if (!exact) {
      // A hard cut is always a piece boundary, so every way of counting cuts the run in the same places.
      yield [start, i];
      start = i;
    } else if (i - start >= size) {
      if (lastCut > start) {
        yield [start, lastCut];
        start = lastCut;
      }
      if (i - start >= size) {
        yield [start, i];
        start = i;
      }
    }
    lastCut = i;
  }
  if (start < limit) yield [start, limit];
}

function extrapolate(counted: number, length: number): number {
  return length <= MAX_EXACT_CHARS ? counted : Math.round(counted * (length / MAX_EXACT_CHARS));
}

/**
 * Counts like {@linkcode countTokens}, without holding the event loop for long: the text is counted in pieces of
 * about `chunkChars` characters, and after every 4 ms of counting the event loop gets a turn.
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
  if (tokenizer.additiveAtWordBoundaries !== true) return tokenizer.count(text);
  let total = 0;
  let since = performance.now();
  for (const [start, end] of pieces(text, options.chunkChars ?? PIECE_CHARS)) {
    // Short texts never wait; a long one lets other work run after every few milliseconds of counting.
    if (performance.now() - since > YIELD_AFTER_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      since = performance.now();
    }
    total += tokenizer.count(text.slice(start, end));
  }
  return extrapolate(total, text.length);
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
 * import { countTokens, setTokenizer } from "@mcp-executor/runtime";
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
 * import { getTokenizerName } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getTokenizerName(), "o200k_base");
 * ```
 */
export function getTokenizerName(): string {
  return current.name;
}
