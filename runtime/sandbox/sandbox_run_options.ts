/**
 * The options of one task for `SandboxPool.run`.
 *
 * @module
 */

import type { ServerBinding, WorkerPermissions } from "../wire/mod.ts";
import type { AgentProgram } from "./parse_agent_code.ts";
import type { CatalogRequest, ToolCallRequest } from "./run_result.ts";
import type { AgentProgress } from "./task_run.ts";

/** One task for `SandboxPool.run`. */
export interface SandboxRunOptions {
  /** The task's id. */
  taskId: string;
  /** The agent code: a TypeScript module body with top-level `await` and `return`. */
  code: string;
  /** The code's AST from `parseAgentCode`, when the caller parsed it already (it is then not parsed again). */
  program?: AgentProgram;
  /** The servers in scope as namespaces. Default: none. */
  servers?: ServerBinding[];
  /** The Worker's extra permissions. Default: none (the pooled set: read on `servers/` and `skills/`). */
  permissions?: WorkerPermissions;
  /**
   * The process's working folder, for a task with a workspace (its permissions should cover it); relative paths in
   * agent code resolve against it. A task with a `cwd` gets a fresh process. Default: `/`.
   */
  cwd?: string;
  /** Overrides `SandboxPoolOptions.timeoutMs`. */
  timeoutMs?: number;
  /** Overrides `SandboxPoolOptions.heapMb`; a different value needs a fresh process. */
  heapMb?: number;
  /** Overrides `SandboxPoolOptions.memoryLimitMb`. */
  memoryLimitMb?: number;
  /** Overrides `SandboxPoolOptions.maxLogBytes`. */
  maxLogBytes?: number;
  /** Cancels the task: it ends as `cancelled` and its process is killed. */
  signal?: AbortSignal;
  /** Answers a tool call; what it throws reaches the agent as a ToolError. */
  onToolCall(call: ToolCallRequest): Promise<unknown>;
  /** Receives the agent code's own progress reports. */
  onProgress?(report: AgentProgress): void;
  /** Answers agent code's reads of the tool catalog (`tools.search`, `tools.list`). Default: they fail. */
  onCatalog?(request: CatalogRequest): Promise<unknown>;
  /**
   * The folder (absolute) that `skills/<name>/...` imports resolve to instead of `<skills>/<name>/`: the task
   * principal's private skill of that name. `undefined` for a name it has no private skill of. Default: none.
   */
  privateSkillFolder?(name: string): string | undefined;
}
