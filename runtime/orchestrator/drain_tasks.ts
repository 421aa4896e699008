/**
 * The drain step of {@linkcode MCPOrchestrator.shutdown}: wait for running tasks, then cancel the rest.
 *
 * @module
 */

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits up to `drainMs` for the active tasks to finish, cancels those still running, and waits until they are gone.
 *
 * @param active The running and queued tasks by id; the orchestrator removes each when it ends.
 * @param options `drainMs` and the function that cancels one task.
 * @returns Resolves once no task is active.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drainTasks } from "./drain_tasks.ts";
 * const active = new Map([["t1", 1]]);
 * await drainTasks(active, { drainMs: 0, cancel: (id) => void active.delete(id) });
 * assert.equal(active.size, 0);
 * ```
 */
export async function drainTasks(
  active: ReadonlyMap<string, unknown>,
  options: { drainMs: number; cancel: (id: string) => void },
): Promise<void> {
  const deadline = Date.now() + options.drainMs;
  while (active.size > 0 && Date.now() < deadline) await tick(20);
  for (const [id] of active) options.cancel(id);
  while (active.size > 0) await tick(10);
}
