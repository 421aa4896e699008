/**
 * A first-in, first-out gate that lets at most N tasks run at once.
 *
 * @module
 */

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Admits at most `limit` holders at a time; the others wait in arrival order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskQueue } from "./task_queue.ts";
 * const queue = new TaskQueue(1);
 * const release = await queue.acquire();
 * assert.equal(queue.running, 1);
 * release();
 * assert.equal(queue.running, 0);
 * ```
 */
export class TaskQueue {
  #limit: number;
  #running = 0;
  #waiting: Waiter[] = [];

  /**
   * @param limit How many may run at once; a whole number of at least 1.
   * @throws {RangeError} When `limit` is not a whole number of at least 1.
   */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `Cannot create task queue: limit must be a whole number >= 1, got ${limit}`,
      );
    }
    this.#limit = limit;
  }

  /** How many hold a place now. */
  get running(): number {
    return this.#running;
  }

  /** How many wait for a place. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The most that may run at once. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Waits for a place.
   *
   * @param signal Gives up waiting when aborted; the promise rejects with the signal's reason.
   * @returns A function that gives the place back; calling it more than once does nothing.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.#limit) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /**
   * Rejects every waiter with `reason` (used at shutdown).
   *
   * @param reason What the waiters reject with.
   */
  rejectWaiting(reason: unknown): void {
    for (const waiter of this.#waiting.splice(0)) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.reject(reason);
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#running--;
        return;
      }
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(this.#releaser());
    };
  }
}
