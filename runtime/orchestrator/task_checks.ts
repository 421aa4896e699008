/**
 * Input checks of {@linkcode MCPOrchestrator}: its options, a task's shape and a workspace name. Each failure names
 * what was wrong.
 *
 * @module
 */

import { screenCode } from "../blocker/mod.ts";
import type { OrchestratorOptions } from "./options.ts";
import { MIN_TRUNCATE_BYTES } from "./truncate_json.ts";
import type { AgentTask } from "../types.ts";

const WORKSPACE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Checks the limits and the blocker policy of the orchestrator's options.
 *
 * @param options The options.
 * @throws {RangeError} When `maxToolCalls` or `maxResultBytes` is not a whole number at least its minimum.
 * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions } from "./task_checks.ts";
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
 * Checks a task's id, code and `requiredTools`.
 *
 * @param task The task as the caller passed it.
 * @throws {TypeError} When the id is empty, the code is not a string or `requiredTools` is not an array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./task_checks.ts";
 * assert.throws(
 *   () => checkTask({ id: "", description: "", code: "", requiredTools: [], status: "pending" }),
 *   /non-empty string id/,
 * );
 * ```
 */
export function checkTask(task: AgentTask): void {
  if (typeof task?.id !== "string" || task.id === "") {
    throw new TypeError("Cannot run task: it needs a non-empty string id");
  }
  if (typeof task.code !== "string") {
    throw new TypeError(`Cannot run task "${task.id}": its code must be a string`);
  }
  if (!Array.isArray(task.requiredTools)) {
    throw new TypeError(`Cannot run task "${task.id}": requiredTools must be an array`);
  }
}

/**
 * Checks a workspace name: letters, digits, `.`, `_` and `-`, at most 64 characters, not `.` or `..`.
 *
 * @param name The name.
 * @throws {TypeError} When it is not a valid workspace name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWorkspaceName } from "./task_checks.ts";
 * checkWorkspaceName("notes");
 * assert.throws(() => checkWorkspaceName("../x"), TypeError);
 * ```
 */
export function checkWorkspaceName(name: string): void {
  if (typeof name !== "string" || !WORKSPACE_NAME.test(name) || name === "." || name === "..") {
    throw new TypeError(
      `Invalid workspace name ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", at most 64 characters`,
    );
  }
}
