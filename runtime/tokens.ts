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
