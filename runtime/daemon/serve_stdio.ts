/**
 * {@linkcode serveStdio}: the daemon's one session over stdin and stdout.
 *
 * @module
 */

import process from "node:process";
import { StdioServerTransport } from "../sdk.ts";
import type { ExecutorDaemon } from "./executor_daemon.ts";

/** The session id of the stdio connection (stable, so that a persisted session folder is found again). */
export const STDIO_SESSION = "stdio";

/**
 * Serves one session over stdio: MCP frames on stdin and stdout, nothing else on stdout (logs go to stderr).
 *
 * @param daemon The daemon.
 * @returns `closed`, which resolves when stdin ends or the transport closes.
 * @throws {TypeError} When the stdio session is open already.
 *
 * @example
 * ```ts ignore
 * const { closed } = await serveStdio(daemon);
 * await closed;
 * await daemon.shutdown();
 * ```
 */
export async function serveStdio(daemon: ExecutorDaemon): Promise<{ closed: Promise<void> }> {
  const server = daemon.openSession(STDIO_SESSION);
  const transport = new StdioServerTransport();
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  transport.onclose = () => resolve();
  // The SDK's transport does not watch for the end of stdin: the client going away ends the session.
  process.stdin.once("end", () => resolve());
  process.stdin.once("close", () => resolve());
  await server.connect(transport);
  return { closed };
}
