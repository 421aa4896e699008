/**
 * Choosing and building the transport of one server: the one place that knows stdio, Streamable HTTP and SSE.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import {
  type OAuthClientProvider,
  SSEClientTransport,
  StdioClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "../sdk.ts";
import { serverEnvironment } from "./server_env.ts";

/** A transport of a remote server, which can finish a sign-in. */
export type RemoteTransport = StreamableHTTPClientTransport | SSEClientTransport;

/**
 * Builds the transport for a server entry.
 *
 * @param config The validated mcp.json entry.
 * @param options `onStderrLine` receives a stdio server's stderr lines; `authProvider` signs in to a remote one,
 * with `fetch` for its requests.
 * @returns The transport, not yet started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTransport } from "./create_transport.ts";
 * const transport = createTransport({ type: "http", url: "http://127.0.0.1:1/mcp", headers: {} }, {});
 * assert.equal(transport.constructor.name, "StreamableHTTPClientTransport");
 * ```
 */
export function createTransport(
  config: ServerConfig,
  options: {
    onStderrLine?: (line: string) => void;
    authProvider?: OAuthClientProvider;
    fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  },
): Transport {
  if (config.type === "stdio") {
    const transport = new StdioClientTransport({
      // "deno" means this Deno, so that `npx deno task ...` works on a machine without Deno on its PATH.
      command: config.command === "deno" ? Deno.execPath() : config.command,
      args: config.args,
      env: serverEnvironment(config.env),
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      stderr: "pipe",
    });
    let partial = "";
    const onLine = options.onStderrLine;
    transport.stderr?.on("data", (chunk: Uint8Array | string) => {
      const text = partial + (typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") onLine?.(line);
    });
    return transport;
  }
  const url = new URL(config.url);
  const requestInit: RequestInit = { headers: config.headers };
  const authProvider = options.authProvider;
  const common = {
    requestInit,
    ...(authProvider === undefined ? {} : { authProvider }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  return config.type === "sse"
    ? new SSEClientTransport(url, common)
    : new StreamableHTTPClientTransport(url, common);
}
