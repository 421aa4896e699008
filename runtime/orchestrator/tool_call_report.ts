/**
 * Measures one tool call of a task for {@linkcode OrchestratorEvents}: its duration, outcome, error code, the
 * sizes of its arguments and raw result, the approval rule that applied and its wait in its server's queue.
 *
 * @module
 */

import type { ApprovalRecord } from "../approvals/mod.ts";
import type { OrchestratorEvents, ToolCallEvent } from "./orchestrator_events.ts";
import { jsonBytes } from "./orchestrator_events.ts";
import { ToolError } from "../wire/mod.ts";

/** Codes of calls refused on the host before they reached a server. */
const REFUSED = new Set(["not_allowed", "not_approved", "limit_exceeded"]);

/**
 * One call's measurements, reported once with {@linkcode ToolCallReport.end}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrchestratorEvents } from "./orchestrator_events.ts";
 * import { ToolCallReport } from "./tool_call_report.ts";
 * const events = new OrchestratorEvents();
 * const seen: unknown[] = [];
 * events.on((e) => seen.push(e));
 * const report = new ToolCallReport(events, { taskId: "t1", server: "memory", tool: "read_graph", args: {} });
 * report.result({ content: [] });
 * report.end();
 * assert.equal((seen[0] as { outcome: string }).outcome, "ok");
 * ```
 */
export class ToolCallReport {
  #events: OrchestratorEvents;
  #started = performance.now();
  #event: ToolCallEvent;
  #raw: unknown;
  #answered = false;

  /**
   * @param events Where the event goes.
   * @param call The task, its session and principal, and the call as the sandbox sent it.
   */
  constructor(
    events: OrchestratorEvents,
    call: {
      taskId: string;
      session?: string;
      principal?: string;
      server: string;
      tool: string;
      args: unknown;
    },
  ) {
    this.#events = events;
    this.#event = {
      type: "tool_call",
      time: "",
      taskId: call.taskId,
      server: call.server,
      tool: call.tool,
      durationMs: 0,
      outcome: "ok",
      argsBytes: jsonBytes(call.args),
    };
    if (call.session !== undefined) this.#event.session = call.session;
    if (call.principal !== undefined) this.#event.principal = call.principal;
  }

  /**
   * Notes the approval rule that applied, when it was `"ask"` or `"deny"`.
   *
   * @param approval The rule and the answer.
   */
  approval(approval: ApprovalRecord): void {
    this.#event.approval = approval;
  }

  /**
   * Notes how long the call waited for a slot of its server's `maxConcurrentCalls`.
   *
   * @param ms The wait, in milliseconds.
   */
  queueWait(ms: number): void {
    this.#event.queueMs = Math.round(ms * 1000) / 1000;
  }

  /**
   * Notes the server's raw answer (its size is measured when the call ends).
   *
   * @param raw The raw `tools/call` result.
   */
  result(raw: unknown): void {
    this.#raw = raw;
    this.#answered = true;
  }

  /**
   * Reports the call.
   *
   * @param error What the call threw, if it failed.
   */
  end(error?: unknown): void {
    const event = this.#event;
    event.time = new Date().toISOString();
    event.durationMs = Math.round((performance.now() - this.#started) * 1000) / 1000;
    if (this.#answered) event.resultBytes = jsonBytes(this.#raw);
    if (error !== undefined) {
      const code = error instanceof ToolError
        ? error.code
        : typeof (error as { code?: unknown })?.code === "string"
        ? (error as { code: string }).code
        : "error";
      event.outcome = REFUSED.has(code) ? "refused" : "error";
      event.errorCode = code;
    }
    this.#events.emit(event);
  }
}
