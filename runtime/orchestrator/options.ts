/**
 * The options, limits and stats shapes of {@linkcode MCPOrchestrator}.
 *
 * @module
 */

import type { RuleAction, RuleName } from "../blocker/mod.ts";
import type { McpConfig } from "../config.ts";
import type { ServerStatus } from "../connections/connection_manager.ts";
import type { PiiOptions } from "../privacy/mod.ts";
import type { SearchDetail } from "../search/mod.ts";
import type { TaskResult } from "../types.ts";

/** A progress notification a server sent during a task's tool call. */
export interface ToolProgressEvent {
  taskId: string;
  server: string;
  tool: string;
  progress: number;
  total?: number;
  message?: string;
}

/** Options for `MCPOrchestrator`. */
export interface OrchestratorOptions {
  /** The path of an mcp.json file, or an already validated config. */
  config: string | McpConfig;
  /** How many tasks run at once; the rest wait in order. Default 4. */
  maxConcurrentTasks?: number;
  /** Where the generated server modules go. Default: `servers/` beside the config file (or the current folder). */
  serversDir?: string;
  /** Where skills are kept. Default: `skills/` beside `serversDir`. */
  skillsDir?: string;
  /** Scratch space for sandbox processes (their DENO_DIR and sockets). Default: a new temporary folder. */
  stateDir?: string;
  /** Where task workspaces live, one folder each. Default: `workspaces/` in `stateDir`. */
  workspacesDir?: string;
  /** Sandbox processes kept started and waiting for tasks with the default permissions. Default 2. */
  poolSize?: number;
  /** A task's deadline unless it sets its own, in milliseconds. Default 30,000. */
  taskTimeoutMs?: number;
  /** The V8 heap cap of a sandbox process, in MB. Default 128. */
  heapMb?: number;
  /** The resident-memory cap of a sandbox process, in MB (catches ArrayBuffers outside the heap). Default 256. */
  memoryLimitMb?: number;
  /** The most console output a task returns, in bytes. Default 64 KiB. */
  maxLogBytes?: number;
  /** The deadline of one tool call, in milliseconds, unless the server's mcp.json entry sets one. Default 60,000. */
  callTimeoutMs?: number;
  /** How long a server may take to start and list its tools, in milliseconds. Default 60,000. */
  connectTimeoutMs?: number;
  /** The most tool calls one task may make; the next one fails with a ToolError naming the limit. Default 1,000. */
  maxToolCalls?: number;
  /**
   * The most a task's return value may take as JSON, in bytes (at least 64); larger values are cut structurally, and
   * an error's message and stack are cut to as many characters. Default 1 MiB.
   */
  maxResultBytes?: number;
  /** The pattern blocker's action per rule (`"block"`, `"warn"`, `"allow"`); unlisted rules keep their default. */
  blockerPolicy?: Partial<Record<RuleName, RuleAction>>;
  /**
   * Privacy: with `{ enabled: true }`, personal data and secrets in tool results are replaced by tokens before they
   * enter the sandbox, and restored in later calls' arguments as the data-flow rules allow. Off by default.
   */
  pii?: PiiOptions;
  /** Receives the progress notifications servers send during tool calls. */
  onProgress?: (event: ToolProgressEvent) => void;
}

/** Defaults of the limits in {@linkcode OrchestratorOptions}. */
export const DEFAULT_LIMITS = {
  maxConcurrentTasks: 4,
  taskTimeoutMs: 30_000,
  heapMb: 128,
  memoryLimitMb: 256,
  maxLogBytes: 64 * 1024,
  maxToolCalls: 1_000,
  maxResultBytes: 1024 * 1024,
  callTimeoutMs: 60_000,
} as const;

/** Options for `MCPOrchestrator.searchTools`. */
export interface SearchToolsOptions {
  /** `"name"`: `server.tool` names; `"description"` (default): plus a line and the import; `"full"`: plus types. */
  detail?: SearchDetail;
  /** The most hits. Default 10. */
  limit?: number;
  /** Only these servers. */
  servers?: readonly string[];
}

/** What `MCPOrchestrator.getStats` reports. */
export interface OrchestratorStats {
  /** Each configured server: its state, transport, tool count and, when it failed, why. */
  servers: ServerStatus[];
  /** Tools across the connected servers. */
  tools: number;
  /** Skills found in the skills folder. */
  skills: number;
  /**
   * Sandbox processes: `idle` ones wait, started, for a task with the default permissions; `alive` counts every
   * process, running or idle. At most `maxConcurrentTasks` run agent code, and the pool keeps `poolSize` idle.
   */
  sandboxes: { idle: number; alive: number };
  activeTasks: number;
  queuedTasks: number;
  maxConcurrentTasks: number;
  /** Tasks finished since start, by status. */
  completedTasks: Record<TaskResult["status"], number>;
}
