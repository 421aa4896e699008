/**
 * The tool calls of one running task: each is checked against the task's allowlist and its call limit, forwarded
 * to the server, unwrapped for the agent, and counted for the classic-tool-calling token estimate.
 *
 * @module
 */

import { type Allowlist, isAllowed } from "./allowlist.ts";
import type { ApprovalGate } from "../approvals/mod.ts";
import type { OrchestratorEvents } from "./orchestrator_events.ts";
import { ToolCallReport } from "./tool_call_report.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import { unwrapResult } from "../connections/mod.ts";
import type { TaskPrivacy } from "../privacy/mod.ts";
import type { CallToolResult } from "../sdk.ts";
import type { ToolCallRequest } from "../sandbox/mod.ts";
import { ToolError } from "../wire/mod.ts";
import { toolCallTokensAsync, toolResultTokensAsync } from "../tokens/mod.ts";
import { logger } from "../log.ts";

const log = logger("orchestrator");

/**
 * A count that cannot reject: it is awaited only when the task ends, and a rejection left waiting until then would be
 * unhandled (and end the host). A count that fails counts 0.
 */
function settleCount(count: () => Promise<number>): Promise<number> {
  // Started on a later turn of the event loop: counting is never on a call's path (the call goes out, and its
  // answer goes back to the sandbox, first).
  return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(count).catch((error) => {
    log.warn("Cannot count tokens of a tool call: {error}", { error: String(error) });
    return 0;
  });
}

/** Options for {@linkcode TaskCalls}. */
export interface TaskCallsOptions {
  taskId: string;
  /** The task's session: reported in events and to the approver, and carried by an elicitation during its calls. */
  session?: string;
  /**
   * Who the task acts for: reported in events, audit lines and to the approver; a server that signs in per
   * principal is called with their sign-in.
   */
  principal?: string;
  allow: Allowlist;
  maxToolCalls: number;
  connections: ConnectionManager;
  /** Tokens classic tool calling spends before the first call: the tool definitions. */
  baseTokens: number;
  /** With `pii` on: puts placeholders into results and restores arguments (see `TaskPrivacy.call`). */
  privacy?: TaskPrivacy;
  onProgress?: (
    server: string,
    tool: string,
    p: { progress: number; total?: number; message?: string },
  ) => void;
  /** Receives each successful raw result (output type inference). */
  onResult?: (server: string, tool: string, result: CallToolResult) => void;
  /** Called when a forwarded call has finished, with whether it returned a result. */
  onCallDone?: (server: string, tool: string, ok: boolean) => void;
  /** Checks approval rules before a call goes out. */
  approvals?: ApprovalGate;
  /** Receives a `tool_call` event when each call ends. */
  events?: OrchestratorEvents;
}

/**
 * Answers the tool calls of one task.
 *
 * @example
 * ```ts ignore
 * const calls = new TaskCalls({ taskId: "t1", allow, maxToolCalls: 100, connections, baseTokens: 0 });
 * await pool.run({ taskId: "t1", code, onToolCall: (call) => calls.handle(call) });
 * console.log(calls.toolsCalled, await calls.directTokens());
 * ```
 */
export class TaskCalls {
  /** Every call forwarded to a server, in order, as `"server.tool"`. */
  readonly toolsCalled: string[] = [];
  #options: TaskCallsOptions;
  #count = 0;
  #tokens: number;
  #counting: Promise<number>[] = [];

  /**
   * @param options The task, its allowlist and call limit, the connections and the base token count.
   */
  constructor(options: TaskCallsOptions) {
    this.#options = options;
    this.#tokens = options.baseTokens;
  }

  /**
   * Classic tool calling's tokens for the calls so far: the definitions, then each call's arguments and raw result.
   * Results are counted after they were answered, so this waits for the counts still under way.
   *
   * @returns The total.
   */
  async directTokens(): Promise<number> {
    const counts = await Promise.all(this.#counting);
    return counts.reduce((sum, n) => sum + n, this.#tokens);
  }

  /**
   * Checks and forwards one call.
   *
   * @param call The call as the sandbox reported it.
   * @returns The unwrapped result.
   * @throws {ToolError} `"not_allowed"` outside the allowlist, `"limit_exceeded"` past `maxToolCalls`,
   * `"not_approved"` when an approval rule refuses it, and whatever the server or connection gives.
   */
  async handle(call: ToolCallRequest): Promise<unknown> {
    const { taskId, session, principal, events } = this.#options;
    const report = events?.active
      ? new ToolCallReport(events, {
        ...call,
        taskId,
        ...(session === undefined ? {} : { session }),
        ...(principal === undefined ? {} : { principal }),
      })
      : undefined;
    try {
      const value = await this.#handle(call, report);
      report?.end();
      return value;
    } catch (error) {
      report?.end(error);
      throw error;
    }
  }

  async #handle(call: ToolCallRequest, report: ToolCallReport | undefined): Promise<unknown> {
    const { server, tool, args, signal } = call;
    const { taskId, allow, maxToolCalls } = this.#options;
    if (!isAllowed(allow, server, tool)) {
      throw new ToolError(
        `Cannot call tool "${tool}" on server "${server}": task "${taskId}" did not list "${server}" or "${server}.${tool}" in requiredTools`,
        { code: "not_allowed", server, tool },
      );
    }
    if (++this.#count > maxToolCalls) {
      throw new ToolError(
        `Cannot call tool "${tool}" on server "${server}": task "${taskId}" reached its limit of ${maxToolCalls} tool calls (limit "maxToolCalls")`,
        { code: "limit_exceeded", server, tool },
      );
    }
    const privacy = this.#options.privacy;
    // Restored first: a call the data-flow rules refuse is never put to an approver, and an operator sees the
    // values the call will carry (a client approver is shown the placeholders and their kinds instead).
    const restored = privacy?.restoreArgs(server, tool, args);
    const { session, principal } = this.#options;
    const approval = await this.#options.approvals?.check(
      {
        server,
        tool,
        args,
        taskId,
        signal,
        ...(session === undefined ? {} : { session }),
        ...(principal === undefined ? {} : { principal }),
        ...(privacy === undefined
          ? {}
          : { restoredArgs: restored, placeholders: privacy.placeholders(args) }),
      },
      this.#options.connections,
    );
    if (approval?.record !== undefined) report?.approval(approval.record);
    if (approval?.refusal !== undefined) throw approval.refusal;
    if (privacy !== undefined) {
      return await privacy.call(
        call,
        (sent) => this.#forward(call, sent, report, privacy),
        restored,
      );
    }
    return await this.#forward(call, args, report);
  }

  async #forward(
    call: ToolCallRequest,
    sent: unknown,
    report: ToolCallReport | undefined,
    privacy?: TaskPrivacy,
  ): Promise<unknown> {
    const { server, tool, args, signal } = call;
    const { taskId } = this.#options;
    this.toolsCalled.push(`${server}.${tool}`);
    // Arguments can be megabytes: counted later, in pieces, like results.
    this.#counting.push(settleCount(() => toolCallTokensAsync(tool, args)));
    const onProgress = this.#options.onProgress;
    const { session, principal } = this.#options;
    let raw: Awaited<ReturnType<ConnectionManager["callToolRaw"]>>;
    let value: unknown;
    try {
      raw = await this.#options.connections.callToolRaw(server, tool, sent, {
        signal,
        context: session === undefined ? { taskId } : { taskId, session },
        ...(principal === undefined ? {} : { principal }),
        ...(report === undefined ? {} : { onQueueWait: (ms: number) => report.queueWait(ms) }),
        ...(onProgress === undefined ? {} : {
          onProgress: (p) =>
            onProgress(
              server,
              tool,
              privacy === undefined || p.message === undefined ? p : {
                ...p,
                message: privacy.textWithPlaceholders(server, p.message),
              },
            ),
        }),
      });
      report?.result(raw);
      value = unwrapResult(server, tool, raw);
      this.#options.onResult?.(server, tool, raw);
    } catch (error) {
      this.#options.onCallDone?.(server, tool, false);
      throw error;
    }
    this.#options.onCallDone?.(server, tool, true);
    // Counted after the answer goes back, in pieces: a large result must not hold up this task or any other.
    this.#counting.push(settleCount(() => toolResultTokensAsync(raw)));
    return value;
  }
}
