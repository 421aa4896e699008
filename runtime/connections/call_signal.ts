/**
 * A signal of its own for each outgoing request. The MCP SDK adds an `abort` listener to the signal of every
 * request and never removes it: a task's signal, shared by all its calls, would gather one listener (and one closure)
 * per call, and `addEventListener`'s duplicate check makes each call slower than the last.
 *
 * @module
 */

/**
 * Runs `send` with a signal that follows `signal` for as long as `send` runs, then is dropped.
 *
 * @param signal The caller's signal (a task's), or none.
 * @param send The request, given the per-call signal.
 * @returns What `send` resolves to.
 * @throws Whatever `send` throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCallSignal } from "./call_signal.ts";
 * const task = new AbortController();
 * const seen = await withCallSignal(task.signal, (signal) => Promise.resolve(signal !== task.signal && !signal?.aborted));
 * assert.equal(seen, true);
 * ```
 */
export async function withCallSignal<T>(
  signal: AbortSignal | undefined,
  send: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (signal === undefined) return await send(undefined);
  if (signal.aborted) return await send(signal);
  const call = new AbortController();
  const onAbort = () => call.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await send(call.signal);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
