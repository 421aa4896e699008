/**
 * Who may save a skill where: a principal saves into its private skills, or, with the `mcpx:skills` scope, into the
 * shared ones; a new version of a shared skill is its author's or an admin's to save. See
 * {@linkcode SaveSkillOptions}.
 *
 * @module
 */

import { DEFAULT_PRINCIPAL, type Principal, validatePrincipalId } from "../principal.ts";
import type { SaveSkillOptions } from "./skill_manager_options.ts";
import type { SkillMetadata } from "./types.ts";

/** The rights of a save without a principal: library use owns the folder. */
const LIBRARY: Principal = { id: DEFAULT_PRINCIPAL, scopes: ["mcpx:skills", "mcpx:admin"] };

/** What a principal named by a bare id holds. */
const BARE_ID_SCOPES: readonly string[] = ["mcpx:skills"];

/**
 * Who saves and where: the saver's principal, and whether the save goes to the shared skills.
 *
 * @param name The skill's name, for the message.
 * @param options The save's `principal` and `shared`.
 * @returns The saver (with its scopes) and `shared`: always for the default principal.
 * @throws {TypeError} When the principal id is invalid, or `shared` is asked without the `mcpx:skills` scope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { savePlan } from "./save_rights.ts";
 * assert.deepEqual(savePlan("x", { principal: "alice" }), { who: { id: "alice", scopes: ["mcpx:skills"] }, shared: false });
 * assert.equal(savePlan("x", {}).shared, true);
 * assert.throws(() => savePlan("x", { principal: { id: "eve", scopes: [] }, shared: true }), /"mcpx:skills" scope/);
 * ```
 */
export function savePlan(
  name: string,
  options: SaveSkillOptions,
): { who: Principal; shared: boolean } {
  const who: Principal = options.principal === undefined
    ? LIBRARY
    : typeof options.principal === "string"
    ? { id: options.principal, scopes: BARE_ID_SCOPES }
    : options.principal;
  validatePrincipalId(who.id);
  const shared = who.id === DEFAULT_PRINCIPAL || options.shared === true;
  if (shared && !who.scopes.includes("mcpx:skills")) {
    throw new TypeError(
      `Cannot save skill "${name}": sharing a skill needs the "mcpx:skills" scope; save it without shared: true`,
    );
  }
  return { who, shared };
}

/**
 * Why a principal may not save a new version of a shared skill, or `undefined` when it may: it is the skill's author
 * (a skill without one is the default principal's) or holds `mcpx:admin`.
 *
 * @param who The saver.
 * @param current The shared skill's current version.
 * @returns The reason, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { overwriteRefusal } from "./save_rights.ts";
 * const current = { name: "x", description: "x", version: 1, tags: [], params: {}, tools: [], toolHashes: {},
 *   skills: [], savedAt: "", author: "alice" };
 * assert.equal(overwriteRefusal({ id: "alice", scopes: [] }, current), undefined);
 * assert.equal(overwriteRefusal({ id: "root", scopes: ["mcpx:admin"] }, current), undefined);
 * assert.match(overwriteRefusal({ id: "bob", scopes: ["mcpx:skills"] }, current) ?? "", /only its author/);
 * ```
 */
export function overwriteRefusal(who: Principal, current: SkillMetadata): string | undefined {
  if (who.scopes.includes("mcpx:admin") || (current.author ?? DEFAULT_PRINCIPAL) === who.id) {
    return undefined;
  }
  return "another principal saved the shared skill of that name; only its author or a principal with the " +
    '"mcpx:admin" scope may save a new version (save yours without shared: true to keep a private one)';
}
