/**
 * Checks what `saveSkill` is given before anything is written.
 *
 * @module
 */

import { Validator } from "@cfworker/json-schema";
import type { JsonSchema, SaveSkillInput } from "./types.ts";

/** What {@linkcode checkSaveInput} returns: the input with defaults filled in. */
export interface CheckedSaveInput {
  description: string;
  code: string;
  tags: string[];
  params: JsonSchema;
  tools: string[];
}

const TAG_RE = /^[^\s]{1,64}$/;
const TOOL_RE = /^[^\s.]+(?:\.[^\s]+)?$/;

/**
 * Checks a save's input.
 *
 * @param input What the caller passed.
 * @param what The start of every error message, e.g. `Cannot save skill "x"`.
 * @returns The checked input, with defaults: no tags, params `{ type: "object" }`, no extra tools.
 * @throws {TypeError} When a field is missing or invalid; the message names it.
 */
export function checkSaveInput(input: SaveSkillInput, what: string): CheckedSaveInput {
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
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string" || !TAG_RE.test(tag))) {
    throw new TypeError(
      `${what}: "tags" must be an array of words (no spaces, at most 64 characters each)`,
    );
  }
  const tools = input.tools ?? [];
  if (
    !Array.isArray(tools) || tools.some((tool) => typeof tool !== "string" || !TOOL_RE.test(tool))
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
