/**
 * Agent code as the checker sees it: the body of an `async function`, as in the sandbox, so that a top-level
 * `return` is checked like any other, with its import declarations moved in front of the function on line 1. Every
 * other character keeps its offset, so positions map back to the agent's own lines and columns.
 *
 * @module
 */

import ts from "typescript";

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
  const source = ts.createSourceFile("agent.ts", code, ts.ScriptTarget.ES2022, false);
  const chunks: Array<{ at: number; from: number; length: number }> = [];
  let prefix = "";
  let body = code;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const from = statement.getStart(source);
    const end = statement.getEnd();
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
