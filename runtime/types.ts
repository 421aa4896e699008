/**
 * The task and result shapes users of {@linkcode MCPOrchestrator} pass and get back.
 *
 * @module
 */

import type { WorkerPermissions } from "./sandbox_runtime/protocol.ts";

export type { WorkerPermissions };

/** Where a task stands. A result is always one of the last four. */
export type TaskStatus = "pending" | "running" | "completed" | "failed" | "timeout" | "cancelled";

/** A program an agent wrote, and what it may touch. */
export interface AgentTask {
  /** Unique among the tasks the orchestrator is running or has queued. */
  id: string;
  /** A line saying what the task is for; shown in logs and stats. */
  description: string;
  /** The agent code: a TypeScript module body with top-level await and an optional top-level `return`. */
  code: string;
  /**
   * The tools the code may call: a server name (`"memory"`, every tool of it) or `"server.tool"`
   * (`"memory.read_graph"`). Any other call is refused. Each server named here is in scope as a namespace.
   */
  requiredTools: string[];
  /** Set by the caller to `"pending"`; the orchestrator reports the final status in the result. */
  status: TaskStatus;
  /** Per-task limits; each falls back to the orchestrator's default. */
  timeoutMs?: number;
  /** Extra permissions for the Worker that runs the code. Default: none. */
  permissions?: WorkerPermissions;
  /** Cancels the task: a queued task never starts, a running one is killed. */
  signal?: AbortSignal;
}

/** An error as a task result reports it. */
export interface TaskErrorInfo {
  /** The error's class name, e.g. `"ToolError"`, `"TypeError"`, `"TimeoutError"`. */
  name: string;
  /** A machine-readable code, e.g. `"timeout"`, `"memory_limit"`, `"not_allowed"`, `"tool_failed"`. */
  code: string;
  /** What went wrong, naming the limit, tool or value involved. */
  message: string;
  /** The agent-side stack, with paths rewritten to `agent.ts`, when there is one. */
  stack?: string;
}

/** Measurements of one task run. */
export interface TaskStats {
  /** Wall-clock time from start in the sandbox to result, in milliseconds (queue time excluded). */
  duration: number;
  /** Tokens of what reaches the model from this task: the code, the data, the logs and the error. */
  tokensUsed: number;
  /** Peak resident memory of the sandbox process, in bytes (0 when it was never sampled). */
  memoryUsed: number;
  /** Every tool call made, in order, as `"server.tool"`. */
  toolsCalled: string[];
}

/** What {@linkcode MCPOrchestrator.executeTask} resolves to. It never rejects for a task's own failure. */
export interface TaskResult {
  id: string;
  status: "completed" | "failed" | "timeout" | "cancelled";
  /** The code's return value, when it completed. */
  data?: unknown;
  /** Console output, one entry a line, capped; a final entry says what was cut. */
  logs: string[];
  error?: TaskErrorInfo;
  stats: TaskStats;
}
