/**
 * Skill names as Agent Skills (agentskills.io) allows them.
 *
 * @module
 */

/** 1 to 64 lowercase letters and digits, in groups joined by single hyphens. */
export const SKILL_NAME_RE: RegExp = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Checks a skill name: 1 to 64 characters, lowercase letters, digits and single hyphens, no hyphen first or last.
 *
 * @param name The candidate name.
 * @returns Nothing; it throws when the name is invalid.
 * @throws {TypeError} When the name is not a valid skill name; the message says why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSkillName } from "./skill_name.ts";
 * checkSkillName("count-domain");
 * assert.throws(() => checkSkillName("Count--Domain"), TypeError);
 * ```
 */
export function checkSkillName(name: unknown): asserts name is string {
  if (
    typeof name !== "string" || name.length === 0 || name.length > 64 || !SKILL_NAME_RE.test(name)
  ) {
    throw new TypeError(
      `Invalid skill name ${
        JSON.stringify(name)
      }: use 1 to 64 lowercase letters, digits and single hyphens, not starting or ending with a hyphen`,
    );
  }
}
