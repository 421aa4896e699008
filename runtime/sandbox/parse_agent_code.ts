/**
 * The one parse of agent code on the host: the pattern blocker reads its AST and `prepareCode` rewrites from it, so
 * a task's code is parsed once, not once per consumer.
 *
 * @module
 */

import { parse } from "@babel/parser";

/** The Babel AST of agent code. */
export type AgentProgram = ReturnType<typeof parse>["program"];

/**
 * Parses agent code (a TypeScript module body, with top-level `await` and `return`, and TC39 decorators).
 *
 * @param code The agent code.
 * @returns Its program node.
 * @throws {SyntaxError} Babel's own error, with `loc`, when the code does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAgentCode } from "./parse_agent_code.ts";
 * const program = parseAgentCode("const n: number = 1;\nreturn n;");
 * assert.equal(program.body.length, 2);
 * assert.throws(() => parseAgentCode("return ("), SyntaxError);
 * ```
 */
export function parseAgentCode(code: string): AgentProgram {
  return parse(code, {
    sourceType: "module",
    // "topLevelAwait" is not listed: Babel 8 always parses it (ES2022) and its typings reject the name.
    // "decorators" is: Deno runs TC39 decorators, and refusing them as a syntax error would be a false alarm.
    plugins: ["typescript", "decorators"],
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    attachComment: false,
    errorRecovery: false,
  }).program;
}
