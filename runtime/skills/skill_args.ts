/**
 * Checks a skill's arguments against its params schema, with `@cfworker/json-schema` (no code generation, so an
 * untrusted schema is never compiled into code).
 *
 * @module
 */

import { Validator } from "@cfworker/json-schema";
import type { JsonSchema } from "./types.ts";

/**
 * Checks arguments against a params schema.
 *
 * @param skill The skill's name, for the message.
 * @param schema Its params schema.
 * @param args The arguments.
 * @returns Nothing; it throws when the arguments do not match.
 * @throws {TypeError} When they do not match; the message names the field and what is wrong with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSkillArgs } from "./skill_args.ts";
 * const schema = { type: "object", properties: { domain: { type: "string" } }, required: ["domain"] };
 * checkSkillArgs("count-domain", schema, { domain: "example.org" });
 * assert.throws(() => checkSkillArgs("count-domain", schema, { domain: 3 }), /argument "domain"/);
 * ```
 */
export function checkSkillArgs(skill: string, schema: JsonSchema, args: unknown): void {
  const what = `Cannot run skill "${skill}"`;
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new TypeError(`${what}: its arguments must be an object`);
  }
  const result = new Validator(schema as never, "2020-12", false).validate(args);
  if (result.valid) return;
  // The most specific error: the deepest instance location, and a leaf keyword over "properties" summaries.
  const errors = result.errors.filter((e) => e.keyword !== "properties" && e.keyword !== "allOf");
  const pick = (errors.length > 0 ? errors : result.errors)
    .sort((a, b) => b.instanceLocation.length - a.instanceLocation.length)[0]!;
  let field = pick.instanceLocation.replace(/^#\/?/, "").split("/").map(decodePointer).join(".");
  const missing = /required property "([^"]+)"/.exec(pick.error);
  if (pick.keyword === "required" && missing !== null) {
    field = field === "" ? missing[1]! : `${field}.${missing[1]}`;
    throw new TypeError(`${what}: argument "${field}" is required`);
  }
  const extra = /Property "([^"]+)" does not match additional/.exec(pick.error);
  if (extra !== null) field = field === "" ? extra[1]! : `${field}.${extra[1]}`;
  throw new TypeError(
    `${what}: argument ${field === "" ? "object" : `"${field}"`}: ${pick.error.replace(/\.$/, "")}`,
  );
}

function decodePointer(part: string): string {
  return decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~");
}
