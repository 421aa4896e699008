/**
 * One task's way through the orchestrator once its id is reserved: the code-size limit, the plan (allowlist,
 * blocker, workspace), servers that failed being tried again, the queue, the sandbox run and the result. Every
 * outcome past the task's own shape is a result, never a rejection: a workspace that cannot be made, a shutdown
 * between planning and the pool, a server that will not start.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";
import { DEFAULT_LIMITS } from "./options.ts";
import { type RunContext, runPlannedTask } from "./run_planned_task.ts";
import { planTask } from "./task_plan.ts";
import { QueueFullError, type TaskQueue } from "./task_queue.ts";
import { resultWithoutRun } from "./task_result.ts";
import { codeSizeError } from "./task_validation.ts";
import type { TaskTypecheck } from "../typecheck/mod.ts";

const log = logger("orchestrator");

/** What {@linkcode runTask} needs from the orchestrator. */
export interface TaskRunContext extends Omit<RunContext, "baseTokens" | "signal"> {
  queue: TaskQueue;
  /** The task's own controller, registered under its id (`cancelTask` aborts it). */
  controller: AbortController;
  /** Classic tool calling's fixed cost: the tool definitions of the connected servers. */
  baseTokens(): number;
  /** Whether the orchestrator is shutting down. */
  closing(): boolean;
  /** Maps a workspace name to its folder; throws a TypeError for an invalid name. */
  workspacePath(name: string): string;
  /** Called when a server that had failed connects again, before the task runs (regenerates its module). */
  serverBack(server: string): Promise<void>;
  /** With the `typecheck` option on: checks the code before it is queued. */
  typecheck?: TaskTypecheck;
}

function notRun(
  task: AgentTask,
  context: TaskRunContext,
  status: "failed" | "cancelled",
  error: TaskErrorInfo,
): Promise<TaskResult> {
  return resultWithoutRun(task, status, error, context.baseTokens());
}

function shuttingDown(task: AgentTask, context: TaskRunContext): Promise<TaskResult> {
  return notRun(task, context, "cancelled", {
    name: "CancelledError",
    code: "shutting_down",
    message: `Task "${task.id}" was not run: the orchestrator is shutting down`,
  });
}

/**
 * Tries again, once per task and within the connection's backoff, the servers a task needs that failed to start.
 *
 * @returns The first server still down, or `undefined` when all are connected or will connect on their first call.
 */
async function reviveServers(
  servers: Iterable<string>,
  context: TaskRunContext,
): Promise<string | undefined> {
  for (const server of servers) {
    const connection = context.connections.get(server);
    if (connection?.state !== "failed") continue;
    try {
      await connection.connect();
    } catch {
      return server;
    }
    try {
      await context.serverBack(server);
    } catch (error) {
      log.error("Cannot regenerate {server}: {error}", { server, error: String(error) });
    }
  }
  return undefined;
}

/**
 * Runs a task whose shape was validated and whose id is reserved.
 *
 * @param task The task.
 * @param context The orchestrator's parts and the task's controller.
 * @returns The result (never rejects for the task's own failure, nor for a shutdown under way).
 *
 * @example
 * ```ts ignore
 * // As MCPOrchestrator.executeTask does, once validateTask() passed and the id is reserved:
 * const result = await runTask(task, { options, connections, pool, bindings, queue, controller, ...hooks });
 * console.log(result.status);
 * ```
 */
export async function runTask(task: AgentTask, context: TaskRunContext): Promise<TaskResult> {
  const { options, controller } = context;
  if (context.closing()) return shuttingDown(task, context);
  const tooLarge = codeSizeError(task, options.maxCodeBytes ?? DEFAULT_LIMITS.maxCodeBytes);
  if (tooLarge !== undefined) return notRun(task, context, "failed", tooLarge);
  const plan = planTask(task, {
    connections: context.connections,
    workspacePath: context.workspacePath,
    ...(options.blockerPolicy === undefined ? {} : { blockerPolicy: options.blockerPolicy }),
  });
  if ("error" in plan) return notRun(task, context, "failed", plan.error);
  const down = await reviveServers(plan.allow.keys(), context);
  if (down !== undefined) {
    return notRun(task, context, "failed", {
      name: "ToolError",
      code: "server_unavailable",
      message: `Cannot run task "${task.id}": server "${down}" is not connected`,
    });
  }
  // The checker knows TypeScript only: Python code runs unchecked (docs/typecheck.md).
  const checked = task.language === "python" ? undefined : await context.typecheck?.check({
    id: task.id,
    code: task.code,
    servers: [...plan.allow.keys()].flatMap((name) => {
      const binding = context.bindings.get(name);
      return binding === undefined ? [] : [{ name, identifier: binding.identifier }];
    }),
  });
  if (checked !== undefined && "error" in checked) {
    return notRun(task, context, "failed", checked.error);
  }
  const typeWarnings = checked?.warnings ?? [];
  plan.warnings.unshift(...typeWarnings);
  if (plan.cwd !== undefined) {
    try {
      await Deno.mkdir(plan.cwd, { recursive: true, mode: 0o700 });
    } catch (error) {
      return notRun(task, context, "failed", {
        name: "Error",
        code: "workspace_unavailable",
        message: `Cannot run task "${task.id}": cannot create its workspace "${task.workspace}": ${
          error instanceof Error ? error.name : "Error"
        }`,
      });
    }
  }
  const onAbort = () => controller.abort(task.signal?.reason);
  task.signal?.addEventListener("abort", onAbort, { once: true });
  if (task.signal?.aborted) controller.abort(task.signal.reason);
  let release: (() => void) | undefined;
  try {
    try {
      release = await context.queue.acquire(controller.signal, task.session ?? "");
    } catch (error) {
      if (error instanceof QueueFullError) {
        return notRun(task, context, "failed", {
          name: "RangeError",
          code: "queue_full",
          message: `Cannot run task "${task.id}": ${error.message} (limit ` +
            `"maxQueuedTasksPerSession", ${error.limit}): wait for a result before sending more`,
        });
      }
      return notRun(task, context, "cancelled", {
        name: "CancelledError",
        code: "cancelled",
        message: `Task "${task.id}" was cancelled before it started`,
      });
    }
    if (context.closing() && controller.signal.aborted) return shuttingDown(task, context);
    task.status = "running";
    try {
      const result = await runPlannedTask(task, {
        ...context,
        baseTokens: context.baseTokens(),
        signal: controller.signal,
        plan,
      });
      // The agent reads its logs first: type errors found under "warn" lead them.
      if (typeWarnings.length > 0) {
        result.logs = [...typeWarnings.map((w) => `[mcp-executor] ${w}`), ...result.logs];
      }
      return result;
    } catch (error) {
      // The pool throws only when it is closed (a shutdown) or for options it cannot use (bad permissions).
      if (context.closing()) return shuttingDown(task, context);
      return notRun(task, context, "failed", {
        name: error instanceof Error ? error.name : "Error",
        code: "invalid_task",
        message: `Cannot run task "${task.id}": ${error instanceof Error ? error.message : error}`,
      });
    }
  } finally {
    release?.();
    task.signal?.removeEventListener("abort", onAbort);
  }
}
