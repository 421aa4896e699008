/**
 * `MCPOrchestrator`: connects the configured MCP servers, generates their modules, and runs each
 * {@linkcode AgentTask} in a sandbox process, forwarding the tool calls it makes after checking them against the
 * task's `requiredTools`.
 *
 * @module
 */

import type { ConnectionManager } from "../connections/connection_manager.ts";
import {
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
} from "./options.ts";
import { PrivacyVaults, type TaskPrivacy } from "../privacy/mod.ts";
import type { SandboxPool } from "../sandbox/mod.ts";
import type { ServerBinding } from "../sandbox_runtime/protocol.ts";
import type { ServerSummary, ToolSearchHit, ToolSummary } from "../search/mod.ts";
import type { Tool } from "../sdk.ts";
import { countSkills, regenerateServer, startOrchestrator } from "./startup.ts";
import { TaskCalls } from "./task_calls.ts";
import { planTask } from "./task_plan.ts";
import { TaskQueue } from "./task_queue.ts";
import { resultOfRun, resultWithoutRun } from "./task_result.ts";
import { ToolCatalog } from "./tool_catalog.ts";
import { checkTask, validateOptions, workspaceFolder } from "./validate.ts";
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";

export {
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
  type ToolProgressEvent,
} from "./options.ts";

/**
 * Runs agent code against MCP servers, each task in its own sandbox process.
 *
 * @example
 * ```ts ignore
 * import { MCPOrchestrator } from "./orchestrator.ts";
 * await using orch = new MCPOrchestrator({ config: "mcp.json", maxConcurrentTasks: 4 });
 * await orch.initialize();
 * const result = await orch.executeTask({
 *   id: "t1",
 *   description: "names of people in the graph",
 *   code: `const g = await memory.readGraph();
 * return g.entities.filter((e) => e.entityType === "person").map((e) => e.name);`,
 *   requiredTools: ["memory"],
 *   status: "pending",
 * });
 * console.log(result.status, result.data);
 * ```
 */
export class MCPOrchestrator implements AsyncDisposable {
  #options: OrchestratorOptions;
  #connections: ConnectionManager | undefined;
  #pool: SandboxPool | undefined;
  #queue: TaskQueue;
  #catalog = new ToolCatalog();
  #serversDir = "";
  #skillsDir = "";
  #workspacesDir = "";
  #ownStateDir: string | undefined;
  #initialized: Promise<void> | undefined;
  #closing = false;
  #active = new Map<string, AbortController>();
  #bindings = new Map<string, ServerBinding>();
  #finished: Record<TaskResult["status"], number> = {
    completed: 0,
    failed: 0,
    timeout: 0,
    cancelled: 0,
  };
  #toolsChanged = new Set<(server: string, tools: readonly Tool[]) => void>();
  #privacy: PrivacyVaults | undefined;

  /**
   * @param options The config (a path or an object) and limits; see {@linkcode OrchestratorOptions}.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   * @throws {TypeError} When `blockerPolicy` names an unknown rule or action.
   */
  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#queue = new TaskQueue(options.maxConcurrentTasks ?? DEFAULT_LIMITS.maxConcurrentTasks);
    validateOptions(options);
    if (options.pii?.enabled === true) this.#privacy = new PrivacyVaults(options.pii);
  }

  /**
   * Loads the config, connects every server (one failing does not stop the others), generates `servers/`, and
   * starts the sandbox pool. Calling it again returns the same promise.
   *
   * @returns Resolves once ready.
   * @throws {ConfigError} When the config cannot be loaded.
   */
  initialize(): Promise<void> {
    this.#initialized ??= this.#initialize();
    return this.#initialized;
  }

  async #initialize(): Promise<void> {
    const started = await startOrchestrator(this.#options, {
      catalog: this.#catalog,
      poolSize: this.#options.poolSize ?? Math.min(2, this.#queue.limit),
      onToolsChanged: (server, tools) => void this.#onToolsChanged(server, tools),
    });
    this.#connections = started.connections;
    this.#pool = started.pool;
    this.#bindings = started.bindings;
    this.#serversDir = started.serversDir;
    this.#skillsDir = started.skillsDir;
    this.#workspacesDir = started.workspacesDir;
    this.#ownStateDir = started.ownStateDir;
  }

  async #onToolsChanged(server: string, tools: readonly Tool[]): Promise<void> {
    const connection = this.#connections?.get(server);
    if (connection === undefined || this.#closing) return;
    await regenerateServer({
      connection,
      catalog: this.#catalog,
      serversDir: this.#serversDir,
      pool: this.#pool,
    }, tools);
    for (const listener of this.#toolsChanged) listener(server, tools);
  }

  /**
   * Registers a listener for tool list changes, called after `servers/` and the search index are updated.
   *
   * @param listener Called with the server's name and its new tools.
   * @returns A function that removes the listener.
   */
  onToolsChanged(listener: (server: string, tools: readonly Tool[]) => void): () => void {
    this.#toolsChanged.add(listener);
    return () => this.#toolsChanged.delete(listener);
  }

  /**
   * The host path of a task workspace.
   *
   * @param name The workspace's name, as a task gives it.
   * @returns `<workspacesDir>/<name>`.
   * @throws {TypeError} When the name is not a valid workspace name.
   */
  workspacePath(name: string): string {
    return workspaceFolder(this.#workspacesDir, name);
  }

  /**
   * The session vaults of the privacy layer, when `pii` is enabled: `privacyVaults?.drop(session)` forgets a
   * session's values when it ends.
   */
  get privacyVaults(): PrivacyVaults | undefined {
    return this.#privacy;
  }

  /** The folder the server modules were generated into. */
  get serversDir(): string {
    return this.#serversDir;
  }

  /** The connections to the configured servers (available after {@linkcode MCPOrchestrator.initialize}). */
  get connections(): ConnectionManager {
    if (this.#connections === undefined) {
      throw new Error("Cannot use the orchestrator: call initialize() first");
    }
    return this.#connections;
  }

  /**
   * Finds tools by what they do, ranked with BM25 over tool names (split into words), titles, descriptions and
   * parameter names, with prefix and typo-tolerant matching.
   *
   * @param query What the agent is looking for, e.g. `"create pull request"`.
   * @param options Detail level, limit and a server filter.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string or the detail level is unknown.
   */
  searchTools(query: string, options: SearchToolsOptions = {}): ToolSearchHit[] {
    return this.#catalog.search(query, options);
  }

  /**
   * Like {@linkcode MCPOrchestrator.searchTools}, formatted as the compact text a model reads.
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit and a server filter.
   * @returns One line a hit (`"name"`, `"description"`) or one block a hit (`"full"`).
   */
  searchToolsText(query: string, options: SearchToolsOptions = {}): string {
    return this.#catalog.searchText(query, options);
  }

  /**
   * The connected servers and their tool counts, mirroring the `servers/` folders.
   *
   * @returns One entry a server, sorted by name.
   */
  listServers(): ServerSummary[] {
    return this.#catalog.listServers();
  }

  /**
   * One server's tools with their generated function names, mirroring `servers/<server>/`.
   *
   * @param server The server's name.
   * @returns Its tools in listing order; empty for an unknown server.
   */
  listTools(server: string): ToolSummary[] {
    return this.#catalog.listTools(server);
  }

  /**
   * Tokens of the connected servers' tool definitions as classic tool calling gives them to a model: the fixed
   * part of every task's `stats.tokensDirect`.
   *
   * @returns The sum over connected servers.
   */
  toolDefinitionTokens(): number {
    return this.#catalog.definitionTokens();
  }

  /**
   * Runs a task in a sandbox and reports how it went. A task's own failure (an error, a timeout, a refused call)
   * is a result, not a rejection. Tasks beyond `maxConcurrentTasks` wait their turn.
   *
   * @param task The code, the tools it may call and optional limits, permissions and workspace.
   * @returns The result: status, data, logs, error and stats.
   * @throws {TypeError} When the task is malformed (no id, no code) or its id is already running.
   */
  async executeTask(task: AgentTask): Promise<TaskResult> {
    checkTask(task, this.#active);
    await this.initialize();
    if (this.#closing) {
      return this.#notRun(task, "cancelled", {
        name: "CancelledError",
        code: "shutting_down",
        message: `Task "${task.id}" was not run: the orchestrator is shutting down`,
      });
    }
    const plan = planTask(task, {
      connections: this.#connections!,
      workspacePath: (name) => this.workspacePath(name),
      ...(this.#options.blockerPolicy === undefined
        ? {}
        : { blockerPolicy: this.#options.blockerPolicy }),
    });
    if ("error" in plan) return this.#notRun(task, "failed", plan.error);
    if (plan.cwd !== undefined) await Deno.mkdir(plan.cwd, { recursive: true, mode: 0o700 });

    const controller = new AbortController();
    this.#active.set(task.id, controller);
    const onAbort = () => controller.abort(task.signal?.reason);
    task.signal?.addEventListener("abort", onAbort, { once: true });
    if (task.signal?.aborted) controller.abort(task.signal.reason);
    let release: (() => void) | undefined;
    let privacy: TaskPrivacy | undefined;
    try {
      try {
        release = await this.#queue.acquire(controller.signal);
      } catch {
        return this.#notRun(task, "cancelled", {
          name: "CancelledError",
          code: "cancelled",
          message: `Task "${task.id}" was cancelled before it started`,
        });
      }
      task.status = "running";
      privacy = this.#privacy?.forTask(task);
      const onProgress = this.#options.onProgress;
      const calls = new TaskCalls({
        taskId: task.id,
        allow: plan.allow,
        maxToolCalls: this.#options.maxToolCalls ?? DEFAULT_LIMITS.maxToolCalls,
        connections: this.#connections!,
        baseTokens: this.#catalog.definitionTokens(),
        ...(privacy === undefined ? {} : { privacy }),
        ...(onProgress === undefined ? {} : {
          onProgress: (server, tool, p) => onProgress({ taskId: task.id, server, tool, ...p }),
        }),
      });
      const run = await this.#pool!.run({
        taskId: task.id,
        code: task.code,
        servers: [...plan.allow.keys()].map((s) => this.#bindings.get(s)!),
        ...(plan.permissions === undefined ? {} : { permissions: plan.permissions }),
        ...(plan.cwd === undefined ? {} : { cwd: plan.cwd }),
        ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
        signal: controller.signal,
        onToolCall: (call) => calls.handle(call),
      });
      const result = await resultOfRun(task, run, {
        toolsCalled: calls.toolsCalled,
        directTokens: await calls.directTokens(),
        warnings: plan.warnings,
        maxResultBytes: this.#options.maxResultBytes ?? DEFAULT_LIMITS.maxResultBytes,
      });
      return this.#record(task, result);
    } finally {
      release?.();
      privacy?.end();
      task.signal?.removeEventListener("abort", onAbort);
      this.#active.delete(task.id);
    }
  }

  async #notRun(
    task: AgentTask,
    status: "failed" | "cancelled",
    error: TaskErrorInfo,
  ): Promise<TaskResult> {
    return this.#record(
      task,
      await resultWithoutRun(task, status, error, this.#catalog.definitionTokens()),
    );
  }

  #record(task: AgentTask, result: TaskResult): TaskResult {
    task.status = result.status;
    this.#finished[result.status]++;
    return result;
  }

  /**
   * Cancels a queued or running task: a queued one never starts, a running one's process is killed.
   *
   * @param id The task's id.
   * @returns `true` when a task with that id was queued or running.
   */
  cancelTask(id: string): boolean {
    const controller = this.#active.get(id);
    if (controller === undefined) return false;
    controller.abort(new Error(`Task "${id}" was cancelled`));
    return true;
  }

  /**
   * Servers, tools, skills and task counts.
   *
   * @returns A snapshot of the orchestrator's state.
   */
  getStats(): OrchestratorStats {
    const servers = this.#connections?.status() ?? [];
    return {
      servers,
      tools: servers.reduce((sum, s) => sum + (s.state === "connected" ? s.toolCount : 0), 0),
      skills: countSkills(this.#skillsDir),
      sandboxes: this.#pool?.size ?? { idle: 0, alive: 0 },
      activeTasks: this.#queue.running,
      queuedTasks: this.#queue.waiting,
      maxConcurrentTasks: this.#queue.limit,
      completedTasks: { ...this.#finished },
    };
  }

  /**
   * Waits until the sandbox pool is at rest: idle processes started and finished ones gone. Useful before
   * measuring, and in tests.
   *
   * @returns Resolves when the pool is at rest (at once before {@linkcode MCPOrchestrator.initialize}).
   */
  async settled(): Promise<void> {
    await this.#pool?.settled();
  }

  /**
   * Stops: new tasks are refused, running and queued ones are given `drainTimeoutMs` to finish and are then
   * cancelled, the sandbox pool is ended and the servers are closed.
   *
   * @param options `drainTimeoutMs` (default 10,000; 0 cancels at once).
   * @returns Resolves once everything is stopped.
   */
  async shutdown(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#initialized?.catch(() => {});
    const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
    while (this.#active.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const [id] of this.#active) this.cancelTask(id);
    while (this.#active.size > 0) await new Promise((r) => setTimeout(r, 10));
    await this.#pool?.close();
    await this.#connections?.close();
    this.#privacy?.close();
    if (this.#ownStateDir !== undefined) {
      await Deno.remove(this.#ownStateDir, { recursive: true }).catch(() => {});
    }
  }

  /** Same as {@linkcode MCPOrchestrator.shutdown} with no drain time. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ drainTimeoutMs: 0 });
  }
}
