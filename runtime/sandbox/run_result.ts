/**
 * What running agent code in a sandbox produces, and the errors the sandbox itself reports (as opposed to the
 * errors agent code throws).
 *
 * @module
 */

import type { WireError } from "../wire/mod.ts";

/** How a sandbox run ended. */
export type SandboxRunStatus = "completed" | "failed" | "timeout" | "cancelled";

/** The codes of the errors the sandbox reports itself. */
export type SandboxErrorCode =
  | "timeout"
  | "memory_limit"
  | "cancelled"
  | "sandbox_crashed"
  | "invalid_message"
  | "syntax_error";

/** The outcome of one sandbox run. */
export interface SandboxRunResult {
  /** `completed` when the code returned; `failed` when it threw or the sandbox failed it. */
  status: SandboxRunStatus;
  /** The code's return value as JSON data; absent when it returned nothing. */
  value?: unknown;
  /** Console output, one entry a console call, capped; a final entry says how much was cut. */
  logs: string[];
  /** Why the run did not complete: the agent's own error, or one with a {@linkcode SandboxErrorCode}. */
  error?: WireError;
  /** From sending the code to the sandbox to its answer, in milliseconds. */
  durationMs: number;
  /** The sandbox process's peak resident memory, in bytes (0 when it was never sampled). */
  peakRssBytes: number;
  /** How many tool calls the code made (refused ones included). */
  toolCalls: number;
}

/** A tool call from agent code, as the host's handler receives it. */
export interface ToolCallRequest {
  /** The server named in the call. Not checked yet: the handler checks it against the task's allowlist. */
  server: string;
  /** The tool named in the call. */
  tool: string;
  /** The arguments, as JSON data. */
  args: unknown;
  /** Aborted when the task ends before the call does (timeout, cancel, crash or the code returned). */
  signal: AbortSignal;
}

/** A read of the tool catalog from agent code (`tools.search`, `tools.list`), validated, not yet answered. */
export interface CatalogRequest {
  /** `search` or `list`. */
  op: "search" | "list";
  /** `search`: the query. */
  query?: string;
  /** Only this server's tools. */
  server?: string;
  /** `search`: the most hits. */
  limit?: number;
}

/**
 * Builds one of the errors the sandbox reports itself.
 *
 * @param code What went wrong.
 * @param message The full message, naming the task and the limit or reason.
 * @returns The wire form, with a class name that fits the code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sandboxError } from "./run_result.ts";
 * const error = sandboxError("timeout", 'Task "t1" timed out after 300 ms');
 * assert.equal(error.name, "TimeoutError");
 * ```
 */
export function sandboxError(code: SandboxErrorCode, message: string): WireError {
  return { name: ERROR_NAMES[code], code, message };
}

const ERROR_NAMES: Record<SandboxErrorCode, string> = {
  timeout: "TimeoutError",
  memory_limit: "MemoryLimitError",
  cancelled: "AbortError",
  sandbox_crashed: "SandboxError",
  invalid_message: "SandboxError",
  syntax_error: "SyntaxError",
};
