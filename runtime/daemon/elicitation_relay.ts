/**
 * Passing a backing server's questions through to the agent's client: an `elicitation/create` during a task's
 * tool call goes to the client of that task's session (tied to its `execute_code` request, so it reaches the client
 * over Streamable HTTP too), and a sign-in a remote server needs is sent as a URL-mode elicitation. Without a
 * session to ask, or a client that cannot answer, the question is declined with the reason.
 *
 * @module
 */

import type { AuthorizationUrlHandler } from "../connections/auth/mod.ts";
import { SignInRequiredError } from "../connections/auth/mod.ts";
import type { ElicitationHandler, ElicitationRequest } from "../connections/mod.ts";
import { DEFAULT_PRINCIPAL } from "../principal.ts";
import type { ElicitResult, McpServer, RequestId } from "../sdk.ts";

/** What the relay needs from the daemon: the session's server and the request a task runs in. */
export interface RelayHost {
  /** The MCP server of an open session. */
  sessionServer(session: string): McpServer | undefined;
  /** The `execute_code` request a task runs in. */
  requestOf(taskId: string): RequestId | undefined;
  /** The principal id an open session acts for. */
  sessionPrincipal?(session: string): string | undefined;
}

/**
 * An `onElicitation` handler that asks the client of the task's session.
 *
 * @param host The daemon.
 * @returns The handler; it declines (returns `undefined` or throws a reason) when nobody can be asked.
 *
 * @example
 * ```ts ignore
 * new MCPOrchestrator({ config, onElicitation: relayElicitation(daemon) });
 * ```
 */
export function relayElicitation(host: RelayHost): ElicitationHandler {
  return async (request: ElicitationRequest): Promise<ElicitResult | undefined> => {
    const call = request.call;
    if (call?.session === undefined) {
      throw new Error(
        request.inFlight.length > 1
          ? "the question could not be tied to one task: several calls were in flight"
          : "no agent session is waiting on this call",
      );
    }
    const server = host.sessionServer(call.session);
    if (server === undefined || !server.isConnected()) {
      throw new Error(`the session of task "${call.taskId}" has ended`);
    }
    const mode = request.params.mode === "url" ? "url" : "form";
    if (server.server.getClientCapabilities()?.elicitation?.[mode] === undefined) {
      throw new Error(`the agent's client cannot answer ${mode}-mode questions`);
    }
    const relatedRequestId = call.taskId === undefined ? undefined : host.requestOf(call.taskId);
    return await server.server.elicitInput(request.params, {
      signal: request.signal,
      ...(relatedRequestId === undefined ? {} : { relatedRequestId }),
    });
  };
}

/**
 * An `onAuthorizationUrl` handler that asks the client of the session whose call needed the sign-in to open the
 * authorization URL (URL-mode elicitation, SEP-1036). The URL goes only to a session of the principal the sign-in
 * is for: a sign-in completed in that client's browser is stored as that principal's. Where no such client can be
 * asked, the sign-in fails with the command to run instead.
 *
 * @param host The daemon.
 * @returns The handler.
 *
 * @example
 * ```ts ignore
 * new MCPOrchestrator({ config, onAuthorizationUrl: relayAuthorizationUrl(daemon) });
 * ```
 */
export function relayAuthorizationUrl(host: RelayHost): AuthorizationUrlHandler {
  return async ({ server: name, url, call, principal = DEFAULT_PRINCIPAL }) => {
    const session = call?.session;
    const server = session === undefined ? undefined : host.sessionServer(session);
    // Another principal's session is never shown the URL: whoever opens it signs in as `principal`.
    const own = session !== undefined &&
      (host.sessionPrincipal?.(session) ?? DEFAULT_PRINCIPAL) === principal;
    const urlMode = server?.server.getClientCapabilities()?.elicitation?.url !== undefined;
    if (server === undefined || !server.isConnected() || !own || !urlMode) {
      throw new SignInRequiredError(name, "required", { principal });
    }
    const taskId = call?.taskId;
    const relatedRequestId = taskId === undefined ? undefined : host.requestOf(taskId);
    const answer = await server.server.elicitInput({
      mode: "url",
      message: principal === DEFAULT_PRINCIPAL
        ? `Server "${name}" needs you to sign in. Open the link, sign in, then come back.`
        : `Server "${name}" needs principal "${principal}" to sign in. Open the link, sign in as yourself, then come back.`,
      url: url.href,
      elicitationId: crypto.randomUUID(),
    }, relatedRequestId === undefined ? {} : { relatedRequestId });
    if (answer.action !== "accept") {
      throw new SignInRequiredError(name, "required", { principal, urlMode: true });
    }
  };
}
