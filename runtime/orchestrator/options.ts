/**
 * The options, limits and stats shapes of {@linkcode MCPOrchestrator}.
 *
 * @module
 */

import type { ApprovalRules, Approver } from "../approvals/mod.ts";
import type { RuleAction, RuleName } from "../blocker/mod.ts";
import type { McpConfig } from "../config.ts";
import type { ServerStatus } from "../connections/mod.ts";
import type { EmbedFunction, SearchDetail, UsageMemoryOptions } from "../search/mod.ts";
import type { AuthorizationUrlHandler, SignInStore } from "../connections/auth/mod.ts";
import type { ElicitationHandler } from "../connections/mod.ts";
import type { PiiOptions, VaultStore } from "../privacy/mod.ts";
import type { SkillRows, UsageRows } from "../state/mod.ts";
import type { TaskResult } from "../types.ts";
import type { OrchestratorEventListener } from "./orchestrator_events.ts";
import type { TypecheckMode } from "../typecheck/mod.ts";

/**
 * A progress notification a server sent during a task's tool call.
 *
 * @example A listener for servers' progress notifications
 * ```ts
 * import { MCPOrchestrator, type ToolProgressEvent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const onProgress = (e: ToolProgressEvent) => seen.push(`${e.server}.${e.tool} ${e.progress}/${e.total ?? "?"}`);
 * const dir = await Deno.makeTempDir();
 * await using _orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`, onProgress });
 * onProgress({ taskId: "t1", server: "everything", tool: "long_running", progress: 2, total: 5 });
 * assert.deepEqual(seen, ["everything.long_running 2/5"]);
 * ```
 */
export interface ToolProgressEvent {
  /** The task whose call it is. */
  taskId: string;
  /** The server the call went to. */
  server: string;
  /** The tool called. */
  tool: string;
  /** The progress so far, as the server counts it. */
  progress: number;
  /** The total, if the server knows it. */
  total?: number;
  /** The server's message, if any. */
  message?: string;
}

/**
 * A task's progress as `onTaskProgress` reports it: a tool call that finished (`kind: "tool_call"`), or the agent
 * code's own report through `progress(done, total?, message?)` (`kind: "agent"`).
 *
 * @example The agent code's own progress reports
 * ```ts
 * import { MCPOrchestrator, type TaskProgressEvent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const events: TaskProgressEvent[] = [];
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`,
 *   onTaskProgress: (e) => events.push(e) });
 * await orch.initialize();
 * await orch.executeTask({ id: "t1", description: "x", code: 'progress(1, 2, "half");', requiredTools: [], status: "pending" });
 * assert.equal(events[0]?.kind, "agent");
 * ```
 */
export type TaskProgressEvent =
  | {
    kind: "tool_call";
    taskId: string;
    server: string;
    tool: string;
    /** Whether the call returned a result (false: it threw). */
    ok: boolean;
    /** Tool calls of the task finished so far, this one included. */
    finishedCalls: number;
  }
  | { kind: "agent"; taskId: string; progress: number; total?: number; message?: string };

/**
 * Options for `MCPOrchestrator`.
 *
 * @example A task deadline
 * ```ts
 * import { MCPOrchestrator, type OrchestratorOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const options: OrchestratorOptions = { config: { servers: {} }, serversDir: `${dir}/servers`, taskTimeoutMs: 500 };
 * await using orch = new MCPOrchestrator(options);
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "spin", code: "while (true) {}", requiredTools: [],
 *   status: "pending" });
 * assert.equal(result.status, "timeout");
 * ```
 */
export interface OrchestratorOptions {
  /** The path of an mcp.json file, or an already validated config. */
  config: string | McpConfig;
  /** How many tasks run at once; the rest wait in order. Default 4. */
  maxConcurrentTasks?: number;
  /**
   * The most tasks of one session (`AgentTask.session`; tasks without one count together) that may wait for a
   * place; one more fails at once with code `"queue_full"`. Default 64.
   */
  maxQueuedTasksPerSession?: number;
  /**
   * Where the generated server modules go. Default: `servers/` beside the config file; for a config given as an
   * object, `servers/` in `stateDir`.
   */
  serversDir?: string;
  /** Where skills are kept. Default: `skills/` beside `serversDir`. */
  skillsDir?: string;
  /**
   * Where principals' private skills are kept, one folder each (`<dir>/<encoded id>/<name>/`). It lies outside
   * `skillsDir` so that a sandbox can read the shared skills without reading anyone's private ones: a task that
   * imports its principal's private skill gets read access to that principal's folder only. Default:
   * `principal-skills/` beside `skillsDir`.
   */
  privateSkillsDir?: string;
  /** Scratch space for sandbox processes (their DENO_DIR and sockets). Default: a new temporary folder. */
  stateDir?: string;
  /** Where task workspaces live, one folder each. Default: `workspaces/` in `stateDir`. */
  workspacesDir?: string;
  /** Sandbox processes kept started and waiting for tasks with the default permissions. Default 2. */
  poolSize?: number;
  /**
   * Python sandbox processes kept started with an interpreter ready (each holds 100–150 MB). Default 0: the first
   * Python task makes the pool (about 2–4 s, once), and each Python task then starts its own process.
   */
  pythonPoolSize?: number;
  /** The npm package `pyodide`'s folder, for Python tasks. Default: found in the project's `node_modules`. */
  pyodideDir?: string;
  /**
   * How many tasks with the default permissions one sandbox process may run, each in a fresh Worker, after clean
   * finishes (see SECURITY.md). `1` gives every task a new process. Default 100.
   */
  maxTasksPerProcess?: number;
  /** A pooled sandbox process whose resident memory grew by more than this, in MB, is not reused. Default 8. */
  maxReuseRssGrowthMb?: number;
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
  /**
   * The most a task's code may take, in UTF-8 bytes; larger code is refused (`code_too_large`) before it is parsed.
   * Default 1 MiB.
   */
  maxCodeBytes?: number;
  /** The most tool calls one task may make; the next one fails with a ToolError naming the limit. Default 1,000. */
  maxToolCalls?: number;
  /**
   * The most a task's return value may take as JSON, in bytes (at least 64); larger values are cut structurally, and
   * an error's message and stack are cut to as many characters. Default 1 MiB.
   */
  maxResultBytes?: number;
  /**
   * Type-checks agent code against the generated `servers/` types before it runs (see docs/typecheck.md):
   * `"error"` refuses a task with type errors (code `"type_error"`), `"warn"` runs it with the errors in
   * `warnings` and the first log lines. The checker runs in a Worker of its own. Default `"off"` (the daemon and
   * `mcpx run` default to `"warn"`).
   */
  typecheck?: TypecheckMode;
  /**
   * For tools that declare no `outputSchema`: infer a `<Tool>Output` type from their structured results and add it
   * to the generated modules (kept in `servers/<server>/_inferred.json`). Default `true`.
   */
  inferOutputTypes?: boolean;
  /** The pattern blocker's action per rule (`"block"`, `"warn"`, `"allow"`); unlisted rules keep their default. */
  blockerPolicy?: Partial<Record<RuleName, RuleAction>>;
  /**
   * What `executeSkill` does when a tool the skill uses changed incompatibly since it was saved (removed, a new
   * required parameter, a removed or retyped parameter): `"fail"` refuses to run it (code `"skill_incompatible"`),
   * `"warn"` runs it and adds a warning to the result. Default `"fail"`.
   */
  skillBreakingChanges?: "fail" | "warn";
  /** How many versions are kept per skill; the oldest are removed on save, never the current one. Default 50. */
  skillMaxVersions?: number;
  /** The most bytes (UTF-8) of code a skill may have; a larger one is refused on save. Default 262,144 (256 KiB). */
  skillMaxCodeBytes?: number;
  /** How many read skills the skill store caches (least recently used dropped first). Default 1,000. */
  skillCacheEntries?: number;
  /**
   * Privacy: with `{ enabled: true }`, personal data and secrets in tool results are replaced by tokens before they
   * enter the sandbox, and restored in later calls' arguments as the data-flow rules allow. Off by default.
   */
  pii?: PiiOptions;
  /**
   * Where session vaults are shared with other replicas, so a token issued on one is restored on another for the
   * same session: the daemon with `state.url` gives the encrypted rows of PostgreSQL. Default: in this process.
   */
  piiVaultStore?: VaultStore;
  /** Receives the progress notifications servers send during tool calls. */
  onProgress?: (event: ToolProgressEvent) => void;
  /** Receives each finished tool call of a task and the agent code's own `progress()` reports. */
  onTaskProgress?: (event: TaskProgressEvent) => void;
  /** Where session folders live (`AgentTask.session`), one each. Default: `sessions/` in `stateDir`. */
  sessionsDir?: string;
  /** The most a session's folder may hold, in MB, measured after each task. Default 100. */
  sessionQuotaMb?: number;
  /**
   * Receives an event when each tool call and each task finishes (sizes, codes and durations, never values). A
   * listener that throws is logged and ignored. More listeners: `orch.onEvent()`.
   */
  onEvent?: OrchestratorEventListener;
  /**
   * Approval rules keyed by `"*"`, a server or `"server.tool"`, each `"allow"`, `"ask"` or `"deny"`; the most
   * specific key wins. Without a matching key: `"ask"` for tools annotated `destructiveHint: true` (and not
   * `readOnlyHint`), `"allow"` for the rest. Refused calls get a ToolError `"not_approved"`.
   */
  approvals?: ApprovalRules;
  /** Asked before a call whose rule is `"ask"` goes out; the agent code waits. Without it such calls are refused. */
  approve?: Approver;
  /** How long `approve` may take before the call is refused, in milliseconds. Default 60,000. */
  approvalTimeoutMs?: number;
  /**
   * Embeds texts (a query, tool names and descriptions) for hybrid tool search: `findTools`, `findToolsText` (the
   * daemon's `search_tools`) and agent code's `tools.search` blend its similarities into BM25; tool texts are
   * embedded in the background as servers connect. `universalSentenceEncoder()` runs offline. Default: BM25 with
   * lexical knowledge only.
   */
  embed?: EmbedFunction;
  /**
   * Learning from use: a search followed by a task of the same session that calls a tool ranks that tool higher
   * for the search's words next time. Only words are kept, in `file` (default `search_usage.json` in `stateDir`),
   * bounded and decaying. `false` turns it off. Default: on.
   */
  learnFromUse?: boolean | (UsageMemoryOptions & { file?: string });
  /**
   * A state store shared by replicas (a `PostgresStateStore`): saved skills become its rows (each replica's skills
   * folders a copy it keeps in step) and learned search use its counters (instead of `search_usage.json`). The
   * caller opens and closes it. Default: none, everything in files.
   */
  state?: { skills?: SkillRows | undefined; usage?: UsageRows | undefined };
  /**
   * Answers a server's `elicitation/create` (form or URL mode); the request names the task whose tool call it
   * belongs to when that is known. Without it servers are told the client cannot elicit.
   */
  onElicitation?: ElicitationHandler;
  /** How long an elicitation waits for its answer before it is declined, in milliseconds. Default 600,000. */
  elicitationTimeoutMs?: number;
  /**
   * The file OAuth sign-ins of remote servers are kept in (mode 0600). Default: `$MCP_EXECUTOR_TOKEN_FILE`, else
   * `mcp-executor/tokens.json` in `$XDG_CONFIG_HOME` or `~/.config`.
   */
  signInFile?: string;
  /**
   * The old name of `signInFile`, read when `signInFile` is not given.
   *
   * @deprecated Use `signInFile`: "token" alone names LLM tokens; this option names where sign-ins are kept.
   */
  tokenFile?: string;
  /**
   * Where OAuth sign-ins are kept instead of `signInFile`: the daemon with `state.url` gives the shared, encrypted
   * store of every replica (`SharedSignInStore`).
   */
  signInStore?: SignInStore;
  /**
   * Shows a sign-in's authorization URL to the user. Without it a server that needs a sign-in fails to start with
   * an error naming `deno task auth <server>`.
   */
  onAuthorizationUrl?: AuthorizationUrlHandler;
  /**
   * The most connections kept open for principals other than the default one, to servers that sign in per
   * principal (remote servers without an `Authorization` header of their own); the least recently used idle one is
   * closed past it. Default 32.
   */
  maxPrincipalConnections?: number;
}

/**
 * Defaults of the limits in {@linkcode OrchestratorOptions}.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LIMITS.taskTimeoutMs, 30_000);
 * assert.equal(DEFAULT_LIMITS.maxConcurrentTasks, 4);
 * ```
 */
export const DEFAULT_LIMITS = {
  maxConcurrentTasks: 4,
  maxQueuedTasksPerSession: 64,
  taskTimeoutMs: 30_000,
  heapMb: 128,
  memoryLimitMb: 256,
  maxLogBytes: 64 * 1024,
  maxToolCalls: 1_000,
  maxCodeBytes: 1024 * 1024,
  maxResultBytes: 1024 * 1024,
  callTimeoutMs: 60_000,
  sessionQuotaMb: 100,
} as const;

/**
 * Options for `MCPOrchestrator.searchTools`.
 *
 * @example Search (here over no servers)
 * ```ts
 * import { MCPOrchestrator, type SearchToolsOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const options: SearchToolsOptions = { detail: "name", limit: 3 };
 * assert.deepEqual(orch.searchTools("read a file", options), []);
 * ```
 */
export interface SearchToolsOptions {
  /** `"name"`: `server.tool` names; `"description"` (default): plus a line and the import; `"full"`: plus types. */
  detail?: SearchDetail;
  /** The most hits. Default 10. */
  limit?: number;
  /** Only these servers. */
  servers?: readonly string[];
  /** The session searching: a task of the same session that calls tools teaches the ranking. */
  session?: string;
}

/**
 * What `MCPOrchestrator.getStats` reports.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type OrchestratorStats } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.executeTask({ id: "t1", description: "x", code: "return 1;", requiredTools: [], status: "pending" });
 * const stats: OrchestratorStats = orch.getStats();
 * assert.equal(stats.completedTasks.completed, 1);
 * assert.deepEqual([stats.tools, stats.activeTasks], [0, 0]);
 * ```
 */
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
  /** Tasks running now. */
  activeTasks: number;
  /** Tasks waiting for a free slot. */
  queuedTasks: number;
  /** The most tasks that run at once. */
  maxConcurrentTasks: number;
  /** Tasks finished since start, by status. */
  completedTasks: Record<TaskResult["status"], number>;
}
