/**
 * The part of `MCPOrchestrator.executeTask` that runs a checked, planned task in a sandbox process and builds its
 * result.
 *
 * @module
 */

import type { ConnectionManager } from "../connections/connection_manager.ts";
import type { SandboxPool } from "../sandbox/mod.ts";
import type { ServerBinding } from "../sandbox_runtime/protocol.ts";
import type { AgentTask, TaskResult } from "../types.ts";
import { DEFAULT_LIMITS, type OrchestratorOptions } from "./options.ts";
import { TaskCalls } from "./task_calls.ts";
import type { TaskPlan } from "./task_plan.ts";
import { resultOfRun } from "./task_result.ts";
import type { TaskQueue } from "./task_queue.ts";
import type { ToolCatalog } from "./tool_catalog.ts";

/** What {@linkcode runPlannedTask} runs with. */
export interface RunContext {
  options: OrchestratorOptions;
  connections: ConnectionManager;
  pool: SandboxPool;
  bindings: ReadonlyMap<string, ServerBinding>;
  catalog: ToolCatalog;
  signal: AbortSignal;
}

/**
 * Runs a planned task in the sandbox pool, forwarding its tool calls, and builds its result.
 *
 * @param task The task.
 * @param plan Its plan.
 * @param context The orchestrator's options, connections, pool, bindings, catalog and the task's abort signal.
 * @returns The result.
 *
 * @example
 * ```ts ignore
 * // Inside MCPOrchestrator.executeTask, once the task is planned and has a queue slot:
 * const result = await runPlannedTask(task, plan, { options, connections, pool, bindings, catalog, signal });
 * ```
 */
export async function runPlannedTask(
  task: AgentTask,
  plan: TaskPlan,
  context: RunContext,
): Promise<TaskResult> {
  const { options } = context;
  const onProgress = options.onProgress;
  const calls = new TaskCalls({
    taskId: task.id,
    allow: plan.allow,
    maxToolCalls: options.maxToolCalls ?? DEFAULT_LIMITS.maxToolCalls,
    connections: context.connections,
    baseTokens: context.catalog.definitionTokens(),
    ...(onProgress === undefined ? {} : {
      onProgress: (server, tool, p) => onProgress({ taskId: task.id, server, tool, ...p }),
    }),
  });
  const run = await context.pool.run({
    taskId: task.id,
    code: task.code,
    servers: [...plan.allow.keys()].map((s) => context.bindings.get(s)!),
    ...(plan.permissions === undefined ? {} : { permissions: plan.permissions }),
    ...(plan.cwd === undefined ? {} : { cwd: plan.cwd }),
    ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
    signal: context.signal,
    onToolCall: (call) => calls.handle(call),
  });
  return await resultOfRun(task, run, {
    toolsCalled: calls.toolsCalled,
    directTokens: await calls.directTokens(),
    warnings: plan.warnings,
    maxResultBytes: options.maxResultBytes ?? DEFAULT_LIMITS.maxResultBytes,
  });
}

/**
 * Runs a task in its turn: registers its abort controller under its id (so that `cancelTask` finds it), follows
 * the task's own signal, waits for a queue slot, and cleans up after.
 *
 * @param task The task.
 * @param state The queue and the map of active tasks' controllers.
 * @param steps `run` once a slot is free (with the signal that cancels the task); `cancelled` when it was
 *   cancelled while waiting.
 * @returns What `run` or `cancelled` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inQueue } from "./run_planned.ts";
 * import { TaskQueue } from "./task_queue.ts";
 * const task = { id: "t", description: "", code: "", requiredTools: [], status: "pending" as const };
 * const active = new Map<string, AbortController>();
 * const result = await inQueue(task, { queue: new TaskQueue(1), active }, {
 *   run: () => Promise.resolve(active.has("t")),
 *   cancelled: () => Promise.resolve(false),
 * });
 * assert.equal(result, true);
 * assert.equal(active.size, 0);
 * ```
 */
export async function inQueue<T>(
  task: AgentTask,
  state: { queue: TaskQueue; active: Map<string, AbortController> },
  steps: { run(signal: AbortSignal): Promise<T>; cancelled(): Promise<T> },
): Promise<T> {
  const controller = new AbortController();
  state.active.set(task.id, controller);
  const onAbort = () => controller.abort(task.signal?.reason);
  task.signal?.addEventListener("abort", onAbort, { once: true });
  if (task.signal?.aborted) controller.abort(task.signal.reason);
  let release: (() => void) | undefined;
  try {
    try {
      release = await state.queue.acquire(controller.signal);
    } catch {
      return await steps.cancelled();
    }
    return await steps.run(controller.signal);
  } finally {
    release?.();
    task.signal?.removeEventListener("abort", onAbort);
    state.active.delete(task.id);
  }
}

/**
 * Gives running and queued tasks time to finish, then cancels the rest and waits until they are gone.
 *
 * @param active The active tasks' abort controllers by id (entries are removed as tasks end).
 * @param timeoutMs How long to wait before cancelling.
 * @returns Resolves once no task is active.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drainTasks } from "./run_planned.ts";
 * const active = new Map([["t", new AbortController()]]);
 * active.get("t")!.signal.addEventListener("abort", () => active.delete("t"));
 * await drainTasks(active, 0);
 * assert.equal(active.size, 0);
 * ```
 */
export async function drainTasks(
  active: ReadonlyMap<string, AbortController>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const [id, controller] of active) controller.abort(new Error(`Task "${id}" was cancelled`));
  while (active.size > 0) await new Promise((r) => setTimeout(r, 10));
}
