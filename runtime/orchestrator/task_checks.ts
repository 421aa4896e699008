/**
 * The checks {@linkcode MCPOrchestrator} makes on what it is given (options, tasks, workspace names), and the
 * small pieces of a task run that depend on a task's session: progress hooks and the session quota.
 *
 * @module
 */

import { MIN_TRUNCATE_BYTES } from "./truncate_json.ts";
import { checkFolderName } from "./session_spaces.ts";
import { screenCode } from "../blocker/mod.ts";
import { parseTypecheckMode } from "../typecheck/mod.ts";
import type { OrchestratorOptions, TaskProgressEvent } from "./options.ts";
import type { AgentProgress } from "../sandbox/mod.ts";
import type { TaskResult } from "../types.ts";

/**
 * Checks the limits of the orchestrator's options that its constructor validates.
 *
 * @param options The options.
 * @throws {RangeError} When `maxToolCalls`, `maxCodeBytes`, `maxConcurrentTasks`, `maxQueuedTasksPerSession`,
 *   `maxResultBytes` or `sessionQuotaMb` is out of range.
 * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions } from "./task_checks.ts";
 * assert.throws(() => checkOptions({ config: { servers: {} }, maxToolCalls: 0 }), /maxToolCalls/);
 * ```
 */
export function checkOptions(options: OrchestratorOptions): void {
  // maxResultBytes needs room for the marker a cut value ends with.
  for (
    const [key, min] of [
      ["maxToolCalls", 1],
      ["maxCodeBytes", 1],
      ["maxConcurrentTasks", 1],
      ["maxQueuedTasksPerSession", 1],
      ["maxResultBytes", MIN_TRUNCATE_BYTES],
      ["pythonPoolSize", 0],
    ] as const
  ) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new RangeError(
        `Cannot create orchestrator: ${key} must be a whole number >= ${min}, got ${value}`,
      );
    }
  }
  if (options.blockerPolicy !== undefined) screenCode("", { policy: options.blockerPolicy });
  parseTypecheckMode(options.typecheck);
  const quota = options.sessionQuotaMb;
  if (quota !== undefined && !(typeof quota === "number" && quota > 0 && quota < Infinity)) {
    throw new RangeError(
      `Cannot create orchestrator: sessionQuotaMb must be a number above 0, got ${quota}`,
    );
  }
}

/**
 * Checks a workspace name: letters, digits, `.`, `_` and `-`, at most 64 characters, not `.` or `..`.
 *
 * @param name The name.
 * @returns The name.
 * @throws {TypeError} When the name is not valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWorkspaceName } from "./task_checks.ts";
 * assert.equal(checkWorkspaceName("notes"), "notes");
 * assert.throws(() => checkWorkspaceName(".."), TypeError);
 * ```
 */
export function checkWorkspaceName(name: string): string {
  return checkFolderName("workspace name", name, 64);
}

/**
 * The callbacks that turn a task's finished tool calls and `progress()` reports into
 * {@linkcode TaskProgressEvent}s. A listener that throws is ignored.
 *
 * @param taskId The task.
 * @param listener The orchestrator's `onTaskProgress` option.
 * @returns The two callbacks (empty without a listener).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressHooks } from "./task_checks.ts";
 * const events: unknown[] = [];
 * const hooks = progressHooks("t1", (event) => events.push(event));
 * hooks.onCallDone?.("memory", "read_graph", true);
 * hooks.onProgress?.({ progress: 1, total: 2 });
 * assert.deepEqual(events, [
 *   { kind: "tool_call", taskId: "t1", server: "memory", tool: "read_graph", ok: true, finishedCalls: 1 },
 *   { kind: "agent", taskId: "t1", progress: 1, total: 2 },
 * ]);
 * ```
 */
export function progressHooks(
  taskId: string,
  listener: ((event: TaskProgressEvent) => void) | undefined,
): {
  onCallDone?: (server: string, tool: string, ok: boolean) => void;
  onProgress?: (report: AgentProgress) => void;
} {
  if (listener === undefined) return {};
  const emit = (event: TaskProgressEvent): void => {
    try {
      listener(event);
    } catch {
      // A listener's failure is its own: the task goes on.
    }
  };
  let finishedCalls = 0;
  return {
    onCallDone: (server, tool, ok) =>
      emit({ kind: "tool_call", taskId, server, tool, ok, finishedCalls: ++finishedCalls }),
    onProgress: (report) => emit({ kind: "agent", taskId, ...report }),
  };
}

/**
 * A result turned into a quota failure: a completed task fails with `quota_exceeded` (its data withheld); a task
 * that failed anyway keeps its error and gets the quota message as a warning.
 *
 * @param result The task's result.
 * @param reason What is over the quota, from `SessionSpaces.overQuota`.
 * @returns The new result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withQuotaFailure } from "./task_checks.ts";
 * const stats = { duration: 1, tokensUsed: 1, tokensDirect: 1, tokensSaved: 0, memoryUsed: 0, toolsCalled: [] };
 * const failed = withQuotaFailure({ id: "t", status: "completed", data: 1, logs: [], stats }, "over");
 * assert.equal(failed.status, "failed");
 * assert.equal(failed.error?.code, "quota_exceeded");
 * assert.equal(failed.data, undefined);
 * ```
 */
export function withQuotaFailure(result: TaskResult, reason: string): TaskResult {
  if (result.status !== "completed") {
    return { ...result, warnings: [...(result.warnings ?? []), reason] };
  }
  const { data: _data, dataTruncated: _cut, ...rest } = result;
  return {
    ...rest,
    status: "failed",
    error: {
      name: "QuotaError",
      code: "quota_exceeded",
      message: `Task "${result.id}" ran, but its result is withheld: ${reason}`,
    },
  };
}
