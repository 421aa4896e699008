/**
 * The host-side check every tool call passes before it goes out: the approval rule for the call, and for `"ask"` a
 * call to the `approve` callback, bounded by a deadline.
 *
 * @module
 */

import type { ConnectionManager } from "../connections/mod.ts";
import { logger } from "../log.ts";
import { ToolError } from "../wire/mod.ts";
import type { ApprovalRecord } from "./approval_record.ts";
import { ApprovalPolicy, type ApprovalRules, describeRule } from "./approval_policy.ts";

const log = logger("approvals");

/**
 * The default of `approvalTimeoutMs`: how long an `"ask"` waits for an answer.
 *
 * @example
 * ```ts
 * import { DEFAULT_APPROVAL_TIMEOUT_MS } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_APPROVAL_TIMEOUT_MS, 60_000);
 * ```
 */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 60_000;

/**
 * A call waiting for approval, as the `approve` callback receives it.
 *
 * @example
 * ```ts
 * import { type ApprovalRequest, SessionApprovers } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const request: ApprovalRequest = { server: "memory", tool: "delete_entities", args: { entityNames: ["Ada"] },
 *   taskId: "t1", session: "s1", rule: "*", signal: new AbortController().signal };
 * const approvers = new SessionApprovers();
 * approvers.set("s1", (r) => r.tool !== "delete_entities");
 * assert.equal(await approvers.approve(request), false);
 * ```
 */
export interface ApprovalRequest {
  /** The server the call goes to. */
  server: string;
  /** The tool it calls. */
  tool: string;
  /**
   * The arguments the agent code passed (the approver may show them; they are never logged). With `pii` on they
   * hold placeholders such as `[EMAIL_1]`: what the model saw.
   */
  args: unknown;
  /**
   * With `pii` on: the arguments the call will carry, placeholders replaced by the real values. Show these only to
   * a person who may see the data (an operator), never back to the agent's own client.
   */
  restoredArgs?: unknown;
  /** With `pii` on: each placeholder in `args` and the kind of value it stands for (`EMAIL`, `PHONE`, ...). */
  placeholders?: readonly ApprovalPlaceholder[];
  /** The id of the task whose code made the call. */
  taskId: string;
  /** The task's `session`, when it has one: the daemon routes the question to that client. */
  session?: string;
  /** Who the task acts for (`AgentTask.principal`). */
  principal?: string;
  /** The rule that asked: a key of `approvals`, or `"default:destructive"` / `"default:unknown"`. */
  rule: string;
  /** Aborted when the deadline passes or the task ends: stop asking then. */
  signal: AbortSignal;
}

/**
 * A placeholder in a call's arguments and the kind of value it stands for.
 *
 * @example
 * ```ts
 * import type { ApprovalPlaceholder } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const placeholder: ApprovalPlaceholder = { token: "[EMAIL_1]", kind: "EMAIL" };
 * assert.equal(placeholder.kind, "EMAIL");
 * ```
 */
export interface ApprovalPlaceholder {
  /** The placeholder as it appears in the arguments, e.g. `[EMAIL_1]`. */
  token: string;
  /** Its kind, upper case: `EMAIL`, `PHONE`, `CARD`, or a configured one. */
  kind: string;
}

/**
 * An approver's answer: `true` lets the call out; an object may add why it was refused, and who answered.
 *
 * @example
 * ```ts
 * import { type ApprovalAnswer, SessionApprovers } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const approvers = new SessionApprovers();
 * approvers.set("s1", (): ApprovalAnswer => ({ approved: false, reason: "not on Fridays" }));
 * const answer = await approvers.approve({ ...{ server: "memory", tool: "delete_entities", args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal }, session: "s1" });
 * assert.deepEqual(answer, { approved: false, reason: "not on Fridays" });
 * ```
 */
export type ApprovalAnswer = boolean | {
  approved: boolean;
  reason?: string;
  /** Who answered (a principal id), recorded in the tool call's approval record and the audit trail. */
  answeredBy?: string;
};

/**
 * Decides whether a call may go out. A throw, a rejection or a non-`true` answer refuses the call.
 *
 * @example
 * ```ts
 * import { type Approver, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const asked: string[] = [];
 * const approve: Approver = (request) => {
 *   asked.push(`${request.server}.${request.tool}`);
 *   return request.tool.startsWith("read_");
 * };
 * assert.deepEqual([await approve({ server: "memory", tool: "read_graph", args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal }), asked], [true, ["memory.read_graph"]]);
 * const dir = await Deno.makeTempDir();
 * await using _orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`, approve });
 * ```
 */
export type Approver = (request: ApprovalRequest) => ApprovalAnswer | Promise<ApprovalAnswer>;

/** Options for {@linkcode ApprovalGate}, named as in `MCPOrchestrator`'s options. */
export interface ApprovalGateOptions {
  /** The rules; see `ApprovalRules`. */
  approvals?: ApprovalRules;
  /** Asked for calls whose rule is `"ask"`. Without it they are refused. */
  approve?: Approver;
  /** How long to wait for an answer, in milliseconds. Default 60,000. */
  approvalTimeoutMs?: number;
}

/** What the gate decided: nothing to record for an allowed call, else the rule, and the error when refused. */
export interface ApprovalDecision {
  record?: ApprovalRecord;
  refusal?: ToolError;
}

/** One call, as the gate checks it. */
export interface GateCall extends
  Pick<
    ApprovalRequest,
    | "server"
    | "tool"
    | "args"
    | "restoredArgs"
    | "placeholders"
    | "taskId"
    | "session"
    | "principal"
  > {
  signal: AbortSignal;
}

/**
 * Checks tool calls against the approval rules and asks the approver where a rule says `"ask"`.
 *
 * @example
 * ```ts ignore
 * const gate = new ApprovalGate({ approvals: { "*": "ask" }, approve: (call) => call.tool !== "delete_entities" });
 * const { refusal } = await gate.check({ server, tool, args, taskId, signal }, connections);
 * if (refusal) throw refusal;
 * ```
 */
export class ApprovalGate {
  #policy: ApprovalPolicy;
  #approve: Approver | undefined;
  #timeoutMs: number;
  #checkedKeys = false;

  /**
   * @param options The rules, the approver and the deadline.
   * @throws {TypeError} When a rule is malformed or `approve` is not a function.
   * @throws {RangeError} When `approvalTimeoutMs` is not a whole number of at least 1.
   */
  constructor(options: ApprovalGateOptions = {}) {
    this.#policy = new ApprovalPolicy(options.approvals);
    if (options.approve !== undefined && typeof options.approve !== "function") {
      throw new TypeError("Cannot use approvals: approve must be a function");
    }
    this.#approve = options.approve;
    const timeout = options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout < 1) {
      throw new RangeError(
        `Cannot use approvals: approvalTimeoutMs must be a whole number >= 1, got ${timeout}`,
      );
    }
    this.#timeoutMs = timeout;
  }

  /**
   * Decides one call. Never throws: a refusal comes back as `refusal`.
   *
   * @param call The call, its task and session, and the signal that ends with the task.
   * @param connections Where the tool's definition (and annotations) come from.
   * @returns The decision.
   */
  async check(call: GateCall, connections: ConnectionManager): Promise<ApprovalDecision> {
    if (!this.#checkedKeys) this.#warnUnknownKeys(connections.names);
    const connection = connections.get(call.server);
    const definition = connection?.tools.find((t) => t.name === call.tool);
    // A connected server without the tool refuses it itself ("unknown_tool"); nothing goes out.
    if (definition === undefined && connection?.state === "connected") return {};
    const rule = this.#policy.ruleFor(call.server, definition ?? call.tool, connections.names);
    if (rule.action === "allow") return {};
    const refuse = (why: string, code: "not_approved" | "call_cancelled" = "not_approved") =>
      new ToolError(
        `Cannot call tool "${call.tool}" on server "${call.server}": not approved: ${
          describeRule(rule)
        } ${why}`,
        { code, server: call.server, tool: call.tool },
      );
    if (rule.action === "deny") {
      return {
        record: { rule: rule.rule, action: "deny", approved: false, waitMs: 0 },
        refusal: refuse("refuses it"),
      };
    }
    const started = performance.now();
    const answer = await this.#ask(call, rule.rule);
    const record: ApprovalRecord = {
      rule: rule.rule,
      action: "ask",
      approved: answer.approved,
      waitMs: Math.round(performance.now() - started),
      ...(answer.answeredBy === undefined ? {} : { answeredBy: answer.answeredBy }),
    };
    if (answer.approved) return { record };
    return { record, refusal: refuse(answer.why, answer.code) };
  }

  async #ask(
    call: GateCall,
    rule: string,
  ): Promise<{ approved: boolean; why: string; code?: "call_cancelled"; answeredBy?: string }> {
    const approve = this.#approve;
    if (approve === undefined) {
      return {
        approved: false,
        why:
          "asks for approval and no approver is configured (give the approve option, or change the rule)",
      };
    }
    if (call.signal.aborted) {
      return { approved: false, why: "asks, and the task ended first", code: "call_cancelled" };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("timeout"), this.#timeoutMs);
    const onEnd = () => controller.abort("ended");
    call.signal.addEventListener("abort", onEnd, { once: true });
    const request: ApprovalRequest = {
      server: call.server,
      tool: call.tool,
      args: call.args,
      taskId: call.taskId,
      rule,
      signal: controller.signal,
    };
    if (call.session !== undefined) request.session = call.session;
    if (call.principal !== undefined) request.principal = call.principal;
    if (call.restoredArgs !== undefined) request.restoredArgs = call.restoredArgs;
    if (call.placeholders !== undefined) request.placeholders = call.placeholders;
    try {
      const answered = Promise.resolve().then(() => approve(request));
      // The approver may settle after the deadline: its late rejection must not go unhandled.
      answered.catch(() => {});
      const stopped = new Promise<"stopped">((resolve) => {
        controller.signal.addEventListener("abort", () => resolve("stopped"), { once: true });
      });
      const answer = await Promise.race([answered, stopped]);
      if (answer === "stopped") {
        return controller.signal.reason === "ended"
          ? { approved: false, why: "asks, and the task ended first", code: "call_cancelled" }
          : {
            approved: false,
            why: `asks, and no answer came within ${this.#timeoutMs} ms (approvalTimeoutMs)`,
          };
      }
      if (answer === true) return { approved: true, why: "" };
      const by = typeof answer === "object" && answer !== null &&
          typeof answer.answeredBy === "string"
        ? { answeredBy: answer.answeredBy.slice(0, 256) }
        : {};
      if (typeof answer === "object" && answer !== null && answer.approved === true) {
        return { approved: true, why: "", ...by };
      }
      const reason = typeof answer === "object" && answer !== null &&
          typeof answer.reason === "string"
        ? `: ${answer.reason.slice(0, 500)}`
        : "";
      return { approved: false, why: `asks, and the approver declined${reason}`, ...by };
    } catch (error) {
      // Its message may hold host details: logged here, not shown to agent code.
      log.warn("The approver failed for {server}.{tool} of task {taskId}: {error}", {
        server: call.server,
        tool: call.tool,
        taskId: call.taskId,
        error: error instanceof Error ? error.message : String(error),
      });
      return { approved: false, why: "asks, and the approver failed" };
    } finally {
      clearTimeout(timer);
      // The signal is not aborted after an answer: the SDK would send a needless notifications/cancelled.
      call.signal.removeEventListener("abort", onEnd);
    }
  }

  #warnUnknownKeys(servers: readonly string[]): void {
    this.#checkedKeys = true;
    const unknown = this.#policy.unknownKeys(servers);
    if (unknown.length > 0) {
      log.warn("Approval rules name no configured server: {keys}", { keys: unknown.join(", ") });
    }
  }
}
