/**
 * The globals agent code sees that the Worker defines or replaces: the bridge that generated `servers/_client.ts`
 * calls, `console.*`, and `Deno.exit` and `close`, which would otherwise end the Worker without a word to the host;
 * and the ones it removes: the Cache API and `Worker`.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import { type Bridge, BRIDGE_SYMBOL_KEY } from "./protocol.ts";
import { installConsole, type LogSink } from "./console_capture.ts";

/** What the globals call into. */
export interface AgentGlobalHandlers {
  /** Calls a tool through the host. */
  callTool(server: string, tool: string, args: unknown): Promise<unknown>;
  /** Receives each console line. */
  log: LogSink;
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
 * installAgentGlobals({ callTool: () => Promise.resolve(null), log: () => {}, onExit: () => {} });
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
  installConsole(globalThis.console, handlers.log);
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
