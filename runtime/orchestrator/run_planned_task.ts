/**
 * The run of a task that passed its checks and holds a place in the queue: its tool calls, its sandbox run, its
 * result, and the session quota check after it.
 *
 * @module
 */

import type { ApprovalGate } from "../approvals/mod.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import { logger } from "../log.ts";
import type { CatalogRequest, SandboxPool } from "../sandbox/mod.ts";
import type { ServerBinding } from "../wire/mod.ts";
import type { AgentTask, TaskResult } from "../types.ts";
import type { CallToolResult } from "../sdk.ts";
import { DEFAULT_LIMITS, type OrchestratorOptions } from "./options.ts";
import type { OrchestratorEvents } from "./orchestrator_events.ts";
import type { PrivacyVaults, TaskPrivacy } from "../privacy/mod.ts";
import type { SessionSpaces } from "./session_spaces.ts";
import { TaskCalls } from "./task_calls.ts";
import { progressHooks, withQuotaFailure } from "./task_checks.ts";
import type { TaskPlan } from "./task_plan.ts";
import { resultOfRun } from "./task_result.ts";

const log = logger("orchestrator");

/** What {@linkcode runPlannedTask} runs against. */
export interface RunContext {
  options: OrchestratorOptions;
  /** Checks approval rules before each call goes out. */
  approvals: ApprovalGate;
  /** Receives the tool-call events. */
  events: OrchestratorEvents;
  /** With `pii` on: the session vaults that put placeholders into results and restore arguments. */
  privacy?: PrivacyVaults;
  connections: ConnectionManager;
  pool: SandboxPool;
  /** The Python pool, for tasks with `language: "python"` (made on first need). */
  pythonPool?: () => Promise<SandboxPool>;
  bindings: Map<string, ServerBinding>;
  sessions: SessionSpaces;
  /** Tokens of the tool definitions (the base of `tokensDirect`). */
  baseTokens: number;
  /** Cancels the run. */
  signal: AbortSignal;
  /** Answers agent code's reads of the tool catalog (`tools.search`, `tools.list`). */
  onCatalog?: (request: CatalogRequest) => Promise<unknown>;
  /** Receives each successful raw tool result (output type inference). */
  onResult?: (server: string, tool: string, result: CallToolResult) => void;
  /** The folder of the task principal's private skill `name`, which `skills/<name>/...` imports resolve to. */
  privateSkillFolder?: (name: string) => string | undefined;
}

/**
 * Runs a planned task in the sandbox pool and builds its result.
 *
 * @param task The task.
 * @param context The plan and what it runs against.
 * @returns The result (never rejects for the task's own failure).
 *
 * @example
 * ```ts ignore
 * const result = await runPlannedTask(task, { ...context, plan });
 * ```
 */
export async function runPlannedTask(
  task: AgentTask,
  context: RunContext & { plan: TaskPlan },
): Promise<TaskResult> {
  // With a shared vault store, the session's tokens issued on other replicas are taken in first and this task's
  // are stored after it.
  const session = task.session;
  if (session !== undefined) await context.privacy?.pull(session);
  const privacy = context.privacy?.forTask(task);
  try {
    return await runWithCalls(task, context, privacy);
  } finally {
    privacy?.end();
    // The result stands: only other replicas miss this task's new tokens until the next task of the session.
    if (session !== undefined) {
      await context.privacy?.push(session).catch((error) =>
        log.warn("{message}", { message: (error as Error).message })
      );
    }
  }
}

function pythonPool(context: RunContext): Promise<SandboxPool> {
  if (context.pythonPool === undefined) {
    return Promise.reject(new Error("Cannot run Python: this orchestrator has no Python pool"));
  }
  return context.pythonPool();
}

async function runWithCalls(
  task: AgentTask,
  context: RunContext & { plan: TaskPlan },
  privacy: TaskPrivacy | undefined,
): Promise<TaskResult> {
  const { options, plan } = context;
  const onProgress = options.onProgress;
  const hooks = progressHooks(task.id, options.onTaskProgress);
  const calls = new TaskCalls({
    ...(privacy === undefined ? {} : { privacy }),
    taskId: task.id,
    ...(task.session === undefined ? {} : { session: task.session }),
    ...(task.principal === undefined ? {} : { principal: task.principal }),
    allow: plan.allow,
    approvals: context.approvals,
    events: context.events,
    maxToolCalls: options.maxToolCalls ?? DEFAULT_LIMITS.maxToolCalls,
    connections: context.connections,
    baseTokens: context.baseTokens,
    ...(onProgress === undefined ? {} : {
      onProgress: (server, tool, p) => onProgress({ taskId: task.id, server, tool, ...p }),
    }),
    ...(hooks.onCallDone === undefined ? {} : { onCallDone: hooks.onCallDone }),
    ...(context.onResult === undefined ? {} : { onResult: context.onResult }),
  });
  const pool = task.language === "python" ? await pythonPool(context) : context.pool;
  const run = await pool.run({
    taskId: task.id,
    code: task.code,
    ...(plan.program === undefined ? {} : { program: plan.program }),
    servers: [...plan.allow.keys()].map((s) => context.bindings.get(s)!),
    ...(plan.permissions === undefined ? {} : { permissions: plan.permissions }),
    ...(plan.cwd === undefined ? {} : { cwd: plan.cwd }),
    ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
    signal: context.signal,
    onToolCall: (call) => calls.handle(call),
    ...(context.onCatalog === undefined ? {} : { onCatalog: context.onCatalog }),
    ...(context.privateSkillFolder === undefined
      ? {}
      : { privateSkillFolder: context.privateSkillFolder }),
    ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
  });
  const result = await resultOfRun(task, run, {
    toolsCalled: calls.toolsCalled,
    directTokens: await calls.directTokens(),
    warnings: plan.warnings,
    maxResultBytes: options.maxResultBytes ?? DEFAULT_LIMITS.maxResultBytes,
  });
  const over = task.session === undefined || plan.cwd === undefined
    ? undefined
    : await context.sessions.overQuota(task.session);
  return over === undefined ? result : withQuotaFailure(result, over);
}
