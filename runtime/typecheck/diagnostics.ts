/**
 * The shape of a type error in agent code, the `typecheck` modes, and the text a task result carries.
 *
 * @module
 */

/**
 * What the orchestrator does with type errors in agent code before it runs it: `"off"` checks nothing, `"warn"`
 * runs the code with the errors as warnings, `"error"` refuses it (code `"type_error"`).
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type TypecheckMode } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const typecheck: TypecheckMode = "error";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`, typecheck });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "x", code: "const n: number = 'one';",
 *   requiredTools: [], status: "pending" });
 * assert.equal(result.error?.code, "type_error");
 * ```
 */
export type TypecheckMode = "off" | "warn" | "error";

/** The modes of {@linkcode TypecheckMode}, for validation. */
export const TYPECHECK_MODES: readonly TypecheckMode[] = ["off", "warn", "error"];

/** One type error in agent code. */
export interface TypeDiagnostic {
  /** The line in the agent's own code, from 1. */
  line: number;
  /** The column, from 1. */
  column: number;
  /** TypeScript's diagnostic code, e.g. 2353. */
  code: number;
  /** TypeScript's message, flattened to one line. */
  message: string;
}

/** The most diagnostics a message lists. */
export const MAX_LISTED_DIAGNOSTICS = 10;

/** The most characters the diagnostics of one task take in a message. */
export const MAX_DIAGNOSTICS_CHARS = 2000;

/**
 * The diagnostics as `line:column message` lines: at most 10, with a note of how many more there were, at most
 * `maxChars` characters in all (the note and the newlines between the lines included).
 *
 * @param diagnostics The diagnostics, in order.
 * @param maxChars The most characters the lines take, joined by newlines. Default 2,000.
 * @returns One line each.
 *
 * @example
 * ```ts
 * import { diagnosticLines } from "./diagnostics.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = diagnosticLines([{ line: 3, column: 5, code: 2353, message: "Object literal may only specify known properties" }]);
 * assert.deepEqual(lines, ["3:5 Object literal may only specify known properties"]);
 * ```
 */
export function diagnosticLines(
  diagnostics: readonly TypeDiagnostic[],
  maxChars: number = MAX_DIAGNOSTICS_CHARS,
): string[] {
  const lines: string[] = [];
  // Room for the "(N more)" note is kept whether or not it is needed.
  const budget = maxChars - `\n(${diagnostics.length} more)`.length;
  let used = 0;
  for (const d of diagnostics.slice(0, MAX_LISTED_DIAGNOSTICS)) {
    let line = `${d.line}:${d.column} ${d.message}`;
    const room = budget - used - (lines.length > 0 ? 1 : 0);
    if (room <= 0) break;
    if (line.length > room) line = line.slice(0, Math.max(0, room - 1)) + "…";
    lines.push(line);
    used += line.length + (lines.length > 1 ? 1 : 0);
  }
  const more = diagnostics.length - lines.length;
  if (more > 0) lines.push(`(${more} more)`);
  return lines;
}
