/**
 * Checks what `saveSkill` is given before anything is written.
 *
 * @module
 */

import { Validator } from "@cfworker/json-schema";
import type { JsonSchema, SaveSkillInput } from "./types.ts";
import { parseToolRef } from "../tool_ref.ts";

/** What {@linkcode checkSaveInput} returns: the input with defaults filled in. */
export interface CheckedSaveInput {
  description: string;
  code: string;
  tags: string[];
  params: JsonSchema;
  tools: string[];
}

const TAG_RE = /^[^\s]{1,64}$/;

/** The limits and the placeholder pattern a save's input is checked against. */
export interface SaveInputLimits {
  /** The most bytes of code (UTF-8). */
  maxCodeBytes: number;
  /** The privacy vault's placeholders (`[EMAIL_1]`), from `placeholderPattern`; none are looked for without it. */
  placeholders?: RegExp;
}

/**
 * Checks a save's input.
 *
 * @param input What the caller passed.
 * @param what The start of every error message, e.g. `Cannot save skill "x"`.
 * @param limits The code size limit and the placeholder pattern.
 * @returns The checked input, with defaults: no tags, params `{ type: "object" }`, no extra tools.
 * @throws {TypeError} When a field is missing or invalid, or holds a vault placeholder; the message names it.
 * @throws {RangeError} When the code is over `maxCodeBytes`.
 */
export function checkSaveInput(
  input: SaveSkillInput,
  what: string,
  limits: SaveInputLimits = { maxCodeBytes: Infinity },
): CheckedSaveInput {
  if (input === null || typeof input !== "object") {
    throw new TypeError(`${what}: expected an options object`);
  }
  const { description, code } = input;
  if (typeof description !== "string" || description.trim() === "" || description.length > 1024) {
    throw new TypeError(`${what}: "description" must be a string of 1 to 1,024 characters`);
  }
  if (description.includes("---")) {
    throw new TypeError(
      `${what}: "description" must not contain "---" (it ends YAML front matter)`,
    );
  }
  if (typeof code !== "string" || code.trim() === "") {
    throw new TypeError(`${what}: "code" must be a non-empty string`);
  }
  const language = (input as { language?: unknown }).language;
  if (language !== undefined && language !== "typescript" && language !== "python") {
    throw new TypeError(`${what}: "language" must be "typescript" or "python"`);
  }
  const codeBytes = new TextEncoder().encode(code).length;
  if (codeBytes > limits.maxCodeBytes) {
    throw new RangeError(
      `${what}: its code is ${codeBytes.toLocaleString("en-US")} bytes, over the limit of ${
        limits.maxCodeBytes.toLocaleString("en-US")
      } (option maxCodeBytes, skillMaxCodeBytes in the orchestrator)`,
    );
  }
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string" || !TAG_RE.test(tag))) {
    throw new TypeError(
      `${what}: "tags" must be an array of words (no spaces, at most 64 characters each)`,
    );
  }
  const tools = input.tools ?? [];
  if (
    !Array.isArray(tools) ||
    tools.some((tool) =>
      typeof tool !== "string" || /\s/.test(tool) || parseToolRef(tool) === undefined
    )
  ) {
    throw new TypeError(`${what}: "tools" must be an array of "server.tool" names`);
  }
  const params = input.params ?? { type: "object" };
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new TypeError(`${what}: "params" must be a JSON Schema object`);
  }
  if (params.type !== undefined && params.type !== "object") {
    throw new TypeError(
      `${what}: "params" must describe an object (type "object"), got type ${
        JSON.stringify(params.type)
      }`,
    );
  }
  if (nestingDepth(params, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
    throw new TypeError(`${what}: "params" nests deeper than ${MAX_PARAMS_DEPTH} levels`);
  }
  try {
    JSON.stringify(params);
    new Validator(params as never, "2020-12", false).validate({});
  } catch (error) {
    throw new TypeError(
      `${what}: "params" is not a usable JSON Schema: ${(error as Error).message}`,
    );
  }
  if (limits.placeholders !== undefined) {
    checkPlaceholders(what, limits.placeholders, [
      ["code", code],
      ["description", description],
      ...tags.map((tag, i): [string, string] => [`tags[${i}]`, tag]),
      ...stringsOf(params, "params"),
    ]);
  }
  return {
    description,
    code,
    tags: [...new Set(tags)],
    params: structuredClone(params),
    tools: [...tools],
  };
}

/** How deep a params schema may nest objects and arrays: far beyond any real one, far below the stack's limit. */
const MAX_PARAMS_DEPTH = 64;

/** The nesting depth of a JSON value, counted without recursion; stops counting past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses text that holds a privacy vault placeholder: a skill outlives the session whose vault could restore it, and
 * the value behind it is one person's data, not a program's.
 */
function checkPlaceholders(
  what: string,
  pattern: RegExp,
  fields: ReadonlyArray<[string, string]>,
): void {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`,
  );
  for (const [field, text] of fields) {
    global.lastIndex = 0;
    const found = global.exec(text);
    if (found === null) continue;
    const line = field === "code"
      ? ` at line ${text.slice(0, found.index).split("\n").length}`
      : "";
    throw new TypeError(
      `${what}: "${field}" holds the privacy placeholder ${found[0]}${line}: ` +
        "a placeholder stands for one session's value and never resolves in a skill; pass the value in args instead",
    );
  }
}

/** Every string in a JSON value (object keys included), with its path, e.g. `params.properties.to.default`. */
function stringsOf(value: unknown, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const stack: Array<[unknown, string]> = [[value, path]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (typeof node === "string") out.push([at, node]);
    else if (Array.isArray(node)) node.forEach((child, i) => stack.push([child, `${at}[${i}]`]));
    else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) {
        out.push([at, key]);
        stack.push([child, `${at}.${key}`]);
      }
    }
  }
  return out;
}
