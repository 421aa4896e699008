/**
 * The daemon's scopes and which one each request needs: `mcpx:execute` for the MCP session and the tools that run
 * code, `mcpx:skills` to save skills, `mcpx:approve` to answer approvals as an operator, `mcpx:admin` for
 * `/metrics` and the audit trail.
 *
 * @module
 */

/** Search tools and run code or skills: every MCP request needs it. */
export const SCOPE_EXECUTE = "mcpx:execute";
/** Save skills (`save_skill`). */
export const SCOPE_SKILLS = "mcpx:skills";
/** Answer approvals as an operator. */
export const SCOPE_APPROVE = "mcpx:approve";
/** Read `/metrics` and the audit trail. */
export const SCOPE_ADMIN = "mcpx:admin";

/** Every scope the daemon knows, as its protected resource metadata lists them. */
export const ALL_SCOPES: readonly string[] = [
  SCOPE_EXECUTE,
  SCOPE_SKILLS,
  SCOPE_APPROVE,
  SCOPE_ADMIN,
];

/** What a token-file line without scopes holds. */
export const DEFAULT_TOKEN_SCOPES: readonly string[] = [SCOPE_EXECUTE, SCOPE_SKILLS];

/** Tools that need more than `mcpx:execute`. */
const TOOL_SCOPES: Record<string, readonly string[]> = {
  save_skill: [SCOPE_EXECUTE, SCOPE_SKILLS],
};

/**
 * The scopes an MCP request body needs: `mcpx:execute` for every message, plus what `tools/call` of a tool such
 * as `save_skill` needs. A batch needs the union of its messages' scopes.
 *
 * @param body The parsed JSON-RPC body (one message or a batch).
 * @returns The scopes, without duplicates, in {@linkcode ALL_SCOPES} order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scopesForMcp } from "./scopes.ts";
 * const call = (name: string) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } });
 * assert.deepEqual(scopesForMcp(call("execute_code")), ["mcpx:execute"]);
 * assert.deepEqual(scopesForMcp(call("save_skill")), ["mcpx:execute", "mcpx:skills"]);
 * assert.deepEqual(scopesForMcp({ jsonrpc: "2.0", id: 1, method: "initialize" }), ["mcpx:execute"]);
 * ```
 */
export function scopesForMcp(body: unknown): string[] {
  const needed = new Set<string>([SCOPE_EXECUTE]);
  for (const message of Array.isArray(body) ? body : [body]) {
    if (message === null || typeof message !== "object") continue;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    if (method !== "tools/call" || typeof params?.name !== "string") continue;
    for (const scope of TOOL_SCOPES[params.name] ?? []) needed.add(scope);
  }
  return ALL_SCOPES.filter((scope) => needed.has(scope));
}

/**
 * The scopes of `needed` that `held` lacks.
 *
 * @param held The scopes a principal holds.
 * @param needed The scopes a request needs.
 * @returns The missing ones; empty when the request may go on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingScopes } from "./scopes.ts";
 * assert.deepEqual(missingScopes(["mcpx:execute"], ["mcpx:execute", "mcpx:skills"]), ["mcpx:skills"]);
 * assert.deepEqual(missingScopes(["mcpx:admin"], ["mcpx:admin"]), []);
 * ```
 */
export function missingScopes(held: readonly string[], needed: readonly string[]): string[] {
  return needed.filter((scope) => !held.includes(scope));
}

/**
 * Splits an OAuth `scope` value (space-separated, RFC 6749) or a `scp` array into scopes.
 *
 * @param value The claim's value.
 * @returns The scopes; empty for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScopeClaim } from "./scopes.ts";
 * assert.deepEqual(parseScopeClaim("mcpx:execute  mcpx:skills"), ["mcpx:execute", "mcpx:skills"]);
 * assert.deepEqual(parseScopeClaim(["mcpx:admin"]), ["mcpx:admin"]);
 * assert.deepEqual(parseScopeClaim(undefined), []);
 * ```
 */
export function parseScopeClaim(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === "string");
  return [];
}
