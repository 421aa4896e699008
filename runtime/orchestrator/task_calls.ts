/**
 * The tool calls of one running task: each is checked against the task's allowlist and its call limit, forwarded
 * to the server, unwrapped for the agent, and counted for the classic-tool-calling token estimate.
 *
 * @module
 */

import { type Allowlist, isAllowed } from "./allowlist.ts";
import type { ConnectionManager } from "../connections/connection_manager.ts";
import { unwrapResult } from "../connections/unwrap_result.ts";
import type { TaskPrivacy } from "../privacy/mod.ts";
import type { ToolCallRequest } from "../sandbox/mod.ts";
import { ToolError } from "../sandbox_runtime/wire_error.ts";
import { toolCallTokensAsync, toolResultTokensAsync } from "../tokens/token_accounting.ts";

/** Options for {@linkcode TaskCalls}. */
export interface TaskCallsOptions {
  taskId: string;
  allow: Allowlist;
  maxToolCalls: number;
  connections: ConnectionManager;
  /** Tokens classic tool calling spends before the first call: the tool definitions. */
  baseTokens: number;
  /** With `pii` on: tokenizes results and restores arguments (see `TaskPrivacy.call`). */
  privacy?: TaskPrivacy;
  onProgress?: (
    server: string,
    tool: string,
    p: { progress: number; total?: number; message?: string },
  ) => void;
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
   * @throws {ToolError} `"not_allowed"` outside the allowlist, `"limit_exceeded"` past `maxToolCalls`, and
   * whatever the server or connection gives.
   */
  async handle(call: ToolCallRequest): Promise<unknown> {
    const { server, tool, args } = call;
    const { taskId, allow, maxToolCalls } = this.#options;
    if (!isAllowed(allow, server, tool)) {
      throw new ToolError(
        `Cannot call tool "${tool}" on server "${server}": task "${taskId}" did not list "${server}" or "${server}.${tool}" in requiredTools`,
        { code: "not_allowed", server, tool },
      );
    }
    if (++this.#count > maxToolCalls) {
      throw new ToolError(
        `Cannot call tool "${tool}" on server "${server}": task "${taskId}" reached its limit of ${maxToolCalls} tool calls (maxToolCalls)`,
        { code: "limit_exceeded", server, tool },
      );
    }
    const privacy = this.#options.privacy;
    if (privacy !== undefined) {
      return await privacy.call(call, (restored) => this.#forward(call, restored, privacy));
    }
    return await this.#forward(call, args);
  }

  async #forward(call: ToolCallRequest, sent: unknown, privacy?: TaskPrivacy): Promise<unknown> {
    const { server, tool, args, signal } = call;
    this.toolsCalled.push(`${server}.${tool}`);
    // Arguments can be megabytes: counted later, in pieces, like results.
    this.#counting.push(toolCallTokensAsync(tool, args));
    const onProgress = this.#options.onProgress;
    const raw = await this.#options.connections.callToolRaw(server, tool, sent, {
      signal,
      ...(onProgress === undefined ? {} : {
        onProgress: (p) =>
          onProgress(
            server,
            tool,
            privacy === undefined || p.message === undefined ? p : {
              ...p,
              message: privacy.tokenizeText(server, p.message),
            },
          ),
      }),
    });
    const value = unwrapResult(server, tool, raw);
    // Counted after the answer goes back, in pieces: a large result must not hold up this task or any other.
    this.#counting.push(toolResultTokensAsync(raw));
    return value;
  }
}
