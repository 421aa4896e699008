/**
 * Agent code as the checker sees it: the body of an `async function`, as in the sandbox, so that a top-level
 * `return` is checked like any other, with its import declarations moved in front of the function on line 1. Every
 * other character keeps its offset, so positions map back to the agent's own lines and columns.
 *
 * @module
 */

import { parseAgentCode } from "../sandbox/mod.ts";

/** Agent code wrapped for checking, and the way back to the agent's own positions. */
export interface WrappedCode {
  /** The text to check. */
  text: string;
  /** Maps an offset in `text` to an offset in the agent's code. */
  original(offset: number): number;
}

const OPEN = "async function __agent__() {";
const CLOSE = "\n}\n";

/**
 * Wraps agent code for checking.
 *
 * @param code The agent code.
 * @returns The wrapped text and the offset mapping.
 */
export function wrapCode(code: string): WrappedCode {
  let statements: ReturnType<typeof parseAgentCode>["body"] = [];
  try {
    statements = parseAgentCode(code).body;
  } catch {
    // Code that does not parse is checked as it is: the compiler reports where.
  }
  const chunks: Array<{ at: number; from: number; length: number }> = [];
  let prefix = "";
  let body = code;
  for (const statement of statements) {
    if (statement.type !== "ImportDeclaration") continue;
    const from = statement.start ?? 0;
    const end = statement.end ?? from;
    const text = code.slice(from, end);
    chunks.push({ at: prefix.length, from, length: text.length });
    prefix += text.replace(/[\r\n\u2028\u2029]/g, " ") + ";";
    body = body.slice(0, from) + text.replace(/[^\r\n\u2028\u2029]/g, " ") + body.slice(end);
  }
  prefix += OPEN;
  return {
    text: prefix + body + CLOSE,
    original(offset: number): number {
      if (offset >= prefix.length) return Math.min(offset - prefix.length, code.length);
      const chunk = chunks.find((c) => offset >= c.at && offset < c.at + c.length);
      return chunk === undefined ? 0 : chunk.from + (offset - chunk.at);
    },
  };
}
