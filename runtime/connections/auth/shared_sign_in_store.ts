/**
 * `SharedSignInStore`: upstream sign-ins kept in the PostgreSQL state store, encrypted, shared by every replica; a
 * refresh holds the sign-in's row, so a rotating refresh token is spent once however many replicas need it.
 *
 * @module
 */

import type { PostgresSignIns } from "../../state/mod.ts";
import { DEFAULT_PRINCIPAL } from "../../principal.ts";
import type { SignInStore } from "./sign_in_store.ts";
import { type SignInSummary, summarizeSignIn } from "./sign_in_summary.ts";
import type { SignInKey, StoredSignIn } from "./file_sign_in_store.ts";

function keyOf(key: SignInKey): { principal: string; server: string } {
  return typeof key === "string" ? { principal: DEFAULT_PRINCIPAL, server: key } : key;
}

/** The stored tokens as a token endpoint answers them, with `expires_in` counted from now. */
/** How recently stored tokens must have been saved to be reused by a replica that found them due a moment ago. */
const REUSE_WINDOW_MS = 10_000;

/**
 * Whether the stored sign-in was saved in the last {@linkcode REUSE_WINDOW_MS} with more than half its access
 * token's life left: someone refreshed it a moment ago, after the caller found it due. The refresh token alone
 * does not tell (a server that does not rotate refresh tokens leaves the same one, and a caller may hold the new
 * one with a stale expiry): two replicas racing a refresh sent two requests about one run in three
 * (`tests/shared_sign_ins_test.ts`) until this check.
 */
function justRefreshed(entry: StoredSignIn): boolean {
  const lifetimeMs = (entry.tokens?.expires_in ?? NaN) * 1000;
  const savedAt = entry.savedAt === undefined ? NaN : Date.parse(entry.savedAt);
  return entry.expiresAt !== undefined && Date.now() - savedAt < REUSE_WINDOW_MS &&
    entry.expiresAt - Date.now() > lifetimeMs / 2;
}

function tokenAnswer(entry: StoredSignIn): Response {
  const tokens: Record<string, unknown> = { ...entry.tokens };
  if (entry.expiresAt !== undefined) {
    tokens.expires_in = Math.max(0, Math.floor((entry.expiresAt - Date.now()) / 1000));
  }
  return Response.json(tokens);
}

/**
 * Sign-ins in the shared state store ({@linkcode PostgresSignIns}), with the sign-in file's behaviour: one entry per
 * principal and server, an entry for another URL does not count, `list()` shows no secret.
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore, StateCipher } from "../../state/mod.ts";
 * import { SharedSignInStore } from "./shared_sign_in_store.ts";
 * const state = await PostgresStateStore.open(Deno.env.get("MCPX_STATE_URL")!, { cipher: await StateCipher.load() });
 * const store = new SharedSignInStore(state.signIns);
 * console.log(await store.list());
 * ```
 */
export class SharedSignInStore implements SignInStore {
  /** No file: the sandbox has none to be kept from. */
  readonly path: undefined = undefined;
  #rows: PostgresSignIns<StoredSignIn>;

  /**
   * @param rows The state store's sign-in rows.
   */
  constructor(rows: PostgresSignIns) {
    this.#rows = rows as PostgresSignIns<StoredSignIn>;
  }

  /**
   * One principal's sign-in to one server.
   *
   * @param key The server's name (the default principal's), or a principal and a server.
   * @param url Its URL.
   * @returns The entry, or `undefined`.
   */
  get(key: SignInKey, url: string): Promise<StoredSignIn | undefined> {
    const { principal, server } = keyOf(key);
    return this.#rows.get(principal, server, url);
  }

  /**
   * Changes one entry while holding its row.
   *
   * @param key The server's name, or a principal and a server.
   * @param url Its URL.
   * @param change Computes the new entry, or `undefined` to remove it.
   * @returns Resolves once committed.
   */
  update(
    key: SignInKey,
    url: string,
    change: (entry: StoredSignIn) => StoredSignIn | undefined,
  ): Promise<void> {
    const { principal, server } = keyOf(key);
    return this.#rows.update(principal, server, url, (current) => {
      const next = change(current ?? { url });
      return next === undefined ? undefined : { ...next, url, savedAt: new Date().toISOString() };
    });
  }

  /**
   * Removes one principal's sign-in to one server.
   *
   * @param key The server's name, or a principal and a server.
   * @returns Whether there was one.
   */
  remove(key: SignInKey): Promise<boolean> {
    const { principal, server } = keyOf(key);
    return this.#rows.remove(principal, server);
  }

  /**
   * Every sign-in, without secrets: the default principal's first, then by principal id and server.
   *
   * @returns The summaries.
   */
  async list(): Promise<SignInSummary[]> {
    const rows = await this.#rows.list();
    const rank = (p: string) => p === DEFAULT_PRINCIPAL ? 0 : 1;
    return rows
      .sort((a, b) => rank(a.principal) - rank(b.principal))
      .map((row) => summarizeSignIn(row.principal, row.server, row.value));
  }

  /**
   * Sends a refresh while holding the sign-in's row; a replica that waited for the row and finds another refresh
   * token stored gets the stored tokens instead, and sends nothing.
   *
   * @param key The server's name, or a principal and a server.
   * @param url Its URL.
   * @param refreshToken The refresh token the request carries.
   * @param send Sends the token request.
   * @returns The token endpoint's answer, or the stored tokens as one.
   */
  refreshOnce(
    key: SignInKey,
    url: string,
    refreshToken: string,
    send: () => Promise<Response>,
  ): Promise<Response> {
    const { principal, server } = keyOf(key);
    return this.#rows.locked(principal, server, url, async (current) => {
      const stored = current?.tokens;
      if (
        stored?.access_token !== undefined &&
        (stored.refresh_token !== refreshToken || justRefreshed(current!))
      ) {
        return { result: tokenAnswer(current!) };
      }
      const response = await send();
      const body = await response.text();
      const answer = () =>
        new Response(body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      if (!response.ok || current === undefined) return { result: answer() };
      let tokens: Record<string, unknown>;
      try {
        tokens = JSON.parse(body);
      } catch {
        return { result: answer() };
      }
      if (typeof tokens.access_token !== "string") return { result: answer() };
      const next: StoredSignIn = {
        ...current,
        tokens: { refresh_token: refreshToken, ...tokens } as StoredSignIn["tokens"],
        savedAt: new Date().toISOString(),
      };
      if (typeof tokens.expires_in === "number") {
        next.expiresAt = Date.now() + tokens.expires_in * 1000;
      } else delete next.expiresAt;
      return { result: answer(), next };
    });
  }
}
