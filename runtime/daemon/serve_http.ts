/**
 * {@linkcode serveHttp}: the daemon over Streamable HTTP with `Deno.serve`, and the rule that a listener beyond
 * loopback needs authentication.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { ExecutorDaemon } from "./executor_daemon.ts";
import { isLoopback } from "./http_checks.ts";
import { HttpHandler, type HttpHandlerOptions } from "./http_handler.ts";

const log = logger("daemon");

/** Options for {@linkcode serveHttp}. */
export interface ServeHttpOptions extends HttpHandlerOptions {
  /** The address to bind. Default `127.0.0.1`. */
  hostname?: string;
  /** The port; 0 picks a free one. Default 8787. */
  port?: number;
}

/** A running HTTP listener. */
export interface HttpServing {
  /** The address it listens on. */
  addr: Deno.NetAddr;
  /**
   * With session leases (several replicas): ends this replica's leases now so that the others take its sessions
   * while running calls finish here. Call it at the stop signal, before draining.
   */
  handOver(): Promise<void>;
  /** Stops accepting, closes every MCP session's transport and waits for open responses (bounded). */
  shutdown(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Serves the daemon over Streamable HTTP.
 *
 * @param daemon The initialized daemon.
 * @param options Address, authentication, header checks, limits, idle timeout and extra routes.
 * @returns The listener.
 * @throws {Error} When the address is not loopback and neither `authenticate` nor `tokens` is given (the message
 *   says how to give one).
 *
 * @example
 * ```ts ignore
 * const serving = serveHttp(daemon, { hostname: "127.0.0.1", port: 8787, authenticate });
 * await serving.shutdown();
 * ```
 */
export function serveHttp(daemon: ExecutorDaemon, options: ServeHttpOptions): HttpServing {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!isLoopback(hostname) && options.authenticate === undefined && !options.tokens?.length) {
    throw new Error(
      `Refusing to listen on ${hostname}: beyond loopback the daemon needs authentication. ` +
        "Give a token in the MCPX_TOKEN environment variable (or the one http.bearerTokenEnv names), a token " +
        "file (--token-file or http.bearerTokenFile), or an OAuth issuer (auth.issuer); never a token as a flag " +
        "value, which other users see in ps",
    );
  }
  const handler = new HttpHandler(daemon, options);
  const server = Deno.serve({
    hostname,
    port: options.port ?? 8787,
    onListen: (addr) => {
      handler.listening(addr.hostname, addr.port);
      log.info("Listening on http://{host}:{port}{path}", {
        host: addr.hostname,
        port: addr.port,
        path: options.path ?? "/mcp",
      });
    },
  }, (request) => handler.handle(request));
  return {
    addr: server.addr,
    handOver: () => handler.handOver(),
    async shutdown({ timeoutMs = 5_000 } = {}) {
      await handler.close();
      let timer: number | undefined;
      await Promise.race([
        server.shutdown(),
        new Promise<void>((r) => timer = setTimeout(r, timeoutMs) as unknown as number),
      ]);
      clearTimeout(timer);
    },
  };
}
