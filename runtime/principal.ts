/**
 * Who is calling: a {@linkcode Principal} names the person or service a daemon request, a session and a task act
 * for. Library users who never name one act as {@linkcode DEFAULT_PRINCIPAL}.
 *
 * @module
 */

/**
 * The principal of a task, a skill or a sign-in that names none (library use, stdio, `MCPX_TOKEN`). Its skills are
 * the shared ones.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRINCIPAL, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.saveSkill("one", { description: "Returns one", code: "return 1;" });
 * assert.deepEqual(orch.listSkills({ principal: DEFAULT_PRINCIPAL }).map((s) => s.name), ["one"]);
 * ```
 */
export const DEFAULT_PRINCIPAL = "default";

/**
 * A caller the daemon has authenticated: a name from the token file, or `iss` + the principal claim of a verified
 * OAuth access token, with the scopes it holds.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRINCIPAL, type Principal } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const alice: Principal = { id: "alice", scopes: ["mcpx:execute", "mcpx:skills"] };
 * assert.notEqual(alice.id, DEFAULT_PRINCIPAL);
 * ```
 */
export interface Principal {
  /** The principal's id: what sessions, skills, sign-ins and audit lines are keyed by. */
  id: string;
  /** The scopes it was granted (`mcpx:execute`, `mcpx:skills`, `mcpx:approve`, `mcpx:admin`). */
  scopes: readonly string[];
}

/**
 * Checks a principal id: 1 to 256 printable characters, no control characters.
 *
 * @param id The id.
 * @returns The id.
 * @throws {TypeError} When it is not a string, is empty, too long or holds a control character.
 *
 * @example
 * ```ts
 * import { validatePrincipalId } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * assert.equal(validatePrincipalId("alice"), "alice");
 * assert.throws(() => validatePrincipalId("a\nb"), TypeError);
 * ```
 */
export function validatePrincipalId(id: unknown): string {
  // deno-lint-ignore no-control-regex
  const control = /[\u0000-\u001f\u007f]/;
  if (typeof id !== "string" || id.length === 0 || id.length > 256 || control.test(id)) {
    throw new TypeError(
      `Invalid principal ${JSON.stringify(id)}: expected 1 to 256 printable characters`,
    );
  }
  return id;
}
