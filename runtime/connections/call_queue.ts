/**
 * The per-server call limit of mcp.json's `maxConcurrentCalls`: at most that many calls in flight, the rest waiting
 * in first-in, first-out order.
 *
 * @module
 */

import type { ToolError } from "../wire/mod.ts";
import { callError } from "./call_error.ts";

/**
 * How a wait for a free slot ended: the slot was taken, the signal aborted, or the time ran out.
 *
 * @example
 * ```ts
 * import { CallQueue, type QueueOutcome } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const queue = new CallQueue(1);
 * queue.tryAcquire();
 * const outcome: QueueOutcome = await queue.wait({ timeoutMs: 10 });
 * assert.equal(outcome, "timeout");
 * ```
 */
export type QueueOutcome = "acquired" | "aborted" | "timeout";

interface Waiter {
  resolve: (outcome: QueueOutcome) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A first-in, first-out queue of calls to one server with at most `limit` of them in flight. A call takes a slot
 * with {@linkcode CallQueue.tryAcquire} (at once, when one is free and nobody waits) or
 * {@linkcode CallQueue.wait}, and gives it back with {@linkcode CallQueue.release}, which hands it straight to the
 * first waiter. A waiter whose signal aborts or whose time runs out leaves the queue and never gets a slot.
 *
 * `ServerConnection` keeps one per server whose entry sets `maxConcurrentCalls`; the connections `ConnectionManager`
 * opens per principal for the same server share it.
 *
 * @example One slot: the second call waits for the first
 * ```ts
 * import { CallQueue } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const queue = new CallQueue(1);
 * assert.equal(queue.tryAcquire(), true);
 * assert.equal(queue.tryAcquire(), false);
 * const second = queue.wait({ timeoutMs: 1_000 });
 * assert.deepEqual([queue.inFlight, queue.waiting], [1, 1]);
 * queue.release();
 * assert.equal(await second, "acquired");
 * queue.release();
 * assert.deepEqual([queue.inFlight, queue.waiting], [0, 0]);
 * ```
 *
 * @example A waiter whose task ends leaves the queue
 * ```ts
 * import { CallQueue } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const queue = new CallQueue(1);
 * queue.tryAcquire();
 * const task = new AbortController();
 * const waiting = queue.wait({ signal: task.signal, timeoutMs: 60_000 });
 * task.abort();
 * assert.equal(await waiting, "aborted");
 * queue.release();
 * assert.deepEqual([queue.inFlight, queue.waiting], [0, 0]);
 * ```
 */
export class CallQueue {
  /** The most calls in flight at once. */
  readonly limit: number;
  #inFlight = 0;
  /** In arrival order: a Set keeps insertion order and removes a waiter from the middle in O(1). */
  #waiting = new Set<Waiter>();

  /**
   * Creates an empty queue.
   *
   * @param limit The most calls in flight at once: a positive integer.
   * @throws {RangeError} When `limit` is not a positive integer.
   */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(
        `Invalid maxConcurrentCalls ${limit}: expected a positive integer`,
      );
    }
    this.limit = limit;
  }

  /** Calls holding a slot now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Takes a slot at once, when one is free and nobody waits before the caller.
   *
   * @returns `true` when the slot was taken (give it back with {@linkcode CallQueue.release}).
   */
  tryAcquire(): boolean {
    if (this.#inFlight >= this.limit || this.#waiting.size > 0) return false;
    this.#inFlight++;
    return true;
  }

  /**
   * Waits at the back of the queue for a slot.
   *
   * @param options `signal` takes the caller out of the queue when it aborts; `timeoutMs` is the longest wait.
   * @returns `"acquired"` (the caller holds a slot), `"aborted"` or `"timeout"` (it holds none). Never rejects.
   */
  wait(options: { signal?: AbortSignal | undefined; timeoutMs: number }): Promise<QueueOutcome> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.resolve("aborted");
    if (this.tryAcquire()) return Promise.resolve("acquired");
    const { promise, resolve } = Promise.withResolvers<QueueOutcome>();
    const waiter: Waiter = {
      resolve,
      signal,
      onAbort: () => this.#leave(waiter, "aborted"),
      timer: undefined,
    };
    waiter.timer = setTimeout(() => this.#leave(waiter, "timeout"), Math.max(0, timeoutMs));
    signal?.addEventListener("abort", waiter.onAbort, { once: true });
    this.#waiting.add(waiter);
    return promise;
  }

  /** Gives a slot back: the first waiter takes it over, or it becomes free. */
  release(): void {
    for (const next of this.#waiting) {
      this.#settle(next, "acquired");
      return; // The slot passes on: the count in flight stays the same.
    }
    if (this.#inFlight > 0) this.#inFlight--;
  }

  #leave(waiter: Waiter, outcome: QueueOutcome): void {
    if (!this.#waiting.has(waiter)) return;
    this.#settle(waiter, outcome);
  }

  #settle(waiter: Waiter, outcome: QueueOutcome): void {
    this.#waiting.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve(outcome);
  }
}

/** What {@linkcode takeSlot} needs of a call. */
export interface SlotRequest {
  /** The server's name, for errors. */
  server: string;
  /** The tool's name, for errors. */
  tool: string;
  /** The call's whole deadline in milliseconds: the wait counts against it. */
  timeoutMs: number;
  /** The call's signal (its task's): aborting it takes the call out of the queue. */
  signal?: AbortSignal | undefined;
  /** Aborts when the connection closes: the call leaves the queue as `"server_unavailable"`. */
  closing: AbortSignal;
  /** Told how long the call waited, in milliseconds (0 when a slot was free), whatever the outcome. */
  onQueueWait?: ((ms: number) => void) | undefined;
}

/**
 * Takes a slot of `queue` for one tool call, waiting in line when none is free.
 *
 * @param queue The server's queue.
 * @param call The call's names, deadline, signal and wait callback.
 * @returns What is left of the call's deadline, in milliseconds; the caller holds a slot and must release it.
 * @throws {ToolError} `"call_cancelled"` when the call's signal aborted while it waited (it never reaches the
 * server), `"call_timeout"` when its deadline passed in the queue, `"server_unavailable"` when the connection
 * closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallQueue, takeSlot } from "./call_queue.ts";
 * const queue = new CallQueue(1);
 * const closing = new AbortController().signal;
 * const call = { server: "memory", tool: "create_entities", timeoutMs: 50, closing };
 * assert.equal(await takeSlot(queue, call), 50);
 * await assert.rejects(takeSlot(queue, call), /no free slot within 50 ms \(limit "maxConcurrentCalls": 1\)/);
 * ```
 */
export async function takeSlot(queue: CallQueue, call: SlotRequest): Promise<number> {
  if (queue.tryAcquire()) {
    call.onQueueWait?.(0);
    return call.timeoutMs;
  }
  const started = performance.now();
  const signal = call.signal === undefined
    ? call.closing
    : AbortSignal.any([call.signal, call.closing]);
  const outcome = await queue.wait({ signal, timeoutMs: call.timeoutMs });
  const waited = performance.now() - started;
  call.onQueueWait?.(waited);
  if (outcome === "acquired") {
    // Aborted in the same turn the slot was handed over: still never sent.
    if (!signal.aborted) return Math.max(1, call.timeoutMs - waited);
    queue.release();
  }
  const limit = `(limit "maxConcurrentCalls": ${queue.limit})`;
  const [code, why]: [ToolError["code"], string] = call.closing.aborted
    ? ["server_unavailable", `server "${call.server}" is shut down`]
    : outcome === "timeout"
    ? ["call_timeout", `no free slot within ${call.timeoutMs} ms ${limit}`]
    : ["call_cancelled", `the call was cancelled while it waited for a free slot ${limit}`];
  throw callError(call.server, call.tool, { code, why });
}
