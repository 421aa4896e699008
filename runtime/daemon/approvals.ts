/**
 * Approvals in the daemon: the connected client is asked through MCP elicitation (form mode) before a call whose
 * rule is `"ask"` goes out, and {@linkcode SessionApprovers} routes each task's question to the client of the
 * task's session.
 *
 * @module
 */

import {
  type ApprovalAnswer,
  type ApprovalRequest,
  type Approver,
  DEFAULT_APPROVAL_TIMEOUT_MS,
} from "../approvals/mod.ts";
import type { ElicitingServer, ElicitRequestFormParams, RequestId } from "../mcp_types.ts";
import { describePiiKind } from "../privacy/mod.ts";
import { ErrorCode, McpError } from "../sdk.ts";

/**
 * Options for {@linkcode elicitationApprover}.
 *
 * @example A client without elicitation is never asked
 * ```ts
 * import { elicitationApprover, type ElicitationApproverOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: ElicitationApproverOptions = { timeoutMs: 5_000, maxArgsChars: 200 };
 * const approve = elicitationApprover({ getClientCapabilities: () => ({}), elicitInput: () => Promise.reject() }, options);
 * const answer = await approve({ server: "memory", tool: "delete_entities", args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal });
 * assert.equal(typeof answer === "object" && answer.approved, false);
 * ```
 */
export interface ElicitationApproverOptions {
  /**
   * How long the client may take to answer, in milliseconds. Default 60,000. The orchestrator's
   * `approvalTimeoutMs` bounds it too: its deadline cancels the request.
   */
  timeoutMs?: number;
  /**
   * The client request a question belongs to (the `execute_code` call's request id). Over Streamable HTTP the
   * question then travels on that request's response stream; without it, it needs the client's standalone GET
   * stream.
   */
  relatedRequestId?: (request: ApprovalRequest) => RequestId | undefined;
  /** The most characters of the arguments shown in the question. Default 1,000. */
  maxArgsChars?: number;
}

/** Characters that must not reach a client's screen as they are: C0/C1 controls, DEL, bidirectional overrides. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The arguments as compact JSON, cut to `max` characters with a note of what was cut.
 *
 * @param args The arguments.
 * @param max The most characters.
 * @returns Printable text.
 */
function compactArgs(args: unknown, max: number): string {
  let json: string;
  try {
    json = JSON.stringify(args ?? {}) ?? "{}";
  } catch {
    json = "(arguments that cannot be shown as JSON)";
  }
  const shown = json.length > max
    ? `${json.slice(0, max)}… (${json.length - max} more characters)`
    : json;
  return printable(shown);
}

/**
 * The form the client shows: the question, and one `approve` checkbox (unticked by default). Only an accept with
 * `approve` ticked lets the call out. The arguments are shown as agent code sent them: with `pii` on, placeholders
 * such as `[EMAIL_1]`, each explained by its kind, never the real values (the client may be the model's own
 * context).
 *
 * @param request The call waiting for approval.
 * @param maxArgsChars The most characters of the arguments shown.
 * @returns The `elicitation/create` parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalForm } from "@mcp-executor/runtime";
 * const form = approvalForm({ server: "memory", tool: "delete_entities", args: { entityNames: ["Ada"] },
 *   taskId: "t1", rule: "default:destructive", signal: new AbortController().signal });
 * assert.match(form.message, /delete_entities/);
 * assert.match(form.message, /\{"entityNames":\["Ada"\]\}/);
 * ```
 */
export function approvalForm(
  request: ApprovalRequest,
  maxArgsChars = 1_000,
): ElicitRequestFormParams {
  const message = [
    `Allow a tool call from agent code?`,
    `Server: ${printable(request.server)}`,
    `Tool: ${printable(request.tool)}`,
    `Arguments: ${compactArgs(request.args, maxArgsChars)}`,
    ...(request.placeholders === undefined || request.placeholders.length === 0 ? [] : [
      `Placeholders (personal data the call will carry, not shown here): ${
        request.placeholders.slice(0, 50).map((p) =>
          `${printable(p.token)} (${printable(describePiiKind(p.kind))})`
        ).join(", ")
      }`,
    ]),
    `Task: ${printable(request.taskId)} (approval rule: ${printable(request.rule)})`,
  ].join("\n");
  return {
    mode: "form",
    message,
    requestedSchema: {
      type: "object",
      properties: {
        approve: {
          type: "boolean",
          title: "Approve this call",
          description:
            "Tick this and accept to let the call go out; anything else (unticked, decline, cancel) refuses it.",
          default: false,
        },
      },
    },
  };
}

/**
 * An approver that asks the client of one MCP session through elicitation. It answers `true` only when the client
 * accepts with `approve: true` in the content; it answers `false` (with a reason) when the client has no
 * elicitation capability, declines, cancels, accepts without `approve: true` (no content included), fails, or does
 * not answer in time; it never throws.
 *
 * @param server The SDK low-level `Server` of the client session (`McpServer.server`).
 * @param options The deadline, the related request and how much of the arguments to show.
 * @returns An approver for that session.
 *
 * @example With a client that approves everything but deletions
 * ```ts
 * import { elicitationApprover } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const approve = elicitationApprover({
 *   getClientCapabilities: () => ({ elicitation: { form: {} } }),
 *   elicitInput: (form) => Promise.resolve({ action: "accept", content: { approve: !form.message.includes("delete") } }),
 * });
 * const ask = (tool: string) => approve({ server: "memory", tool, args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal });
 * assert.deepEqual([await ask("read_graph"), (await ask("delete_entities") as { approved: boolean }).approved], [true, false]);
 * ```
 */
export function elicitationApprover(
  server: ElicitingServer,
  options: ElicitationApproverOptions = {},
): Approver {
  const timeout = options.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  return async (request: ApprovalRequest): Promise<ApprovalAnswer> => {
    if (server.getClientCapabilities()?.elicitation?.form === undefined) {
      return {
        approved: false,
        reason: "the client cannot be asked: it does not support elicitation (form mode)",
      };
    }
    const relatedRequestId = options.relatedRequestId?.(request);
    try {
      const result = await server.elicitInput(approvalForm(request, options.maxArgsChars), {
        timeout,
        signal: request.signal,
        ...(relatedRequestId === undefined ? {} : { relatedRequestId }),
      });
      if (result.action === "accept") {
        // Only an explicit tick approves: an accept without content, or with anything but true, refuses.
        return result.content?.approve === true
          ? true
          : { approved: false, reason: "the user accepted the form without ticking approve" };
      }
      return {
        approved: false,
        reason: result.action === "decline"
          ? "the user declined"
          : "the user dismissed the question",
      };
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return { approved: false, reason: `the client did not answer within ${timeout} ms` };
      }
      const message = error instanceof Error ? error.message : String(error);
      return { approved: false, reason: `the client could not be asked: ${message.slice(0, 200)}` };
    }
  };
}

/**
 * Routes approval questions to the approver of the task's session. One orchestrator serves every session; give it
 * `approve: approvers.approve`, call {@linkcode SessionApprovers.set} when a session starts and
 * {@linkcode SessionApprovers.delete} when it ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionApprovers } from "@mcp-executor/runtime";
 * const approvers = new SessionApprovers();
 * approvers.set("s1", () => true);
 * const ask = (session?: string) => approvers.approve({ server: "memory", tool: "delete_entities", args: {},
 *   taskId: "t1", rule: "default:destructive", signal: new AbortController().signal,
 *   ...(session === undefined ? {} : { session }) });
 * assert.equal(await ask("s1"), true);
 * assert.equal((await ask("s2") as { approved: boolean }).approved, false);
 * ```
 */
export class SessionApprovers {
  #approvers = new Map<string, Approver>();

  /**
   * Sets the approver of a session, replacing any earlier one.
   *
   * @param session The session id (the `session` the daemon gives its tasks).
   * @param approve Its approver, e.g. from {@linkcode elicitationApprover}.
   * @throws {TypeError} When the session is empty or the approver is not a function.
   */
  set(session: string, approve: Approver): void {
    if (typeof session !== "string" || session === "") {
      throw new TypeError("Cannot set approver: the session must be a non-empty string");
    }
    if (typeof approve !== "function") {
      throw new TypeError(`Cannot set approver of session "${session}": it must be a function`);
    }
    this.#approvers.set(session, approve);
  }

  /**
   * Forgets a session's approver; its later questions are refused.
   *
   * @param session The session id.
   * @returns Whether it had one.
   */
  delete(session: string): boolean {
    return this.#approvers.delete(session);
  }

  /** How many sessions have an approver. */
  get size(): number {
    return this.#approvers.size;
  }

  /**
   * The approver to give `MCPOrchestrator` (a bound function): asks the approver of `request.session`, and refuses
   * a call whose task has no session or whose session has none.
   *
   * @param request The call waiting for approval.
   * @returns The session approver's answer, or a refusal that says why.
   */
  readonly approve: Approver = (request: ApprovalRequest) => {
    const session = request.session;
    const approve = session === undefined ? undefined : this.#approvers.get(session);
    if (approve !== undefined) return approve(request);
    return {
      approved: false,
      reason: session === undefined
        ? "the task belongs to no client session that could be asked"
        : `session "${printable(session)}" has no client that can be asked`,
    };
  };
}
