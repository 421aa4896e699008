/**
 * Logging. Library code only asks for loggers under the `"mcp-executor"` category; an application decides where
 * records go. {@linkcode configureLogging} sends them to stderr, never stdout: in stdio daemon mode stdout carries
 * the MCP protocol, and one stray line would corrupt it.
 *
 * @module
 */

import { configure, getLogger, getTextFormatter, type Logger, type Sink } from "@logtape/logtape";

/**
 * A log level, lowest first; the same names as LogTape's.
 *
 * @example Pick a level from an environment variable
 * ```ts
 * import type { LogLevel } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const levelOf = (value: string | undefined): LogLevel => value === "debug" ? "debug" : "warning";
 * assert.deepEqual([levelOf("debug"), levelOf(undefined)], ["debug", "warning"]);
 * ```
 */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error" | "fatal";

// Values print as they are (`{host}` is 127.0.0.1, not "127.0.0.1"): log lines read as sentences and URLs.
const formatter = getTextFormatter({ value: "bare" });
const encoder = new TextEncoder();

/**
 * Writes each record to stderr synchronously. Not a stream sink: that would lock `Deno.stderr.writable` for good, so
 * a second `configureLogging` (a level change) would fail, and resetting would close stderr.
 */
let linePrefix = "";
const stderrSink: Sink = (record) => {
  const bytes = encoder.encode(linePrefix + formatter(record));
  for (let written = 0; written < bytes.length;) {
    written += Deno.stderr.writeSync(bytes.subarray(written));
  }
};

/** The root logging category of the project. */
export const LOG_CATEGORY = "mcp-executor";

/**
 * A logger under the project's category.
 *
 * @param name The sub-category, e.g. `"orchestrator"`.
 * @returns The logger for `["mcp-executor", name]`.
 *
 * @example
 * ```ts
 * import { logger } from "./log.ts";
 * logger("orchestrator").debug("started {count} servers", { count: 3 });
 * ```
 */
export function logger(name: string): Logger {
  return getLogger([LOG_CATEGORY, name]);
}

/**
 * Sends the project's log records at `level` and above to stderr, as text lines.
 *
 * @param level The lowest level written. Default `"info"`.
 * @param options `replica`: a replica id that starts every line as `[replica] ` (several daemons, one log).
 * @returns Resolves once logging is configured.
 *
 * @example
 * ```ts
 * import { configureLogging } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * await assert.doesNotReject(configureLogging("warning"));
 * await assert.doesNotReject(configureLogging("debug")); // a level can be changed later
 * ```
 */
export async function configureLogging(
  level: LogLevel = "info",
  options: { replica?: string } = {},
): Promise<void> {
  linePrefix = options.replica === undefined ? "" : `[${options.replica}] `;
  await configure({
    reset: true,
    sinks: { stderr: stderrSink },
    loggers: [
      { category: [LOG_CATEGORY], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
