/**
 * The checks `MCPOrchestrator.executeTask` makes on a task's shape before anything else, and workspace names.
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
 * Checks a task's shape: a non-empty string id not already running, string code and an array of tools.
 *
 * @param task The task.
 * @param running Whether a task with that id is running.
 * @returns Nothing; it throws when the task is malformed.
 * @throws {TypeError} When the task is malformed or its id is already running.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./task_checks.ts";
 * const task = { id: "t", description: "", code: "return 1;", requiredTools: [], status: "pending" as const };
 * checkTask(task, () => false);
 * assert.throws(() => checkTask(task, () => true), /already running/);
 * ```
 */
export function checkTask(task: AgentTask, running: (id: string) => boolean): void {
  if (typeof task?.id !== "string" || task.id === "") {
    throw new TypeError("Cannot run task: it needs a non-empty string id");
  }
  if (typeof task.code !== "string") {
    throw new TypeError(`Cannot run task "${task.id}": its code must be a string`);
  }
  if (!Array.isArray(task.requiredTools)) {
    throw new TypeError(`Cannot run task "${task.id}": requiredTools must be an array`);
  }
  if (running(task.id)) {
    throw new TypeError(`Cannot run task "${task.id}": a task with that id is already running`);
  }
}

/**
 * The folder of a named workspace.
 *
 * @param dir The workspaces folder.
 * @param name The workspace's name, as a task gives it.
 * @returns `<dir>/<name>`.
 * @throws {TypeError} When the name is not a valid workspace name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workspaceFolder } from "./task_checks.ts";
 * assert.equal(workspaceFolder("/w", "notes"), "/w/notes");
 * assert.throws(() => workspaceFolder("/w", ".."), TypeError);
 * ```
 */
export function workspaceFolder(dir: string, name: string): string {
  if (typeof name !== "string" || !WORKSPACE_NAME.test(name) || name === "." || name === "..") {
    throw new TypeError(
      `Invalid workspace name ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", at most 64 characters`,
    );
  }
  return join(dir, name);
}

/**
 * Checks an orchestrator's options: its limits and its blocker policy.
 *
 * @param options The options.
 * @returns Nothing; it throws when an option is invalid.
 * @throws {RangeError} When a limit is not a whole number of at least its minimum.
 * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions } from "./task_checks.ts";
 * assert.throws(() => checkOptions({ config: { servers: {} }, maxToolCalls: 0 }), RangeError);
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
