/**
 * What a user may see of a stored sign-in: who, which server, whether it can be used and refreshed, never a token.
 *
 * @module
 */

import type { StoredSignIn } from "./file_sign_in_store.ts";

/**
 * One line of a sign-in store's `list()`: what a user may see, no secret.
 *
 * @example
 * ```ts
 * import { type SignInSummary, FileSignInStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new FileSignInStore(`${dir}/tokens.json`);
 * await store.update("linear", "https://mcp.linear.app/mcp", (entry) => ({ ...entry,
 *   tokens: { access_token: "a", token_type: "Bearer" } }));
 * const [summary]: SignInSummary[] = await store.list();
 * assert.deepEqual([summary?.principal, summary?.server, summary?.signedIn, summary?.canRefresh],
 *   ["default", "linear", true, false]);
 * ```
 */
export interface SignInSummary {
  /** Whose sign-in it is: a principal id, {@linkcode DEFAULT_PRINCIPAL} for the user's own. */
  principal: string;
  /** The server's name in mcp.json. */
  server: string;
  /** The URL the sign-in is for. */
  url: string;
  /** Whether an access token is stored. */
  signedIn: boolean;
  /** Whether a refresh token is stored. */
  canRefresh: boolean;
  /** When the access token expires, in milliseconds since the epoch, if the server said. */
  expiresAt?: number;
  /** The scopes the authorization server granted, if it said. */
  scope?: string;
  /** When the entry was last written (ISO 8601). */
  savedAt?: string;
}

/**
 * What a user may see of one sign-in: no secret, only whether tokens are there, their expiry and scope.
 *
 * @param principal Whose sign-in.
 * @param server The server's name.
 * @param entry The stored entry.
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { summarizeSignIn } from "./sign_in_summary.ts";
 * import assert from "node:assert/strict";
 * const summary = summarizeSignIn("alice", "linear", { url: "https://x/mcp",
 *   tokens: { access_token: "a", token_type: "Bearer", refresh_token: "r" } });
 * assert.deepEqual([summary.signedIn, summary.canRefresh], [true, true]);
 * assert.ok(!JSON.stringify(summary).includes('"a"'));
 * ```
 */
export function summarizeSignIn(
  principal: string,
  server: string,
  entry: StoredSignIn,
): SignInSummary {
  const summary: SignInSummary = {
    principal,
    server,
    url: entry.url,
    signedIn: entry.tokens?.access_token !== undefined,
    canRefresh: entry.tokens?.refresh_token !== undefined,
  };
  if (entry.expiresAt !== undefined) summary.expiresAt = entry.expiresAt;
  if (entry.tokens?.scope !== undefined) summary.scope = entry.tokens.scope;
  if (entry.savedAt !== undefined) summary.savedAt = entry.savedAt;
  return summary;
}
