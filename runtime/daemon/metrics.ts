/**
 * Prometheus metrics of an orchestrator, in the text exposition format, built with `prom-client` on a registry of
 * its own (no default process metrics: `collectDefaultMetrics` does not work under Deno).
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { OrchestratorStats } from "../orchestrator/mod.ts";
import type { OrchestratorEvent, OrchestratorEventListener } from "../orchestrator/mod.ts";

/**
 * What {@linkcode DaemonMetrics} reads: events and stats, as `MCPOrchestrator` gives them.
 *
 * @example
 * ```ts
 * import { DaemonMetrics, MCPOrchestrator, type MetricsSource } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const source: MetricsSource = orch;
 * using metrics = new DaemonMetrics(source);
 * await orch.executeTask({ id: "t1", description: "x", code: "return 1;", requiredTools: [], status: "pending" });
 * assert.match(await metrics.render(), /mcp_executor_tasks_total\{status="completed"\} 1/);
 * ```
 */
export interface MetricsSource {
  /** Subscribes to tool-call and task events; returns the unsubscribe function. */
  onEvent(listener: OrchestratorEventListener): () => void;
  /** The current stats (pool, queue, servers). */
  getStats(): OrchestratorStats;
}

const TASK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const CALL_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];
const REFUSED_REASONS = new Set(["not_allowed", "not_approved", "limit_exceeded"]);

/**
 * The metrics of one orchestrator, for `GET /metrics`. Counters and histograms move with the orchestrator's
 * events; gauges are read from `getStats()` when the text is rendered. A `server` label is a configured server's
 * name or `"other"` (agent code can name any server in a refused call; the label set stays bounded).
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `mcp_executor_tasks_total` | counter | `status` |
 * | `mcp_executor_task_duration_seconds` | histogram | |
 * | `mcp_executor_tool_calls_total` | counter | `server`, `outcome` (`ok`, `error`, `refused`) |
 * | `mcp_executor_tool_call_duration_seconds` | histogram | `server` (calls that went out; approval and queue waits excluded) |
 * | `mcp_executor_tool_call_queue_seconds` | histogram | `server` (calls to a server with `maxConcurrentCalls`) |
 * | `mcp_executor_tool_errors_total` | counter | `code` |
 * | `mcp_executor_tool_calls_refused_total` | counter | `reason` (`not_allowed`, `not_approved`, `limit_exceeded`) |
 * | `mcp_executor_approvals_total` | counter | `action` (`ask`, `deny`), `approved` (`true`, `false`) |
 * | `mcp_executor_tokens_used_total`, `mcp_executor_tokens_direct_total` | counter | |
 * | `mcp_executor_sandboxes_idle`, `mcp_executor_sandboxes_alive` | gauge | |
 * | `mcp_executor_tasks_running`, `mcp_executor_tasks_queued` | gauge | |
 * | `mcp_executor_server_up` | gauge | `server` |
 * | `mcp_executor_tool_calls_in_flight`, `mcp_executor_tool_calls_waiting` | gauge | `server` (with `maxConcurrentCalls`) |
 *
 * @example Serve GET /metrics
 * ```ts
 * import { DaemonMetrics, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * using metrics = new DaemonMetrics(orch);
 * const response = new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
 * assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
 * assert.match(await response.text(), /mcp_executor_tasks_total/);
 * ```
 */
export class DaemonMetrics implements Disposable {
  /**
   * The `prom-client` registry the metrics live in; the daemon may register its own metrics here too. Left out of
   * the documentation: its type is `prom-client`'s.
   *
   * @ignore
   */
  readonly registry: Registry = new Registry();
  #source: MetricsSource;
  #off: () => void;
  #servers: Set<string> | undefined;
  #tasks = new Counter({
    name: "mcp_executor_tasks_total",
    help: "Tasks finished, by status.",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  #taskDuration = new Histogram({
    name: "mcp_executor_task_duration_seconds",
    help: "Run time of finished tasks in the sandbox (queue time excluded).",
    buckets: TASK_BUCKETS,
    registers: [this.registry],
  });
  #calls = new Counter({
    name: "mcp_executor_tool_calls_total",
    help: "Tool calls made by agent code, by server and outcome (ok, error, refused).",
    labelNames: ["server", "outcome"] as const,
    registers: [this.registry],
  });
  #callDuration = new Histogram({
    name: "mcp_executor_tool_call_duration_seconds",
    help:
      "Duration of tool calls that went out to a server, by server (approval and queue waits excluded).",
    labelNames: ["server"] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  #queueWait = new Histogram({
    name: "mcp_executor_tool_call_queue_seconds",
    help: "Time tool calls waited for a free slot of a server with maxConcurrentCalls, by server.",
    labelNames: ["server"] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  #inFlight = new Gauge({
    name: "mcp_executor_tool_calls_in_flight",
    help: "Tool calls holding a slot of a server with maxConcurrentCalls, by server.",
    labelNames: ["server"] as const,
    registers: [this.registry],
  });
  #waiting = new Gauge({
    name: "mcp_executor_tool_calls_waiting",
    help: "Tool calls waiting for a free slot of a server with maxConcurrentCalls, by server.",
    labelNames: ["server"] as const,
    registers: [this.registry],
  });
  #errors = new Counter({
    name: "mcp_executor_tool_errors_total",
    help: "Tool calls that went out and failed, by ToolError code.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  #refused = new Counter({
    name: "mcp_executor_tool_calls_refused_total",
    help: "Tool calls refused on the host before they went out, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  #approvals = new Counter({
    name: "mcp_executor_approvals_total",
    help: "Tool calls an approval rule asked about or denied, by action and answer.",
    labelNames: ["action", "approved"] as const,
    registers: [this.registry],
  });
  #tokensUsed = new Counter({
    name: "mcp_executor_tokens_used_total",
    help: "Tokens that reached the model from finished tasks (code, data, logs, error).",
    registers: [this.registry],
  });
  #tokensDirect = new Counter({
    name: "mcp_executor_tokens_direct_total",
    help: "Tokens classic tool calling would have cost for the same tasks.",
    registers: [this.registry],
  });
  #gauges = {
    idle: this.#gauge("mcp_executor_sandboxes_idle", "Sandbox processes started and waiting."),
    alive: this.#gauge("mcp_executor_sandboxes_alive", "Sandbox processes alive, running or idle."),
    running: this.#gauge("mcp_executor_tasks_running", "Tasks running now."),
    queued: this.#gauge("mcp_executor_tasks_queued", "Tasks waiting in the queue."),
  };
  #up = new Gauge({
    name: "mcp_executor_server_up",
    help: "1 when the configured server is connected, else 0.",
    labelNames: ["server"] as const,
    registers: [this.registry],
  });

  /**
   * Starts counting an orchestrator's events.
   *
   * @param source The orchestrator (anything with `onEvent` and `getStats`).
   */
  constructor(source: MetricsSource) {
    this.#source = source;
    this.#off = source.onEvent((event) => this.#record(event));
  }

  /** The `Content-Type` of {@linkcode DaemonMetrics.render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The metrics in the Prometheus text format, gauges read now.
   *
   * @returns The exposition text.
   */
  render(): Promise<string> {
    const stats = this.#source.getStats();
    this.#gauges.idle.set(stats.sandboxes.idle);
    this.#gauges.alive.set(stats.sandboxes.alive);
    this.#gauges.running.set(stats.activeTasks);
    this.#gauges.queued.set(stats.queuedTasks);
    for (const server of stats.servers) {
      this.#up.set({ server: server.name }, server.state === "connected" ? 1 : 0);
      if (server.calls !== undefined) {
        this.#inFlight.set({ server: server.name }, server.calls.inFlight);
        this.#waiting.set({ server: server.name }, server.calls.waiting);
      }
    }
    return this.registry.metrics();
  }

  /** Stops following the orchestrator's events. */
  close(): void {
    this.#off();
  }

  /** Same as {@linkcode DaemonMetrics.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  #serverLabel(server: string): string {
    if (this.#servers === undefined) {
      const names = this.#source.getStats().servers.map((s) => s.name);
      if (names.length === 0) return "other";
      this.#servers = new Set(names);
    }
    return this.#servers.has(server) ? server : "other";
  }

  #record(event: OrchestratorEvent): void {
    if (event.type === "task") {
      this.#tasks.inc({ status: event.status });
      this.#taskDuration.observe(event.durationMs / 1000);
      this.#tokensUsed.inc(event.tokensUsed);
      this.#tokensDirect.inc(event.tokensDirect);
      return;
    }
    const server = this.#serverLabel(event.server);
    this.#calls.inc({ server, outcome: event.outcome });
    const approval = event.approval;
    if (approval !== undefined) {
      this.#approvals.inc({ action: approval.action, approved: String(approval.approved) });
    }
    if (event.outcome === "refused") {
      const reason = event.errorCode ?? "";
      this.#refused.inc({ reason: REFUSED_REASONS.has(reason) ? reason : "other" });
      return;
    }
    if (event.queueMs !== undefined) this.#queueWait.observe({ server }, event.queueMs / 1000);
    const waited = (event.approval?.waitMs ?? 0) + (event.queueMs ?? 0);
    this.#callDuration.observe({ server }, Math.max(0, event.durationMs - waited) / 1000);
    if (event.outcome === "error") this.#errors.inc({ code: event.errorCode ?? "error" });
  }
}
