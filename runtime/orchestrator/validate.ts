/**
 * Checks of what users hand `MCPOrchestrator`: its options, a task, and a workspace name.
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
 * Checks the orchestrator's options that can be checked before `initialize`.
 *
 * @param options The options.
 * @throws {RangeError} When a limit is not a whole number of at least 1.
 * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateOptions } from "./validate.ts";
 * assert.throws(() => validateOptions({ config: "mcp.json", maxToolCalls: 0 }), RangeError);
 * ```
 */
export function validateOptions(options: OrchestratorOptions): void {
  // maxResultBytes needs room for the marker a cut value ends with.
  for (const [key, min] of [["maxToolCalls", 1], ["maxResultBytes", MIN_TRUNCATE_BYTES]] as const) {
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
 * Checks a task's shape before it is queued.
 *
 * @param task The task as given.
 * @param active The ids of the tasks running or queued.
 * @throws {TypeError} When the task has no id or code, `requiredTools` is not an array, or its id is running.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./validate.ts";
 * const task = { id: "", description: "", code: "", requiredTools: [], status: "pending" as const };
 * assert.throws(() => checkTask(task, new Map()), /non-empty string id/);
 * ```
 */
export function checkTask(task: AgentTask, active: ReadonlyMap<string, unknown>): void {
  if (typeof task?.id !== "string" || task.id === "") {
    throw new TypeError("Cannot run task: it needs a non-empty string id");
  }
  if (typeof task.code !== "string") {
    throw new TypeError(`Cannot run task "${task.id}": its code must be a string`);
  }
  if (!Array.isArray(task.requiredTools)) {
    throw new TypeError(`Cannot run task "${task.id}": requiredTools must be an array`);
  }
  if (active.has(task.id)) {
    throw new TypeError(`Cannot run task "${task.id}": a task with that id is already running`);
  }
}

/**
 * The host path of a task workspace.
 *
 * @param root The workspaces folder.
 * @param name The workspace's name, as a task gives it.
 * @returns `<root>/<name>`.
 * @throws {TypeError} When the name is not a valid workspace name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workspaceFolder } from "./validate.ts";
 * assert.equal(workspaceFolder("/w", "notes"), "/w/notes");
 * assert.throws(() => workspaceFolder("/w", ".."), TypeError);
 * ```
 */
export function workspaceFolder(root: string, name: string): string {
  if (typeof name !== "string" || !WORKSPACE_NAME.test(name) || name === "." || name === "..") {
    throw new TypeError(
      `Invalid workspace name ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", at most 64 characters`,
    );
  }
  return join(root, name);
}
