/**
 * The globals agent code sees that the Worker defines or replaces: the bridge that generated `servers/_client.ts`
 * calls, the `tools` catalog (`tools.search`, `tools.list`), `console.*`, `progress(done, total?, message?)`, and
 * `Deno.exit` and `close`, which would otherwise end the Worker without a word to the host; and the ones it removes:
 * the Cache API and `Worker`.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import { type Bridge, BRIDGE_SYMBOL_KEY } from "../wire/mod.ts";
import { installConsole, type LogSink } from "./console_capture.ts";

/** The fields of a catalog read, checked. */
export interface CatalogFields {
  query?: string;
  server?: string;
  limit?: number;
}

/** What the globals call into. */
export interface AgentGlobalHandlers {
  /** Calls a tool through the host. */
  callTool(server: string, tool: string, args: unknown): Promise<unknown>;
  /** Reads the tool catalog through the host. */
  readCatalog(op: "search" | "list", fields: CatalogFields): Promise<unknown>;
  /** Receives each console line. */
  log: LogSink;
  /** Receives the agent's `progress(done, total?, message?)` reports. */
  progress(done: unknown, total?: unknown, message?: unknown): void;
  /** Ends the task before the Worker exits (`Deno.exit(code)`, or `close()` as code 0). */
  onExit(code: number): void;
}

/**
 * Defines the bridge global (non-writable, non-configurable), replaces `console.*`, removes the Cache API and
 * `Worker`, and makes `Deno.exit` and `close` end the task first.
 *
 * @param handlers Where tool calls, console lines and exits go.
 *
 * @example
 * ```ts ignore
 * // Only inside the sandbox Worker: it changes globals for good.
 * import { installAgentGlobals } from "./agent_globals.ts";
 * installAgentGlobals({
 *   callTool: () => Promise.resolve(null),
 *   readCatalog: () => Promise.resolve([]),
 *   log: () => {},
 *   progress: () => {},
 *   onExit: () => {},
 * });
 * ```
 */
export function installAgentGlobals(handlers: AgentGlobalHandlers): void {
  const bridge: Bridge = Object.freeze({
    callTool: (server: string, tool: string, args: unknown) =>
      handlers.callTool(server, tool, args),
  });
  Object.defineProperty(globalThis, Symbol.for(BRIDGE_SYMBOL_KEY), {
    value: bridge,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  Object.defineProperty(globalThis, "tools", {
    value: catalogGlobal(handlers),
    writable: false,
    configurable: false,
    enumerable: false,
  });
  installConsole(globalThis.console, handlers.log);
  Object.defineProperty(globalThis, "progress", {
    value: (done: unknown, total?: unknown, message?: unknown): void =>
      handlers.progress(done, total, message),
    writable: false,
    configurable: false,
    enumerable: false,
  });
  // The Cache API needs no permission and Deno keeps it in DENO_DIR, which every sandbox process shares: left in
  // place, one task could leave data for any later one. Agent code gets no Cache API.
  for (const name of ["caches", "CacheStorage", "Cache"]) {
    Reflect.deleteProperty(globalThis, name);
  }
  // Agent code gets no nested Workers: a nested Worker would start with a fresh global scope (the Cache API back,
  // console.* writing to the process's stdout), and its static imports load with this Worker's read permission.
  // Agent code that wants concurrency awaits tool calls in parallel instead.
  Reflect.deleteProperty(globalThis, "Worker");
  // A Worker that exits or closes itself sends no event: without these the host would wait for the deadline.
  const exit = Deno.exit.bind(Deno);
  Object.defineProperty(Deno, "exit", {
    value: (code = 0): never => {
      handlers.onExit(code);
      return exit(code);
    },
    writable: false,
    configurable: false,
  });
  const scope = globalThis as unknown as { close(): void };
  const close = scope.close.bind(scope);
  Object.defineProperty(globalThis, "close", {
    value: (): void => {
      handlers.onExit(0);
      close();
    },
    writable: false,
    configurable: false,
  });
}

/** The most hits `tools.search` returns (the host refuses more). */
const MAX_CATALOG_LIMIT = 50;

/**
 * The `tools` global: `await tools.search("create issue", { limit: 5, server: "github" })` and
 * `await tools.list("github")` give `{ name, server, tool, functionName, description }` entries of every connected
 * server (discovery only: calls are still checked against the task's `requiredTools`).
 */
function catalogGlobal(handlers: AgentGlobalHandlers): unknown {
  const checkServer = (server: unknown, action: string): string | undefined => {
    if (server === undefined) return undefined;
    if (typeof server !== "string" || server === "" || server.length > 256) {
      throw new TypeError(`Cannot ${action}: server must be a string of 1 to 256 characters`);
    }
    return server;
  };
  return Object.freeze({
    search(query: unknown, options: { limit?: unknown; server?: unknown } = {}): Promise<unknown> {
      try {
        if (typeof query !== "string") {
          throw new TypeError(`Cannot search tools: query must be a string, got ${typeof query}`);
        }
        const { limit, server } = options ?? {};
        if (
          limit !== undefined &&
          (!Number.isInteger(limit) || (limit as number) < 1 ||
            (limit as number) > MAX_CATALOG_LIMIT)
        ) {
          throw new RangeError(
            `Cannot search tools: limit must be a whole number from 1 to ${MAX_CATALOG_LIMIT}`,
          );
        }
        const fields: CatalogFields = { query: query.slice(0, 1_000) };
        if (limit !== undefined) fields.limit = limit as number;
        const name = checkServer(server, "search tools");
        if (name !== undefined) fields.server = name;
        return handlers.readCatalog("search", fields);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    list(server?: unknown): Promise<unknown> {
      try {
        const name = checkServer(server, "list tools");
        return handlers.readCatalog("list", name === undefined ? {} : { server: name });
      } catch (error) {
        return Promise.reject(error);
      }
    },
  });
}
