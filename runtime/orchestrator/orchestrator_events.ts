/**
 * Observability events of {@linkcode MCPOrchestrator}: one when a tool call finishes, one when a task finishes.
 * Events carry sizes, codes and durations, never argument or result values. A listener that throws or rejects is
 * logged and otherwise ignored: it never breaks a task.
 *
 * @module
 */

import type { ApprovalRecord } from "../approvals/mod.ts";
import { logger } from "../log.ts";
import type { AgentTask, TaskResult } from "../types.ts";

const log = logger("events");

/**
 * How a tool call ended: answered by the server, failed, or refused on the host before it went out.
 *
 * @example
 * ```ts
 * import type { ToolCallEvent, ToolCallOutcome } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const failed = (e: ToolCallEvent): boolean => (["error", "refused"] as ToolCallOutcome[]).includes(e.outcome);
 * assert.ok(failed({ type: "tool_call", time: "", taskId: "t1", server: "s", tool: "t", durationMs: 1, outcome: "refused",
 *   argsBytes: 2 }));
 * ```
 */
export type ToolCallOutcome = "ok" | "error" | "refused";

/**
 * A tool call of a task finished.
 *
 * @example
 * ```ts
 * import { auditLine, type ToolCallEvent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const event: ToolCallEvent = { type: "tool_call", time: "2026-01-01T00:00:00.000Z", taskId: "t1", server: "memory",
 *   tool: "read_graph", durationMs: 3, outcome: "ok", argsBytes: 2, resultBytes: 120 };
 * assert.equal(JSON.parse(auditLine(event)).outcome, "ok");
 * ```
 */
export interface ToolCallEvent {
  /** Always `"tool_call"`. */
  type: "tool_call";
  /** When the call finished, as an ISO 8601 string. */
  time: string;
  /** The task's `session`, when it has one. */
  session?: string;
  /** The task's `principal`, when it has one (the daemon sets it; library tasks may leave it out). */
  principal?: string;
  /** The task's id. */
  taskId: string;
  /** The server the call named. */
  server: string;
  /** The tool the call named. */
  tool: string;
  /** From the host receiving the call to its answer, approval and queue waits included, in milliseconds. */
  durationMs: number;
  /** `"ok"`, `"error"` (went out and failed) or `"refused"` (stopped on the host). */
  outcome: ToolCallOutcome;
  /** The ToolError code when the outcome is not `"ok"` (`"tool_failed"`, `"not_allowed"`, `"not_approved"`, ...). */
  errorCode?: string;
  /** Size of the arguments as JSON, in UTF-8 bytes. */
  argsBytes: number;
  /** Size of the server's raw result as JSON, in UTF-8 bytes, when it answered. */
  resultBytes?: number;
  /** The approval rule, when it was `"ask"` or `"deny"`. */
  approval?: ApprovalRecord;
  /**
   * How long the call waited for a free slot of its server (part of `durationMs`), in milliseconds: present for a
   * server whose mcp.json entry sets `maxConcurrentCalls` (0 when a slot was free), absent for any other.
   */
  queueMs?: number;
}

/**
 * A task finished (or was refused or cancelled before it ran).
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type TaskEvent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const tasks: TaskEvent[] = [];
 * orch.onEvent((e) => e.type === "task" && tasks.push(e));
 * await orch.executeTask({ id: "t1", description: "x", code: "return 1;", requiredTools: [], status: "pending" });
 * assert.deepEqual([tasks[0]?.taskId, tasks[0]?.status, tasks[0]?.toolCalls], ["t1", "completed", 0]);
 * ```
 */
export interface TaskEvent {
  /** Always `"task"`. */
  type: "task";
  /** When the task finished, as an ISO 8601 string. */
  time: string;
  /** The task's `session`, when it has one. */
  session?: string;
  /** The task's `principal`, when it has one (the daemon sets it; library tasks may leave it out). */
  principal?: string;
  /** The task's id. */
  taskId: string;
  /** The result's status. */
  status: TaskResult["status"];
  /** The task's `stats.duration`, in milliseconds (0 when it never ran). */
  durationMs: number;
  /** The error's code, when the task did not complete. */
  errorCode?: string;
  /** Tool calls forwarded to servers (refused ones are not counted). */
  toolCalls: number;
  /** The result's `stats.tokensUsed`. */
  tokensUsed: number;
  /** The result's `stats.tokensDirect`. */
  tokensDirect: number;
}

/**
 * Any event {@linkcode OrchestratorEvents} reports.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type OrchestratorEvent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const events: OrchestratorEvent[] = [];
 * orch.onEvent((e) => events.push(e));
 * await orch.executeTask({ id: "t1", description: "x", code: "return 1;", requiredTools: [], status: "pending" });
 * assert.deepEqual(events.map((e) => e.type), ["task"]);
 * ```
 */
export type OrchestratorEvent = ToolCallEvent | TaskEvent;

/**
 * Receives events; its return value is ignored, and a throw or a rejected promise is logged.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type OrchestratorEventListener } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * let count = 0;
 * const onEvent: OrchestratorEventListener = () => count++;
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`, onEvent });
 * await orch.initialize();
 * await orch.executeTask({ id: "t1", description: "x", code: "return 1;", requiredTools: [], status: "pending" });
 * assert.equal(count, 1);
 * ```
 */
export type OrchestratorEventListener = (event: OrchestratorEvent) => unknown;

/**
 * The listeners of one orchestrator. Each event is handed to every listener synchronously, in registration order;
 * one listener's failure does not stop the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrchestratorEvents } from "./orchestrator_events.ts";
 * const events = new OrchestratorEvents();
 * const seen: string[] = [];
 * const off = events.on((e) => seen.push(e.type));
 * events.on(() => { throw new Error("a broken listener"); });
 * events.emit({ type: "task", time: new Date().toISOString(), taskId: "t1", status: "completed",
 *   durationMs: 3, toolCalls: 0, tokensUsed: 10, tokensDirect: 20 });
 * off();
 * assert.deepEqual(seen, ["task"]);
 * ```
 */
export class OrchestratorEvents {
  #listeners = new Set<OrchestratorEventListener>();

  /**
   * @param listener A first listener, e.g. the `onEvent` option.
   */
  constructor(listener?: OrchestratorEventListener) {
    if (listener !== undefined) this.on(listener);
  }

  /** Whether anyone listens (sizes are measured only then). */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  /**
   * Adds a listener.
   *
   * @param listener Called with each event.
   * @returns A function that removes it.
   * @throws {TypeError} When the listener is not a function.
   */
  on(listener: OrchestratorEventListener): () => void {
    if (typeof listener !== "function") {
      throw new TypeError("Cannot add event listener: it must be a function");
    }
    // A wrapper per registration, so the same function added twice is removed once per call of its remover.
    const wrapped: OrchestratorEventListener = (event) => listener(event);
    this.#listeners.add(wrapped);
    return () => void this.#listeners.delete(wrapped);
  }

  /**
   * Hands an event to every listener. Never throws, and a listener's rejected promise is caught.
   *
   * @param event The event.
   */
  emit(event: OrchestratorEvent): void {
    for (const listener of this.#listeners) {
      try {
        const returned = listener(event);
        if (returned instanceof Promise) returned.catch((error) => failed(event, error));
      } catch (error) {
        failed(event, error);
      }
    }
  }

  /**
   * Reports a finished task.
   *
   * @param task The task.
   * @param result Its result.
   */
  emitTask(task: AgentTask, result: TaskResult): void {
    if (!this.active) return;
    const event: TaskEvent = {
      type: "task",
      time: new Date().toISOString(),
      taskId: task.id,
      status: result.status,
      durationMs: result.stats.duration,
      toolCalls: result.stats.toolsCalled.length,
      tokensUsed: result.stats.tokensUsed,
      tokensDirect: result.stats.tokensDirect,
    };
    if (task.session !== undefined) event.session = task.session;
    if (task.principal !== undefined) event.principal = task.principal;
    if (result.error !== undefined) event.errorCode = result.error.code;
    this.emit(event);
  }
}

function failed(event: OrchestratorEvent, error: unknown): void {
  log.warn("An event listener failed on a {type} event of task {taskId}: {error}", {
    type: event.type,
    taskId: event.taskId,
    error: error instanceof Error ? error.message : String(error),
  });
}

/**
 * The size of a value as JSON in UTF-8 bytes, without building the bytes.
 *
 * @param value Any JSON value (`undefined` counts as `{}`, as a tool call sends it).
 * @returns The byte count; 0 when the value cannot be serialized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonBytes } from "./orchestrator_events.ts";
 * assert.equal(jsonBytes({ a: "é" }), 10);
 * ```
 */
export function jsonBytes(value: unknown): number {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? {});
  } catch {
    return 0;
  }
  return text === undefined ? 0 : utf8Length(text);
}

/**
 * The length of a string in UTF-8 bytes, counted without encoding it (a lone surrogate counts as the 3 bytes of the
 * U+FFFD it is encoded as).
 *
 * @param text The string.
 * @returns Its UTF-8 length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Length } from "./orchestrator_events.ts";
 * assert.equal(utf8Length("aé€😀"), new TextEncoder().encode("aé€😀").length);
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
