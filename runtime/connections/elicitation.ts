/**
 * Elicitation passed through: a server's `elicitation/create` goes to the application's callback, with the tool
 * call it belongs to when that can be known.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { logger } from "../log.ts";
import type { ElicitRequestParams, ElicitResult } from "../mcp_types.ts";
import { type Client, type ClientCapabilities, ElicitRequestSchema } from "../sdk.ts";

const log = logger("elicitation");

/**
 * Who a tool call is made for: the task and, in the daemon, the client session.
 *
 * @example Say which task a call is for
 * ```ts
 * import { type CallContext, ConnectionManager, parseConfig, ToolError } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const context: CallContext = { taskId: "t1", session: "client-1" };
 * await using servers = new ConnectionManager(parseConfig({ mcpServers: {} }));
 * await assert.rejects(servers.callTool("memory", "read_graph", {}, { context }), ToolError);
 * ```
 */
export interface CallContext {
  /** The task whose code made the call. */
  taskId?: string;
  /** The client session the task belongs to (the daemon's MCP client session). */
  session?: string;
}

/**
 * A tool call in flight on a server.
 *
 * @example
 * ```ts
 * import type { ElicitationHandler, InFlightCall } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const calls: InFlightCall[] = [];
 * const onElicitation: ElicitationHandler = (request) => {
 *   calls.push(...request.inFlight);
 *   return { action: "cancel" };
 * };
 * await onElicitation({ server: "github", params: { message: "Which repository?",
 *   requestedSchema: { type: "object", properties: { repo: { type: "string" } } } },
 *   inFlight: [{ tool: "create_issue", taskId: "t1" }], signal: new AbortController().signal });
 * assert.deepEqual(calls, [{ tool: "create_issue", taskId: "t1" }]);
 * ```
 */
export interface InFlightCall extends CallContext {
  /** The tool called. */
  tool: string;
}

/**
 * What an {@linkcode ElicitationHandler} receives.
 *
 * @example
 * ```ts
 * import type { ElicitationRequest } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const request: ElicitationRequest = { server: "github", params: { message: "Which repository?",
 *   requestedSchema: { type: "object", properties: { repo: { type: "string" } } } },
 *   inFlight: [{ tool: "create_issue", taskId: "t1" }], signal: new AbortController().signal };
 * const form = request.params.mode === "url" ? undefined : request.params.requestedSchema;
 * assert.deepEqual(Object.keys(form?.properties ?? {}), ["repo"]);
 * ```
 */
export interface ElicitationRequest {
  /** The server asking, by its name in mcp.json. */
  server: string;
  /** The request as the server sent it: form mode (`message`, `requestedSchema`) or URL mode (`url`). */
  params: ElicitRequestParams;
  /**
   * The tool call the request belongs to, when known: the request arrived on that call's own response stream
   * (Streamable HTTP), or it was the only call in flight on this server. Otherwise `undefined`; see `inFlight`.
   */
  call?: InFlightCall;
  /** Every tool call in flight on this server when the request arrived. */
  inFlight: InFlightCall[];
  /** Aborted when the deadline passes or the server cancels the request. */
  signal: AbortSignal;
}

/**
 * Answers a server's elicitation. Returning `undefined` declines (nobody to ask); a throw declines with its message.
 *
 * @example Answer one server's questions
 * ```ts
 * import { type ElicitationHandler, ServerConnection } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const onElicitation: ElicitationHandler = (request) =>
 *   request.server === "github" ? { action: "accept", content: { repo: "denoland/deno" } } : undefined;
 * const answer = await onElicitation({ server: "github", params: { message: "Which repository?",
 *   requestedSchema: { type: "object", properties: { repo: { type: "string" } } } },
 *   inFlight: [{ tool: "create_issue", taskId: "t1" }], signal: new AbortController().signal });
 * assert.deepEqual(answer?.content, { repo: "denoland/deno" });
 * await using _github = new ServerConnection("github", { type: "http", url: "https://example.com/mcp", headers: {} },
 *   { onElicitation });
 * ```
 */
export type ElicitationHandler = (
  request: ElicitationRequest,
) => ElicitResult | undefined | Promise<ElicitResult | undefined>;

/**
 * The `_meta` key of a declined elicitation's reason.
 *
 * @example
 * ```ts
 * import { DECLINE_REASON_KEY, type ElicitationHandler } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const onElicitation: ElicitationHandler = () => ({ action: "decline", _meta: { [DECLINE_REASON_KEY]: "no person at hand" } });
 * const answer = await onElicitation({ server: "github", params: { message: "Which repository?",
 *   requestedSchema: { type: "object", properties: { repo: { type: "string" } } } },
 *   inFlight: [{ tool: "create_issue", taskId: "t1" }], signal: new AbortController().signal });
 * assert.equal(answer?._meta && (answer._meta as Record<string, unknown>)["dev.mcp-executor/reason"], "no person at hand");
 * ```
 */
export const DECLINE_REASON_KEY = "dev.mcp-executor/reason";

/** Default deadline of an elicitation: ten minutes, time for a person to read and answer. */
export const DEFAULT_ELICITATION_TIMEOUT_MS = 600_000;

/**
 * The capabilities a client declares when it has a handler: form mode (filling in schema defaults the answer left
 * out) and URL mode.
 *
 * @returns The `capabilities` for `new Client(...)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elicitationCapabilities } from "./elicitation.ts";
 * assert.deepEqual(Object.keys(elicitationCapabilities().elicitation ?? {}), ["form", "url"]);
 * ```
 */
export function elicitationCapabilities(): ClientCapabilities {
  return { elicitation: { form: { applyDefaults: true }, url: {} } };
}

/**
 * The tool calls in flight on one connection, and the async context that ties a server's request to its call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InFlightCalls } from "./elicitation.ts";
 * const calls = new InFlightCalls();
 * const seen = await calls.run({ tool: "t", taskId: "a" }, () => Promise.resolve(calls.current()));
 * assert.equal(seen?.taskId, "a");
 * assert.equal(calls.list().length, 0);
 * ```
 */
export class InFlightCalls {
  #storage = new AsyncLocalStorage<InFlightCall>();
  #calls = new Set<InFlightCall>();

  /**
   * Runs a call with its context attached.
   *
   * @param call The call.
   * @param fn Makes it.
   * @returns What `fn` returns.
   */
  async run<T>(call: InFlightCall, fn: () => Promise<T>): Promise<T> {
    this.#calls.add(call);
    try {
      return await this.#storage.run(call, fn);
    } finally {
      this.#calls.delete(call);
    }
  }

  /**
   * The call whose async context this code runs in, if it is still in flight.
   *
   * @returns The call, or `undefined`.
   */
  current(): InFlightCall | undefined {
    const call = this.#storage.getStore();
    return call !== undefined && this.#calls.has(call) ? call : undefined;
  }

  /**
   * The calls in flight.
   *
   * @returns A copy, oldest first.
   */
  list(): InFlightCall[] {
    return [...this.#calls];
  }
}

function decline(server: string, reason: string): ElicitResult {
  log.warn("Declined an elicitation of {server}: {reason}", { server, reason });
  return { action: "decline", _meta: { [DECLINE_REASON_KEY]: reason } };
}

/**
 * Answers `elicitation/create` on a client through `handler`. No answer by the deadline, `undefined` or a throw
 * declines, with the reason in `_meta["dev.mcp-executor/reason"]`. The client must have been created with
 * {@linkcode elicitationCapabilities}.
 *
 * @param client The SDK client.
 * @param options The server's name, the handler, its deadline and the connection's in-flight calls.
 *
 * @example
 * ```ts ignore
 * const client = new Client(info, { capabilities: elicitationCapabilities() });
 * installElicitationHandler(client, { server: "s", handler, timeoutMs: 60_000, calls: new InFlightCalls() });
 * ```
 */
export function installElicitationHandler(
  client: Client,
  options: { server: string; handler: ElicitationHandler; timeoutMs: number; calls: InFlightCalls },
): void {
  const { server, handler, timeoutMs, calls } = options;
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    const inFlight = calls.list();
    const call = calls.current() ?? (inFlight.length === 1 ? inFlight[0] : undefined);
    const controller = new AbortController();
    const onAbort = () => controller.abort(new Error("the server cancelled the request"));
    extra.signal.addEventListener("abort", onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`no answer within ${timeoutMs} ms`));
        resolve("timeout");
      }, timeoutMs);
    });
    try {
      const answer = await Promise.race([
        Promise.resolve(handler({
          server,
          params: request.params,
          ...(call === undefined ? {} : { call }),
          inFlight,
          signal: controller.signal,
        })),
        deadline,
      ]);
      if (answer === "timeout") return decline(server, `no answer within ${timeoutMs} ms`);
      if (answer === undefined) return decline(server, "nobody was there to answer");
      return answer;
    } catch (error) {
      if (controller.signal.aborted) {
        return decline(server, String((controller.signal.reason as Error)?.message));
      }
      return decline(
        server,
        `the handler failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
      extra.signal.removeEventListener("abort", onAbort);
    }
  });
}
