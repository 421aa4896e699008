/**
 * The shared store as a gate for new tasks: with several replicas, a task needs the store (its session's lease,
 * audit line, PII vault, approvals), so while the store does not answer a new `tools/call` is refused at once with
 * an error that names the store, instead of running half-recorded or hanging. The replica itself keeps serving
 * (`GET /healthz` says `degraded`) and lets the next request through once the store answers again.
 *
 * @module
 */

import type { StateHealth } from "../state/mod.ts";
import { jsonRpcError } from "./_json_rpc_http.ts";

/** How long a probe of the store may take before it counts as unreachable. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * How old a successful probe may be to let a task through without asking again. Probing before every task cost a
 * round trip per task (bench/state_bench.ts); the PostgreSQL engine forgets a success as soon as one of its
 * connections closes, which is what a stopped or unreachable server does first.
 */
const FRESH_MS = 1_000;

/**
 * Asks the store's health, one probe at a time however many requests ask at once, bounded by a timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StoreGate } from "./_store_gate.ts";
 * let up = false;
 * const gate = new StoreGate(() =>
 *   Promise.resolve(up ? { engine: "postgres", ok: true } : { engine: "postgres", ok: false, error: "refused" })
 * );
 * // (The store's own `health` decides whether a recent success may answer; this one always asks.)
 * const body = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "execute_code" } };
 * const refused = await gate.refusal(body);
 * assert.equal(refused?.status, 200);
 * assert.match((await refused!.json()).error.message, /state store is unreachable/);
 * assert.equal(await gate.refusal({ jsonrpc: "2.0", id: 8, method: "tools/list" }), undefined);
 * up = true;
 * assert.equal(await gate.refusal(body), undefined);
 * ```
 */
export class StoreGate {
  #health: (options: { maxAgeMs?: number }) => Promise<StateHealth>;
  #probe: Promise<StateHealth> | undefined;

  /**
   * @param health The store's health (`store.health`); `maxAgeMs` lets it answer from a recent success.
   */
  constructor(health: (options: { maxAgeMs?: number }) => Promise<StateHealth>) {
    this.#health = health;
  }

  /**
   * The store's health; concurrent callers share one probe.
   *
   * @param maxAgeMs How old a success may be to count (default 0: ask now, as `GET /healthz` does).
   * @returns The health; `ok: false` when the probe failed or took over 3 s.
   */
  health(maxAgeMs = 0): Promise<StateHealth> {
    if (maxAgeMs > 0 && this.#probe === undefined) {
      // A recent success answers without a round trip; only when the store must be asked is a probe shared.
      return this.#ask({ maxAgeMs });
    }
    this.#probe ??= this.#ask({}).finally(() => this.#probe = undefined);
    return this.#probe;
  }

  #ask(options: { maxAgeMs?: number }): Promise<StateHealth> {
    return (async (): Promise<StateHealth> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        return await Promise.race([
          this.#health(options),
          new Promise<StateHealth>((resolve) => {
            timer = setTimeout(() =>
              resolve({
                engine: "postgres",
                ok: false,
                error: `no answer in ${PROBE_TIMEOUT_MS} ms`,
              }), PROBE_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        return { engine: "postgres", ok: false, error: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    })();
  }

  /**
   * The answer to a POST body that starts a task (a single `tools/call`) while the store is unreachable. The
   * store's own error stays out of it (it names hosts and ports); `GET /healthz` and the log carry it.
   *
   * @param body The parsed JSON body.
   * @returns A JSON-RPC error naming the store, or `undefined` to go on.
   */
  async refusal(body: unknown): Promise<Response | undefined> {
    const message = body as { method?: unknown; id?: unknown } | null;
    if (
      Array.isArray(body) || message === null || typeof message !== "object" ||
      message.method !== "tools/call" ||
      !(typeof message.id === "string" || typeof message.id === "number")
    ) return undefined;
    const health = await this.health(FRESH_MS);
    if (health.ok) return undefined;
    return jsonRpcError(
      200,
      -32000,
      "Cannot run the task: the state store is unreachable; retry when it is back",
      message.id,
    );
  }
}

/**
 * The answer to a request that needs the store (finding a session this replica does not hold) when the store
 * failed: 503, retry.
 *
 * @param action What could not be done, e.g. `"find the session"`.
 * @returns The JSON-RPC error response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeUnreachable } from "./_store_gate.ts";
 * const response = storeUnreachable("find the session");
 * assert.equal(response.status, 503);
 * assert.equal((await response.json()).error.message, "Cannot find the session: the state store is unreachable; retry when it is back");
 * ```
 */
export function storeUnreachable(action: string): Response {
  return jsonRpcError(
    503,
    -32000,
    `Cannot ${action}: the state store is unreachable; retry when it is back`,
  );
}
