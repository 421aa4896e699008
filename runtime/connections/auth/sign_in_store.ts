/**
 * `SignInStore`: where upstream sign-ins are kept, whatever keeps them: the user's sign-in file
 * ({@linkcode FileSignInStore}) on one machine, or the shared state store ({@linkcode SharedSignInStore}) for replicas.
 *
 * @module
 */

import type { SignInSummary } from "./sign_in_summary.ts";
import type { SignInKey, StoredSignIn } from "./file_sign_in_store.ts";

/**
 * What the OAuth provider and `deno task auth` need from a place that keeps sign-ins.
 *
 * @example
 * ```ts
 * import { type SignInStore, FileSignInStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const store: SignInStore = new FileSignInStore(`${dir}/tokens.json`);
 * await store.update("linear", "https://mcp.linear.app/mcp", (entry) => ({ ...entry,
 *   tokens: { access_token: "a", token_type: "Bearer" } }));
 * assert.equal((await store.list()).length, 1);
 * assert.equal(store.refreshOnce, undefined);
 * ```
 */
export interface SignInStore {
  /** The sign-in file, when sign-ins are kept in one (the sandbox is kept from reading it). */
  readonly path?: string | undefined;
  /** One principal's sign-in to one server at one URL, or `undefined`. */
  get(key: SignInKey, url: string): Promise<StoredSignIn | undefined>;
  /** Changes one entry: `change` returns the next one, or `undefined` to remove it. */
  update(
    key: SignInKey,
    url: string,
    change: (entry: StoredSignIn) => StoredSignIn | undefined,
  ): Promise<void>;
  /** Removes one principal's sign-in to one server; whether there was one. */
  remove(key: SignInKey): Promise<boolean>;
  /** Every sign-in, without secrets. */
  list(): Promise<SignInSummary[]>;
  /**
   * Present on stores that several processes share: sends a refresh (`send`) while holding the entry against
   * every other process, unless the stored refresh token is no longer `refreshToken` (another process refreshed
   * first): then it answers with the stored tokens as a token endpoint would, and nothing is sent.
   */
  refreshOnce?(
    key: SignInKey,
    url: string,
    refreshToken: string,
    send: () => Promise<Response>,
  ): Promise<Response>;
}
