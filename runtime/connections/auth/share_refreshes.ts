/**
 * One refresh at a time per refresh token: calls that all get a 401 at once each start a refresh, and with
 * rotating refresh tokens all but the first would be refused, throwing away the sign-in.
 *
 * @module
 */

/** How long a refresh's answer is handed to late requests that sent the same refresh token. */
const SHARE_MS = 30_000;

interface Answer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

/**
 * The refresh token a token request carries, when it is one with the `refresh_token` grant.
 *
 * @param init The request's init, as `fetch` gets it.
 * @returns The refresh token, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refreshTokenOf } from "./share_refreshes.ts";
 * const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r" });
 * assert.equal(refreshTokenOf({ method: "POST", body }), "r");
 * assert.equal(refreshTokenOf({ method: "GET" }), undefined);
 * ```
 */
export function refreshTokenOf(init: RequestInit | undefined): string | undefined {
  if (init?.method?.toUpperCase() !== "POST") return undefined;
  const body = init.body;
  const params = body instanceof URLSearchParams
    ? body
    : typeof body === "string"
    ? new URLSearchParams(body)
    : undefined;
  if (params?.get("grant_type") !== "refresh_token") return undefined;
  return params.get("refresh_token") ?? undefined;
}

/**
 * Wraps `fetch` so that token requests with the `refresh_token` grant and the same refresh token share one request
 * (and its answer, for 30 s); every other request passes through.
 *
 * @param inner The fetch to wrap. Default: the global `fetch`.
 * @returns The wrapped fetch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shareRefreshes } from "./share_refreshes.ts";
 * let sent = 0;
 * const fetch = shareRefreshes(() => Promise.resolve(new Response(`{"n":${++sent}}`)));
 * const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r" });
 * const answers = await Promise.all([1, 2].map(() => fetch("https://as.example/token", { method: "POST", body })));
 * assert.deepEqual(await Promise.all(answers.map((a) => a.json())), [{ n: 1 }, { n: 1 }]);
 * ```
 */
export function shareRefreshes(
  inner: (input: string | URL | Request, init?: RequestInit) => Promise<Response> = fetch,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  // No timer: an entry is dropped when it is looked at (or another token is refreshed) after SHARE_MS.
  const shared = new Map<string, { answer: Promise<Answer>; doneAt?: number }>();
  return async (input, init) => {
    const token = refreshTokenOf(init);
    if (token === undefined) return inner(input, init);
    const now = Date.now();
    for (const [key, entry] of shared) {
      if (entry.doneAt !== undefined && now - entry.doneAt > SHARE_MS) shared.delete(key);
    }
    let entry = shared.get(token);
    if (entry === undefined) {
      const answer = inner(input, init).then(async (response) => ({
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
        body: await response.text(),
      }));
      const created: { answer: Promise<Answer>; doneAt?: number } = { answer };
      entry = created;
      shared.set(token, created);
      answer.then(() => created.doneAt = Date.now(), () => shared.delete(token));
    }
    const answer = entry.answer;
    const { status, statusText, headers, body } = await answer;
    return new Response(body, { status, statusText, headers });
  };
}
