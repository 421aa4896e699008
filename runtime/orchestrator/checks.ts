/**
 * The checks `MCPOrchestrator` makes on what it is given (its options, a task, a workspace name), and the wait for
 * running tasks at shutdown.
 *
 * @module
 */

import { join } from "node:path";
import { screenCode } from "../blocker/mod.ts";
import type { AgentTask } from "../types.ts";
import type { OrchestratorOptions } from "./options.ts";
import { MIN_TRUNCATE_BYTES } from "./truncate_json.ts";

const WORKSPACE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Checks the orchestrator's limits and blocker policy.
 *
 * @param options The orchestrator's options.
 * @throws {RangeError} When a limit is not a whole number of at least its minimum.
 * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions } from "./checks.ts";
 * assert.throws(() => checkOptions({ config: "mcp.json", maxToolCalls: 0 }), RangeError);
 * ```
 */
export function checkOptions(options: OrchestratorOptions): void {
  // maxResultBytes needs room for the marker a cut value ends with.
  for (
    const [key, min] of [["maxToolCalls", 1], ["maxResultBytes", MIN_TRUNCATE_BYTES]] as const
  ) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new RangeError(
        `Cannot create orchestrator: ${key} must be a whole number >= ${min}, got ${value}`,
      );
    }
  }
  if (options.blockerPolicy !== undefined) screenCode("", { policy: options.blockerPolicy });
}

/**
 * Checks the shape of a task before it is queued.
 *
 * @param task The task as given.
 * @param running The ids of the tasks running now.
 * @throws {TypeError} When it has no id, its code is not a string, `requiredTools` is not an array, or a task with
 * its id is running.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./checks.ts";
 * assert.throws(
 *   () => checkTask({ id: "", code: "", requiredTools: [], description: "", status: "pending" }, new Set()),
 *   /needs a non-empty string id/,
 * );
 * ```
 */
export function checkTask(task: AgentTask, running: { has(id: string): boolean }): void {
  if (typeof task?.id !== "string" || task.id === "") {
    throw new TypeError("Cannot run task: it needs a non-empty string id");
  }
  if (typeof task.code !== "string") {
    throw new TypeError(`Cannot run task "${task.id}": its code must be a string`);
  }
  if (!Array.isArray(task.requiredTools)) {
    throw new TypeError(`Cannot run task "${task.id}": requiredTools must be an array`);
  }
  if (running.has(task.id)) {
    throw new TypeError(`Cannot run task "${task.id}": a task with that id is already running`);
  }
}

/**
 * The host path of a task workspace.
 *
 * @param workspacesDir The folder of all workspaces.
 * @param name The workspace's name, as a task gives it.
 * @returns `<workspacesDir>/<name>`.
 * @throws {TypeError} When the name is not a valid workspace name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workspacePathIn } from "./checks.ts";
 * assert.equal(workspacePathIn("/state/workspaces", "notes"), "/state/workspaces/notes");
 * assert.throws(() => workspacePathIn("/state/workspaces", ".."), TypeError);
 * ```
 */
export function workspacePathIn(workspacesDir: string, name: string): string {
  if (typeof name !== "string" || !WORKSPACE_NAME.test(name) || name === "." || name === "..") {
    throw new TypeError(
      `Invalid workspace name ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", at most 64 characters`,
    );
  }
  return join(workspacesDir, name);
}

/**
 * Waits up to `drainTimeoutMs` for the running tasks to finish, then cancels the rest and waits until they are gone.
 *
 * @param active Each running task's abort controller, by id; tasks remove themselves when they end.
 * @param drainTimeoutMs How long to wait before cancelling (0: at once).
 * @returns Resolves once no task runs.
 *
 * @example
 * ```ts
 * import { drainTasks } from "./checks.ts";
 * await drainTasks(new Map(), 0);
 * ```
 */
export async function drainTasks(
  active: Map<string, AbortController>,
  drainTimeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + drainTimeoutMs;
  while (active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const [id, controller] of active) controller.abort(new Error(`Task "${id}" was cancelled`));
  while (active.size > 0) await new Promise((r) => setTimeout(r, 10));
}
