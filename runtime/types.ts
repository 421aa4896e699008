/**
 * The task and result shapes users of {@linkcode MCPOrchestrator} pass and get back.
 *
 * @module
 */

import type { WorkerPermissions } from "./wire/mod.ts";

export type { WorkerPermissions };

/**
 * Where a task stands. A result is always one of the last four.
 *
 * @example
 * ```ts
 * import type { TaskStatus } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const status: TaskStatus = "pending";
 * const done: TaskStatus[] = ["completed", "failed", "timeout", "cancelled"];
 * assert.ok(!done.includes(status));
 * ```
 */
export type TaskStatus = "pending" | "running" | "completed" | "failed" | "timeout" | "cancelled";

/**
 * A program an agent wrote, and what it may touch.
 *
 * @example Run a task that calls no tool
 * ```ts
 * import { type AgentTask, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const task: AgentTask = { id: "t1", description: "add", code: "return 1 + 2;", requiredTools: [], status: "pending" };
 * assert.equal((await orch.executeTask(task)).data, 3);
 * ```
 */
export interface AgentTask {
  /** Unique among the tasks the orchestrator is running or has queued. */
  id: string;
  /** A line saying what the task is for; shown in logs and stats. */
  description: string;
  /**
   * The agent code: a TypeScript module body with top-level await and an optional top-level `return`; or, with
   * `language: "python"`, a Python module body with top-level `await` whose last expression is the result.
   */
  code: string;
  /** The language of {@linkcode AgentTask.code}. Default `"typescript"`. See docs/python.md. */
  language?: "typescript" | "python";
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
  /**
   * A named folder that keeps state between tasks: the Worker may read and write it, and relative paths in the code
   * resolve against it (`await Deno.writeTextFile("notes.txt", ...)`). Letters, digits, `.`, `_` and `-`, at most 64
   * characters. Tasks without one (and without `permissions`) can read only the generated `servers/` modules and
   * the saved skills, and write nothing.
   */
  workspace?: string;
  /**
   * The client session the task belongs to (the daemon sets it per MCP client session). Tasks of one session share
   * that session's state; no session sees another's. Letters, digits, `.`, `_` and `-`, at most 128 characters.
   */
  session?: string;
  /**
   * Who the task acts for (the daemon sets the session's principal): upstream sign-ins, private skills and audit
   * lines are that principal's. Default `"default"`.
   */
  principal?: string;
  /** Cancels the task: a queued task never starts, a running one is killed. */
  signal?: AbortSignal;
}

/**
 * An error as a task result reports it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type TaskErrorInfo } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "fail", code: 'throw new RangeError("too big");',
 *   requiredTools: [], status: "pending" });
 * const error: TaskErrorInfo | undefined = result.error;
 * assert.equal(result.status, "failed");
 * assert.deepEqual([error?.name, error?.message], ["RangeError", "too big"]);
 * ```
 */
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

/**
 * Measurements of one task run.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type TaskStats } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const { stats } = await orch.executeTask({ id: "t1", description: "x", code: "return [1, 2, 3];", requiredTools: [],
 *   status: "pending" });
 * const s: TaskStats = stats;
 * assert.deepEqual(s.toolsCalled, []);
 * assert.ok(s.duration >= 0 && s.tokensUsed > 0);
 * ```
 */
export interface TaskStats {
  /** Wall-clock time from start in the sandbox to result, in milliseconds (queue time excluded). */
  duration: number;
  /** Tokens (o200k_base) of what reaches the model from this task: the code, the data, the logs and the error. */
  tokensUsed: number;
  /**
   * Tokens the same work would have cost with classic tool calling, counted from what really happened: the tool
   * definitions of every connected server, plus every tool call's name and arguments and every raw tool result.
   */
  tokensDirect: number;
  /** `1 - tokensUsed / tokensDirect`: 0.987 means 98.7 % saved; negative when code mode cost more. */
  tokensSaved: number;
  /** Peak resident memory of the sandbox process, in bytes (0 when it was never sampled). */
  memoryUsed: number;
  /** Every tool call made, in order, as `"server.tool"` (refused calls are not listed). */
  toolsCalled: string[];
}

/**
 * What {@linkcode MCPOrchestrator.executeTask} resolves to. It never rejects for a task's own failure.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type TaskResult } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result: TaskResult = await orch.executeTask({ id: "t1", description: "log", code: 'console.log("hi");\nreturn "ok";',
 *   requiredTools: [], status: "pending" });
 * assert.equal(result.status, "completed");
 * assert.deepEqual([result.data, result.logs], ["ok", ["hi"]]);
 * ```
 */
export interface TaskResult {
  /** The task's id, as given. */
  id: string;
  /** How the task ended. */
  status: "completed" | "failed" | "timeout" | "cancelled";
  /** The code's return value, when it completed; cut to `maxResultBytes` with markers where it was larger. */
  data?: unknown;
  /** Whether `data` was cut to fit `maxResultBytes`. */
  dataTruncated?: boolean;
  /** What the pattern blocker warned about (rules whose policy is `"warn"`), as `rule at line:column: reason`. */
  warnings?: string[];
  /** Console output, one entry a line, capped; a final entry says what was cut. */
  logs: string[];
  /** Why the task failed, when it did. */
  error?: TaskErrorInfo;
  /** Time, tool calls and token figures. */
  stats: TaskStats;
}
