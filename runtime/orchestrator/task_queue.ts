/**
 * A gate that lets at most N tasks run at once, fair between sessions: waiters are grouped by a key (the task's
 * session), each group is served first-in first-out, and the groups take turns.
 *
 * @module
 */

interface Waiter {
  key: string;
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Why {@linkcode TaskQueue.acquire} refused to wait: the key already has `maxWaitingPerKey` waiters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueueFullError, TaskQueue } from "./task_queue.ts";
 * const queue = new TaskQueue(1, { maxWaitingPerKey: 1 });
 * const release = await queue.acquire(undefined, "s1");
 * const waiting = queue.acquire(undefined, "s1");
 * await assert.rejects(queue.acquire(undefined, "s1"), QueueFullError);
 * release();
 * (await waiting)();
 * ```
 */
export class QueueFullError extends RangeError {
  override name = "QueueFullError";
  /** The key (session) whose waiters reached the limit. */
  readonly key: string;
  /** The limit. */
  readonly limit: number;

  /**
   * @param key The key whose waiters reached the limit.
   * @param limit The limit.
   */
  constructor(key: string, limit: number) {
    super(`${limit} tasks are already waiting${key === "" ? "" : ` in session "${key}"`}`);
    this.key = key;
    this.limit = limit;
  }
}

/**
 * Admits at most `limit` holders at a time. The others wait: in arrival order within one key, and round robin
 * between keys, so a key with many waiters cannot starve another with one.
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
  /** Waiters by key; a key's entry exists only while it has waiters. Map order is the turn order. */
  #groups = new Map<string, Waiter[]>();
  #waitingCount = 0;
  #maxWaitingPerKey: number;

  /**
   * @param limit How many may run at once; a whole number of at least 1.
   * @param options `maxWaitingPerKey`: the most waiters one key may have (default: no limit).
   * @throws {RangeError} When `limit` or `maxWaitingPerKey` is not a whole number of at least 1.
   */
  constructor(limit: number, options: { maxWaitingPerKey?: number } = {}) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `Cannot create task queue: limit must be a whole number >= 1, got ${limit}`,
      );
    }
    const perKey = options.maxWaitingPerKey ?? Infinity;
    if (perKey !== Infinity && (!Number.isInteger(perKey) || perKey < 1)) {
      throw new RangeError(
        `Cannot create task queue: maxWaitingPerKey must be a whole number >= 1, got ${perKey}`,
      );
    }
    this.#limit = limit;
    this.#maxWaitingPerKey = perKey;
  }

  /** How many hold a place now. */
  get running(): number {
    return this.#running;
  }

  /** How many wait for a place. */
  get waiting(): number {
    return this.#waitingCount;
  }

  /** The most that may run at once. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Waits for a place.
   *
   * @param signal Gives up waiting when aborted; the promise rejects with the signal's reason.
   * @param key The group the waiter belongs to (a session); groups take turns. Default `""`.
   * @returns A function that gives the place back; calling it more than once does nothing.
   * @throws {QueueFullError} (as a rejection) When the key already has `maxWaitingPerKey` waiters.
   */
  acquire(signal?: AbortSignal, key = ""): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.#limit) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if ((this.#groups.get(key)?.length ?? 0) >= this.#maxWaitingPerKey) {
      return Promise.reject(new QueueFullError(key, this.#maxWaitingPerKey));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        key,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#remove(waiter);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      const group = this.#groups.get(key);
      if (group === undefined) this.#groups.set(key, [waiter]);
      else group.push(waiter);
      this.#waitingCount++;
    });
  }

  /**
   * Rejects every waiter with `reason` (used at shutdown).
   *
   * @param reason What the waiters reject with.
   */
  rejectWaiting(reason: unknown): void {
    const all = [...this.#groups.values()].flat();
    this.#groups.clear();
    this.#waitingCount = 0;
    for (const waiter of all) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.reject(reason);
    }
  }

  #remove(waiter: Waiter): void {
    const group = this.#groups.get(waiter.key);
    const index = group?.indexOf(waiter) ?? -1;
    if (group === undefined || index < 0) return;
    group.splice(index, 1);
    this.#waitingCount--;
    if (group.length === 0) this.#groups.delete(waiter.key);
  }

  /** The next waiter: the first of the group whose turn it is; that group goes to the back of the line. */
  #next(): Waiter | undefined {
    const first = this.#groups.entries().next();
    if (first.done) return undefined;
    const [key, group] = first.value;
    const waiter = group.shift()!;
    this.#waitingCount--;
    this.#groups.delete(key);
    if (group.length > 0) this.#groups.set(key, group);
    return waiter;
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#next();
      if (next === undefined) {
        this.#running--;
        return;
      }
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(this.#releaser());
    };
  }
}
