/**
 * The orchestrator's Python pool, made on first need: the first Python task (or start-up, when `pythonPoolSize` asks
 * for warm processes) makes the snapshot and starts the pool; an orchestrator that never runs Python pays nothing.
 *
 * @module
 */

import type { SandboxPool } from "../sandbox/mod.ts";
import { createPythonPool, type PythonPoolOptions } from "./python_pool.ts";

/**
 * Holds the Python pool of one orchestrator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PythonPoolSlot } from "./python_pool_slot.ts";
 * const root = await Deno.makeTempDir();
 * await using slot = new PythonPoolSlot({ serversDir: `${root}/servers`, stateDir: root, poolSize: 0 });
 * assert.equal(slot.started, false);
 * const pool = await slot.get();
 * const result = await pool.run({ taskId: "t", code: "6 * 7", onToolCall: () => Promise.resolve(null) });
 * assert.equal(result.value, 42);
 * await slot.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class PythonPoolSlot implements AsyncDisposable {
  #options: PythonPoolOptions;
  #pool: Promise<SandboxPool> | undefined;
  #closed = false;

  /**
   * @param options The pool's options (its `poolSize` is `pythonPoolSize`).
   */
  constructor(options: PythonPoolOptions) {
    this.#options = options;
  }

  /** `true` once the pool is being made or is there. */
  get started(): boolean {
    return this.#pool !== undefined;
  }

  /**
   * The pool, made on the first call. A failed start is not remembered: the next call tries again.
   *
   * @returns The Python pool.
   * @throws {Error} When the slot is closed, Pyodide is missing or the pool cannot start.
   */
  get(): Promise<SandboxPool> {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot run Python: the orchestrator is shutting down"));
    }
    if (this.#pool === undefined) {
      const pool = createPythonPool(this.#options);
      this.#pool = pool;
      pool.catch(() => {
        if (this.#pool === pool) this.#pool = undefined;
      });
    }
    return this.#pool;
  }

  /** Idle and running processes of the pool, `{ idle: 0, alive: 0 }` before it is made. */
  async size(): Promise<{ idle: number; alive: number }> {
    const pool = await this.#pool?.catch(() => undefined);
    return pool?.size ?? { idle: 0, alive: 0 };
  }

  /** Waits until the pool is at rest (see `SandboxPool.settled`). */
  async settled(): Promise<void> {
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.settled();
  }

  /** Ends the pool's processes; later `get()` calls reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.close();
  }

  /** Same as {@linkcode PythonPoolSlot.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
