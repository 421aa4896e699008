/**
 * {@linkcode ExecutorDaemon}: one long-lived {@linkcode MCPOrchestrator} served to MCP clients, one SDK `McpServer`
 * per client session. Transports (stdio, Streamable HTTP) live in their own modules and only open and close
 * sessions here.
 *
 * @module
 */

import { logger } from "../log.ts";
import {
  MCPOrchestrator,
  type OrchestratorOptions,
  type OrchestratorStats,
  type TaskProgressEvent,
  validateSessionId,
} from "../orchestrator/mod.ts";
import { McpServer, type RequestId } from "../sdk.ts";
import type { TaskResult } from "../types.ts";
import { DEFAULT_PRINCIPAL, type Principal } from "../principal.ts";
import { elicitationApprover, SessionApprovers } from "./approvals.ts";
import { ALL_SCOPES } from "./auth/mod.ts";
import { AuditLog, type AuditLogOptions } from "./audit_log.ts";
import type { AuditChain } from "../state/mod.ts";
import { registerDaemonTools, type ToolContext } from "./daemon_tools.ts";
import { OperatorApprovals, type OperatorApprovalsOptions } from "./operator_approvals.ts";
import { DaemonMetrics } from "./metrics.ts";
import { relayAuthorizationUrl, relayElicitation } from "./elicitation_relay.ts";
import type { ProgressNotifier } from "./progress_notifier.ts";
import denoJson from "../../deno.json" with { type: "json" };

const log = logger("daemon");

/** Options for {@linkcode ExecutorDaemon}. */
export interface ExecutorDaemonOptions {
  /** The orchestrator's options (config, limits, sessions folder and quota). */
  orchestrator: OrchestratorOptions;
  /** Keep a session's folder when the session ends (default: removed). */
  persistSessions?: boolean;
  /** Called when a session opens, with its MCP server (a hook for features that talk to the client). */
  onSessionOpen?: (session: string, server: McpServer) => void;
  /** Called after a session has closed. */
  onSessionClose?: (session: string) => void;
  /** The audit trail (a chained line per call and task): a file, or `{ chain: store.audit }`. Default: none. */
  audit?: AuditLogOptions | { chain: AuditChain; replica?: string | undefined };
  /**
   * Who answers approval questions: `"client"` (default), the session's MCP client through elicitation; or
   * `"operator"`, people holding `mcpx:approve` (`/approvals`, `mcpx approvals`), never the asking agent's client.
   */
  approver?: "client" | "operator";
  /** With `approver: "operator"`: how many approvals may wait at once; over it a call is refused. Default 100. */
  maxPendingApprovals?: number;
  /** Shares operator approvals with other replicas (the state store's `approvals()`). Default: this process only. */
  approvalBus?: OperatorApprovalsOptions["shared"];
}

/** What `GET /healthz` reports. */
export interface DaemonHealth {
  /** `"ok"` when every configured server is connected, `"degraded"` otherwise, `"stopping"` while shutting down. */
  status: "ok" | "degraded" | "stopping";
  servers: { name: string; state: string; tools: number }[];
  sandboxes: OrchestratorStats["sandboxes"];
  queue: { running: number; waiting: number; limit: number };
  sessions: number;
  tasks: OrchestratorStats["completedTasks"];
}

/** Options for {@linkcode ExecutorDaemon.openSession}. */
export interface OpenSessionOptions {
  /** Who the session acts for. Default: {@linkcode DEFAULT_PRINCIPAL} with every scope. */
  principal?: Principal;
}

interface Session {
  server: McpServer;
  principal: Principal;
  tasks: Set<AbortController>;
}

/** Guidance sent in the `initialize` result; clients may show it to the model. */
const INSTRUCTIONS =
  "Call search_tools to find tools, then execute_code to run TypeScript that calls them. Each configured MCP " +
  "server is a namespace in the code; the generated modules are readable as servers:// resources. Save code " +
  "that works with save_skill; search_tools finds saved skills, run_skill runs them.";

/**
 * Serves an orchestrator to MCP clients. Each session gets an `McpServer` with the two tools `search_tools` and
 * `execute_code` and the `servers://` resources; tasks of a session run as orchestrator tasks with that session.
 *
 * @example
 * ```ts ignore
 * import { ExecutorDaemon } from "./executor_daemon.ts";
 * import { StdioServerTransport } from "../sdk.ts";
 * const daemon = new ExecutorDaemon({ orchestrator: { config: "mcp.json" } });
 * await daemon.initialize();
 * await daemon.openSession("stdio").connect(new StdioServerTransport());
 * ```
 */
export class ExecutorDaemon {
  #orch: MCPOrchestrator;
  #options: ExecutorDaemonOptions;
  #sessions = new Map<string, Session>();
  #progress = new Map<string, ProgressNotifier>();
  #taskSessions = new Map<string, string>();
  #nextTask = 0;
  #closing = false;
  #drainTimeoutMs = 0;
  #approvers = new SessionApprovers();
  #operators: OperatorApprovals;
  #requests = new Map<string, RequestId>();
  #audit: AuditLog | undefined;
  #metrics: DaemonMetrics;

  /**
   * @param options The orchestrator's options and the session policy.
   * @throws {RangeError} When an orchestrator limit is out of range.
   */
  constructor(options: ExecutorDaemonOptions) {
    this.#options = options;
    const own = options.orchestrator.onTaskProgress;
    const { maxPendingApprovals: maxPending, approvalBus: shared } = options;
    this.#operators = new OperatorApprovals({ maxPending, shared });
    this.#orch = new MCPOrchestrator({
      // Approval questions go to the client of the task's session, through elicitation, or to the operators.
      approve: options.approver === "operator" ? this.#operators.approve : this.#approvers.approve,
      // A backing server's questions and sign-ins go to the client of the task's session.
      onElicitation: relayElicitation(this.#relayHost()),
      onAuthorizationUrl: relayAuthorizationUrl(this.#relayHost()),
      // Agents fix type errors cheaply before their calls go out: the daemon checks unless told otherwise.
      typecheck: "warn",
      ...options.orchestrator,
      onTaskProgress: (event: TaskProgressEvent) => {
        own?.(event);
        this.#progress.get(event.taskId)?.report(event);
      },
    });
    this.#metrics = new DaemonMetrics(this.#orch);
    if (options.audit !== undefined) {
      this.#audit = new AuditLog(options.audit);
      this.#audit.attach(this.#orch);
    }
    this.#orch.onToolsChanged(() => {
      for (const [id, session] of this.#sessions) {
        if (!session.server.isConnected()) continue;
        try {
          session.server.sendResourceListChanged();
        } catch (error) {
          log.warn("Cannot notify session {id}: {error}", { id, error: String(error) });
        }
      }
    });
  }

  /** The orchestrator every session shares. */
  get orchestrator(): MCPOrchestrator {
    return this.#orch;
  }

  /** The Prometheus metrics of the daemon's orchestrator (served at `GET /metrics`). */
  get metrics(): DaemonMetrics {
    return this.#metrics;
  }

  /** The approvals waiting for an operator (empty unless `approver` is `"operator"`); serve it with `approvalsRoutes`. */
  get operatorApprovals(): OperatorApprovals {
    return this.#operators;
  }

  /** How many sessions are open. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Whether {@linkcode ExecutorDaemon.shutdown} has begun. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Connects the servers and starts the sandbox pool.
   *
   * @returns Resolves once ready.
   * @throws {ConfigError} When the config cannot be loaded.
   */
  initialize(): Promise<void> {
    return this.#orch.initialize();
  }

  /**
   * Opens a session: an `McpServer` with the daemon's tools and resources, to be connected to a transport.
   *
   * @param id The session's id (letters, digits, `.`, `_`, `-`; at most 128 characters).
   * @param options Who the session acts for.
   * @returns The session's MCP server.
   * @throws {TypeError} When the id is invalid or already open.
   * @throws {Error} When the daemon is shutting down.
   */
  openSession(id: string, options: OpenSessionOptions = {}): McpServer {
    validateSessionId(id);
    if (this.#sessions.has(id)) throw new TypeError(`Cannot open session "${id}": it is open`);
    if (this.#closing) throw new Error(`Cannot open session "${id}": the daemon is shutting down`);
    const server = new McpServer(
      { name: "mcp-executor", version: denoJson.version },
      {
        capabilities: {
          tools: {},
          resources: {},
          // The skills extension (SEP-2640): skills are skill:// resources with a skill://index.json. Declared as
          // experimental because SDK 1.32 has no extensions field; skills/list and skills/get are not served.
          experimental: { "io.modelcontextprotocol/skills": {} },
        },
        instructions: INSTRUCTIONS,
      },
    );
    const principal = options.principal ?? { id: DEFAULT_PRINCIPAL, scopes: ALL_SCOPES };
    const session: Session = { server, principal, tasks: new Set() };
    registerDaemonTools(server, this.#toolContext(id, session));
    this.#sessions.set(id, session);
    this.#approvers.set(
      id,
      elicitationApprover(server.server, {
        ...(this.#options.orchestrator.approvalTimeoutMs === undefined
          ? {}
          : { timeoutMs: this.#options.orchestrator.approvalTimeoutMs }),
        // Sent as part of the execute_code request, so it reaches the client over Streamable HTTP too.
        relatedRequestId: (request) => this.#requests.get(request.taskId),
      }),
    );
    this.#hook("onSessionOpen", () => this.#options.onSessionOpen?.(id, server));
    log.info("Session {id} opened for {principal}", { id, principal: principal.id });
    return server;
  }

  /**
   * The MCP server of an open session, e.g. to send it a request.
   *
   * @param id The session's id.
   * @returns Its server, or `undefined` when it is not open.
   */
  sessionServer(id: string): McpServer | undefined {
    return this.#sessions.get(id)?.server;
  }

  /**
   * The principal an open session acts for.
   *
   * @param id The session's id.
   * @returns Its principal, or `undefined` when it is not open.
   */
  sessionPrincipal(id: string): Principal | undefined {
    return this.#sessions.get(id)?.principal;
  }

  /**
   * The session a running task belongs to, for features that act per call (approvals, audit).
   *
   * @param taskId The task's id, as the orchestrator reports it.
   * @returns The session's id, or `undefined` when no such task is running.
   */
  taskSession(taskId: string): string | undefined {
    return this.#taskSessions.get(taskId);
  }

  /**
   * How many tasks of a session are running or queued.
   *
   * @param id The session's id.
   * @returns The count (0 for an unknown session).
   */
  activeTasks(id: string): number {
    return this.#sessions.get(id)?.tasks.size ?? 0;
  }

  /**
   * Closes a session: cancels its running tasks, closes its MCP server and, unless sessions persist, removes its
   * folder. Closing an unknown session does nothing.
   *
   * @param id The session's id.
   * @returns Resolves once closed.
   */
  async closeSession(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    this.#approvers.delete(id);
    for (const task of session.tasks) task.abort(new Error(`Session "${id}" closed`));
    await session.server.close().catch(() => {});
    // A session's personal data goes with it, even when its folder persists.
    this.#orch.privacyVaults?.drop(id);
    if (!this.#options.persistSessions) {
      await this.#orch.endSession(id).catch((error) =>
        log.warn("Cannot remove session {id}: {error}", { id, error: String(error) })
      );
    }
    this.#hook("onSessionClose", () => this.#options.onSessionClose?.(id));
    log.info("Session {id} closed for {principal}", { id, principal: session.principal.id });
  }

  /**
   * Servers up or down, sandbox pool, queue and sessions, for `GET /healthz`.
   *
   * @returns A snapshot.
   */
  health(): DaemonHealth {
    const stats = this.#orch.getStats();
    return {
      status: this.#closing
        ? "stopping"
        : stats.servers.every((s) => s.state === "connected")
        ? "ok"
        : "degraded",
      servers: stats.servers.map((s) => ({ name: s.name, state: s.state, tools: s.toolCount })),
      sandboxes: stats.sandboxes,
      queue: {
        running: stats.activeTasks,
        waiting: stats.queuedTasks,
        limit: stats.maxConcurrentTasks,
      },
      sessions: this.#sessions.size,
      tasks: stats.completedTasks,
    };
  }

  /**
   * Stops: running tasks get `drainTimeoutMs` to finish, the rest are cancelled (their results say so), every
   * session is closed and the servers are stopped.
   *
   * @param options `drainTimeoutMs` (default 10,000).
   * @returns Resolves once stopped.
   */
  async shutdown(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    await this.#orch.shutdown({ drainTimeoutMs: this.#drainTimeoutMs });
    // Every task has a result now; give the handlers a moment to send it before the transports close.
    const busy = () => [...this.#sessions.values()].some((s) => s.tasks.size > 0);
    for (let i = 0; i < 100 && busy(); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.#sessions.keys()].map((id) => this.closeSession(id)));
    this.#metrics.close();
    this.#operators.close();
    await this.#audit?.close();
  }

  #toolContext(id: string, session: Session): ToolContext {
    return {
      orch: this.#orch,
      session: id,
      principal: session.principal,
      nextTaskId: () => `${id}.${++this.#nextTask}`,
      track: (taskId, controller, notifier, requestId) => {
        session.tasks.add(controller);
        this.#taskSessions.set(taskId, id);
        if (requestId !== undefined) this.#requests.set(taskId, requestId);
        if (notifier !== undefined) this.#progress.set(taskId, notifier);
        return () => {
          session.tasks.delete(controller);
          this.#taskSessions.delete(taskId);
          this.#requests.delete(taskId);
          this.#progress.delete(taskId);
        };
      },
      explain: (result) => this.#explain(result),
    };
  }

  #relayHost() {
    return {
      sessionServer: (session: string) => this.#sessions.get(session)?.server,
      requestOf: (taskId: string) => this.#requests.get(taskId),
      sessionPrincipal: (session: string) => this.#sessions.get(session)?.principal.id,
    };
  }

  #hook(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      log.error("The {name} hook failed: {error}", { name, error: String(error) });
    }
  }

  /** Says why a task was cancelled when the daemon's shutdown did it. */
  #explain(result: TaskResult): TaskResult {
    if (!this.#closing || result.status !== "cancelled" || result.error === undefined) {
      return result;
    }
    if (result.error.code === "shutting_down") return result;
    return {
      ...result,
      error: {
        ...result.error,
        code: "shutting_down",
        message:
          `${result.error.message}: the daemon shut down and the task did not finish within the drain time of ${this.#drainTimeoutMs} ms`,
      },
    };
  }
}
