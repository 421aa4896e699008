/**
 * `MCPOrchestrator`: connects the configured MCP servers, generates their modules, and runs each
 * {@linkcode AgentTask} in a sandbox process, forwarding the tool calls it makes after checking them against the
 * task's `requiredTools`; finds tools and keeps skills.
 *
 * The class is the facade: each of its parts lives in a module of its own (`startup.ts` connects and generates,
 * `task_runner.ts` runs one task, `tool_catalog.ts` finds tools, `skill_host.ts` keeps skills,
 * `session_spaces.ts` holds sessions); this file wires them together and holds their shared state.
 *
 * @module
 */

import { join } from "node:path";
import { logger } from "../log.ts";
import { ApprovalGate } from "../approvals/mod.ts";
import { PrivacyVaults } from "../privacy/mod.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import {
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
} from "./options.ts";
import type { SandboxPool } from "../sandbox/mod.ts";
import type { PythonPoolSlot } from "../python/mod.ts";
import type { ServerBinding } from "../wire/mod.ts";
import type { Tool } from "../mcp_types.ts";
import { countSkills, regenerateServer, startOrchestrator } from "./startup.ts";
import { TaskQueue } from "./task_queue.ts";
import { runTask } from "./task_runner.ts";
import { resultWithoutRun } from "./task_result.ts";
import { ToolCatalog } from "./tool_catalog.ts";
import { drainTasks } from "./drain_tasks.ts";
import { checkOptions, checkWorkspaceName } from "./task_checks.ts";
import { validateTask } from "./task_validation.ts";
import { SessionSpaces, validateSessionId } from "./session_spaces.ts";
import { type OrchestratorEventListener, OrchestratorEvents } from "./orchestrator_events.ts";
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";

import type * as Skills from "../skills/mod.ts";
import { removeSkill, type RemoveSkillOptions } from "../skills/mod.ts";
import type { SkillRows } from "../state/mod.ts";
import type { ServerSummary, ToolSearchHit, ToolSummary } from "../search/mod.ts";
import { DEFAULT_PRINCIPAL } from "../principal.ts";
import { TaskTypes } from "./task_types.ts";
import { createSkillManager } from "./skill_host.ts";
const log = logger("orchestrator");

/**
 * Runs agent code against MCP servers, each task in its own sandbox process.
 *
 * @example
 * ```ts ignore
 * import { MCPOrchestrator } from "@mcp-executor/runtime";
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
 *
 * @example Run a task offline, with no servers
 * ```ts
 * import { MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "sum", code: "return [1, 2, 3].reduce((a, b) => a + b);",
 *   requiredTools: [], status: "pending" });
 * assert.deepEqual([result.status, result.data], ["completed", 6]);
 * ```
 */
export class MCPOrchestrator implements AsyncDisposable {
  #options: OrchestratorOptions;
  #connections: ConnectionManager | undefined;
  #pool: SandboxPool | undefined;
  #python: PythonPoolSlot | undefined;
  #queue: TaskQueue;
  #catalog: ToolCatalog;
  #serversDir = "";
  #skills: Skills.SkillManager | undefined;
  /** Following the skills other replicas save (a shared state store only). */
  #following: AsyncDisposable | undefined;
  #workspacesDir = "";
  #ownStateDir: string | undefined;
  #initialized: Promise<void> | undefined;
  #closing = false;
  #active = new Map<string, { controller: AbortController; session: string | undefined }>();
  #sessions: SessionSpaces | undefined;
  #bindings = new Map<string, ServerBinding>();
  #finished = { completed: 0, failed: 0, timeout: 0, cancelled: 0 };
  #toolsChanged = new Set<(server: string, tools: readonly Tool[]) => void>();
  #events: OrchestratorEvents;
  #approvals: ApprovalGate;
  #privacy: PrivacyVaults | undefined;
  #types: TaskTypes | undefined;
  #sharedSkills: SkillRows | undefined;

  /**
   * Creates an orchestrator; nothing connects or starts until {@linkcode MCPOrchestrator.initialize}.
   *
   * @param options The config (a path or an object) and limits; see {@linkcode OrchestratorOptions}.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   * @throws {TypeError} When `blockerPolicy` names an unknown rule or action, or `approvals` is malformed.
   */
  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#sharedSkills = options.state?.skills;
    this.#events = new OrchestratorEvents(options.onEvent);
    this.#approvals = new ApprovalGate(options);
    checkOptions(options);
    this.#queue = new TaskQueue(options.maxConcurrentTasks ?? DEFAULT_LIMITS.maxConcurrentTasks, {
      maxWaitingPerKey: options.maxQueuedTasksPerSession ??
        DEFAULT_LIMITS.maxQueuedTasksPerSession,
    });
    if (options.pii?.enabled === true) {
      this.#privacy = new PrivacyVaults(options.pii, options.piiVaultStore);
    }
    this.#catalog = new ToolCatalog({
      learn: options.learnFromUse === undefined || options.learnFromUse,
      ...(options.embed === undefined ? {} : { embed: options.embed }),
    });
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
      onToolsChanged: (server, tools) => void this.#onToolsChanged(server, tools).catch(() => {}),
    });
    this.#connections = started.connections;
    this.#pool = started.pool;
    this.#python = started.python;
    this.#bindings = started.bindings;
    this.#serversDir = started.serversDir;
    this.#workspacesDir = started.workspacesDir;
    this.#ownStateDir = started.ownStateDir;
    this.#sessions = new SessionSpaces({
      dir: started.sessionsDir,
      quotaBytes: (this.#options.sessionQuotaMb ?? DEFAULT_LIMITS.sessionQuotaMb) * 2 ** 20,
    });
    this.#skills = createSkillManager({
      ...started,
      options: this.#options,
      runTask: (task) => this.executeTask(task),
      refuse: (task, error) => this.#notRun(task, "failed", error),
    });
    this.#following = await this.#skills.follow();
    this.#types = await TaskTypes.start(this.#options, { ...started, catalog: this.#catalog });
  }

  async #onToolsChanged(server: string, tools: readonly Tool[]): Promise<void> {
    const connection = this.#connections?.get(server);
    if (connection === undefined || this.#closing) return;
    this.#catalog.setServerTools(server, tools);
    const inferredOutputs = this.#types?.inferring === true;
    await regenerateServer(this.#serversDir, {
      connection,
      tools,
      pool: this.#pool,
      inferredOutputs,
    });
    for (const listener of this.#toolsChanged) {
      try {
        listener(server, tools);
      } catch (error) {
        // A listener's bug must not end the host: this runs from a server notification, outside any caller.
        log.error("A tools-changed listener failed for {server}: {error}", {
          server,
          error: String(error),
        });
      }
    }
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
   * Registers a listener for tool-call and task events (see the `onEvent` option); a throwing listener is ignored.
   *
   * @param listener Called with each event.
   * @returns A function that removes the listener.
   */
  onEvent(listener: OrchestratorEventListener): () => void {
    return this.#events.on(listener);
  }

  /**
   * The host path of a task workspace.
   *
   * @param name The workspace's name, as a task gives it.
   * @returns `<workspacesDir>/<name>`.
   * @throws {TypeError} When the name is not a valid workspace name.
   */
  workspacePath(name: string): string {
    return join(this.#workspacesDir, checkWorkspaceName(name));
  }

  /** The folder the server modules were generated into. */
  get serversDir(): string {
    return this.#serversDir;
  }

  /**
   * The session vaults of the privacy layer, when `pii` is enabled: `privacyVaults?.drop(session)` forgets a
   * session's values (`endSession` does it too).
   */
  get privacyVaults(): PrivacyVaults | undefined {
    return this.#privacy;
  }

  /** The connections to the configured servers (available after {@linkcode MCPOrchestrator.initialize}). */
  get connections(): ConnectionManager {
    if (this.#connections === undefined) {
      throw new Error("Cannot use the orchestrator: call initialize() first");
    }
    return this.#connections;
  }

  /**
   * Runs a task in a sandbox and reports how it went. A task's own failure (an error, a timeout, a refused call)
   * is a result, not a rejection. Tasks beyond `maxConcurrentTasks` wait their turn.
   *
   * @param task The code, the tools it may call and optional limits, permissions and workspace.
   * @returns The result: status, data, logs, error and stats.
   * @throws {TypeError} When the task is malformed (no id, an id over 256 characters, no code, `requiredTools` not an
   *   array, `signal` not an AbortSignal) or its id is already running.
   * @throws {RangeError} When `timeoutMs` is not a whole number from 1 to 2^31 - 1.
   */
  async executeTask(task: AgentTask): Promise<TaskResult> {
    validateTask(task);
    if (this.#active.has(task.id)) {
      throw new TypeError(`Cannot run task "${task.id}": a task with that id is already running`);
    }
    // Reserved before the first await: a second task with this id is refused, and cancelTask() finds this one.
    const controller = new AbortController();
    const session = task.session;
    this.#active.set(task.id, { controller, session });
    try {
      await this.initialize();
      return this.#record(
        task,
        await runTask(task, {
          options: this.#options,
          connections: this.#connections!,
          pool: this.#pool!,
          pythonPool: () => this.#python!.get(),
          bindings: this.#bindings,
          queue: this.#queue,
          controller,
          approvals: this.#approvals,
          events: this.#events,
          ...(this.#privacy === undefined ? {} : { privacy: this.#privacy }),
          sessions: this.#sessions!,
          onCatalog: (request) => this.#catalog.answer(request, session),
          privateSkillFolder: (name) => this.#skills?.privateFolder(name, task.principal),
          baseTokens: () => this.#catalog.definitionTokens(),
          closing: () => this.#closing,
          workspacePath: (name) =>
            session === undefined
              ? this.workspacePath(name)
              : this.#sessions!.workspacePath(session, checkWorkspaceName(name)),
          serverBack: (server) => this.#serverBack(server),
          ...this.#types?.runContext(),
        }),
      );
    } finally {
      this.#active.delete(task.id);
    }
  }

  /** A server that had failed connected again: generate its module if it never had one. */
  async #serverBack(server: string): Promise<void> {
    if (this.#catalog.listTools(server).length > 0) return;
    await this.#onToolsChanged(server, this.connections.get(server)?.tools ?? []);
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
    this.#skills?.remember(task, result);
    this.#catalog.taskFinished(task.session, result.stats.toolsCalled);
    this.#finished[result.status]++;
    this.#events.emitTask(task, result);
    return result;
  }

  /**
   * Cancels a queued or running task: a queued one never starts, a running one's process is killed.
   *
   * @param id The task's id.
   * @returns `true` when a task with that id was queued or running.
   */
  cancelTask(id: string): boolean {
    const active = this.#active.get(id);
    if (active === undefined) return false;
    active.controller.abort(new Error(`Task "${id}" was cancelled`));
    return true;
  }

  /**
   * Ends a session: cancels its queued and running tasks, waits for them, and removes its folder with every
   * workspace in it. A later task naming the same session starts empty.
   *
   * @param id The session's id.
   * @returns Resolves once the session's tasks have ended and its folder is gone.
   * @throws {TypeError} When the id is not a valid session id.
   */
  async endSession(id: string): Promise<void> {
    validateSessionId(id);
    const mine = () =>
      [...this.#active].filter(([, a]) => a.session === id).map(([taskId]) => taskId);
    for (const taskId of mine()) this.cancelTask(taskId);
    while (mine().length > 0) await new Promise((r) => setTimeout(r, 10));
    this.#privacy?.drop(id);
    await this.#sessions?.end(id);
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
      skills: countSkills(this.#skills?.dir ?? ""),
      sandboxes: this.#pool?.size ?? { idle: 0, alive: 0 },
      activeTasks: this.#queue.running,
      queuedTasks: this.#queue.waiting,
      maxConcurrentTasks: this.#queue.limit,
      completedTasks: { ...this.#finished },
    };
  }

  /**
   * Finds tools by what they do, ranked with BM25 over tool names (split into words), titles, descriptions and
   * parameter names, with stems, synonyms, abbreviations, prefix and typo-tolerant matching, raised by what earlier
   * searches of the same `session` led tasks to call.
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
   * Like {@linkcode MCPOrchestrator.searchTools}, fused with the `embed` option's ranking when it is set.
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string, the detail level is unknown or `embed` fails.
   */
  findTools(query: string, options: SearchToolsOptions = {}): Promise<ToolSearchHit[]> {
    return this.#catalog.searchAsync(query, options);
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
   * Like {@linkcode MCPOrchestrator.findTools}, formatted as the compact text a model reads: what the daemon's
   * `search_tools` answers. When `embed` fails, the lexical ranking is used (the error is logged, not returned).
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns One line a hit (`"name"`, `"description"`) or one block a hit (`"full"`).
   * @throws {TypeError} When the query is not a string or the detail level is unknown.
   */
  findToolsText(query: string, options: SearchToolsOptions = {}): Promise<string> {
    return this.#catalog.searchTextAsync(query, options);
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

  /** The skills manager (after {@linkcode MCPOrchestrator.initialize}): search text and resources for the daemon. */
  get skills(): Skills.SkillManager {
    if (this.#skills === undefined) {
      throw new Error("Cannot use skills: call initialize() first");
    }
    return this.#skills;
  }

  /**
   * Saves a skill as a new version, into the principal's private skills or the shared ones; see
   * {@linkcode Skills.SkillManager.save} for its arguments, result and errors, and {@linkcode Skills.SaveSkillOptions}
   * for who may save what.
   */
  saveSkill(
    name: string,
    input: Skills.SaveSkillInput,
    options: Skills.SaveSkillOptions = {},
  ): Promise<Skills.SkillMetadata> {
    return this.initialize().then(() => this.skills.save(name, input, options));
  }

  /** Saves a completed task as a skill; see {@linkcode Skills.SkillManager.saveFromTask}. */
  saveSkillFromTask(
    taskId: string,
    name: string,
    options: Skills.SaveSkillFromTaskOptions,
  ): Promise<Skills.SkillMetadata> {
    return this.initialize().then(() => this.skills.saveFromTask(taskId, name, options));
  }

  /** Every skill with its health and statistics; see {@linkcode Skills.SkillManager.list}. */
  listSkills(options: { principal?: string } = {}): Skills.SkillSummary[] {
    return this.skills.list(options);
  }

  /** Finds skills by what they do; see {@linkcode Skills.SkillManager.search}. */
  searchSkills(
    query: string,
    options: { limit?: number; principal?: string } = {},
  ): Skills.SkillSearchHit[] {
    return this.skills.search(query, options);
  }

  /** A skill's files, metadata and versions; see {@linkcode Skills.SkillManager.load}. */
  loadSkill(
    name: string,
    options: { version?: number; principal?: string } = {},
  ): Promise<Skills.LoadedSkill> {
    return this.initialize().then(() => this.skills.load(name, options));
  }

  /** Runs a skill as a task after checking its args; see {@linkcode Skills.SkillManager.execute}. */
  executeSkill(
    name: string,
    args: unknown,
    options: Skills.ExecuteSkillOptions = {},
  ): Promise<TaskResult> {
    return this.initialize().then(() => this.skills.execute(name, args, options));
  }

  /**
   * Removes a skill with every version; see {@linkcode removeSkill} for its options and errors.
   *
   * @param name The skill's name.
   * @param options `force` removes a skill other skills import; `principal` removes one of its private skills
   *   (default: a shared skill).
   * @returns The versions removed.
   */
  removeSkill(
    name: string,
    options: RemoveSkillOptions & { principal?: string } = {},
  ): Promise<number[]> {
    const { principal, ...rest } = options;
    return this.initialize().then(async () => {
      const versions = await removeSkill(this.skills.dirOf(principal), name, rest);
      // With a shared state store the rows go too, and every replica removes its copy.
      const owner = principal === undefined || principal === DEFAULT_PRINCIPAL ? "" : principal;
      await this.#sharedSkills?.remove(owner, name);
      return versions;
    });
  }

  /**
   * Waits until the sandbox pool is at rest: idle processes started and finished ones gone. Useful before
   * measuring, and in tests.
   *
   * @returns Resolves when the pool is at rest (at once before {@linkcode MCPOrchestrator.initialize}).
   */
  async settled(): Promise<void> {
    await Promise.all([this.#pool?.settled(), this.#python?.settled()]);
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
    const drainMs = options.drainTimeoutMs ?? 10_000;
    await drainTasks(this.#active, { drainMs, cancel: (id) => this.cancelTask(id) });
    await Promise.all([this.#pool?.close(), this.#python?.close()]);
    await this.#types?.[Symbol.asyncDispose]();
    await this.#connections?.close();
    this.#privacy?.close();
    await this.#following?.[Symbol.asyncDispose]();
    await this.#catalog.close();
    await this.#catalog.flushUsage();
    if (this.#ownStateDir !== undefined) {
      await Deno.remove(this.#ownStateDir, { recursive: true }).catch(() => {});
    }
  }

  /** Same as {@linkcode MCPOrchestrator.shutdown} with no drain time. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ drainTimeoutMs: 0 });
  }
}

/**
 * The name `MCPOrchestrator` had as the base class that connected servers and ran tasks.
 *
 * @deprecated Use {@linkcode MCPOrchestrator}: it is one class now.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, OrchestratorCore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * assert.ok(orch instanceof OrchestratorCore);
 * ```
 */
export const OrchestratorCore: typeof MCPOrchestrator = MCPOrchestrator;
/**
 * The name `MCPOrchestrator` had as the base class that connected servers and ran tasks.
 *
 * @deprecated Use {@linkcode MCPOrchestrator}: it is one class now.
 */
export type OrchestratorCore = MCPOrchestrator;
