/**
 * One `tools/call` request through the SDK client, with its timeout, signal and progress options.
 *
 * @module
 */

import type { CallToolResult } from "../mcp_types.ts";
import type { Client } from "../sdk.ts";
import { withCallSignal } from "./call_signal.ts";
import type { CallOptions } from "./connection_options.ts";

/**
 * Sends one tool call and returns the server's raw answer.
 *
 * @param client The connected SDK client.
 * @param call The tool, its arguments, the time left for it in milliseconds, and the call's options.
 * @returns The raw result (`isError` results are returned, not thrown).
 * @throws Whatever the SDK throws: an `McpError` for a timeout, an abort or a lost connection.
 *
 * @example
 * ```ts ignore
 * const raw = await sendCall(client, { tool: "read_graph", args: {}, timeoutMs: 5_000, options: {} });
 * ```
 */
export async function sendCall(
  client: Client,
  call: { tool: string; args: unknown; timeoutMs: number; options: CallOptions },
): Promise<CallToolResult> {
  const { tool, args, timeoutMs: timeout, options } = call;
  const onProgress = options.onProgress;
  const request = { name: tool, arguments: (args ?? {}) as Record<string, unknown> };
  const progress = onProgress === undefined ? {} : {
    onprogress: (p: { progress: number; total?: number; message?: string }) => onProgress(p),
    resetTimeoutOnProgress: true,
  };
  // A signal per call: the SDK never removes the listener it adds to a request's signal.
  return await withCallSignal(options.signal, (signal) => {
    const withSignal = signal === undefined ? {} : { signal };
    return client.callTool(request, undefined, { timeout, ...withSignal, ...progress });
  }) as CallToolResult;
}
