/**
 * The approver of `mcpx run` and `mcpx skills run`: the person at the terminal answers each question, one at a
 * time. Without a terminal on stdin no one can answer, so every question is refused with a reason that says so.
 *
 * @module
 */

import type { ApprovalRequest, Approver } from "../runtime/mod.ts";
import { terminalSafe } from "./_common.ts";
import { LineReader } from "./_line_reader.ts";

/** The refusal when stdin is not a terminal. */
export const NO_TERMINAL =
  'no one can be asked: stdin is not a terminal (run mcpx in a terminal to answer, or change the rule in the "approvals" of mcp-executor.json)';

/** Options for {@linkcode terminalApprover}. */
export interface TerminalApproverOptions {
  /** Whether a person can answer. Default: `Deno.stdin.isTerminal()`. */
  interactive?: boolean;
  /** Where answers are read. Default: stdin. */
  lines?: LineReader;
  /** Where questions are written. Default: stderr. */
  write?: (text: string) => void;
}

/**
 * The question as the terminal shows it. The person at the terminal runs the code, so with `pii` on they see the
 * real values the call will carry.
 *
 * @param request The call waiting for approval.
 * @returns The lines to print.
 */
export function terminalQuestion(request: ApprovalRequest): string {
  let args: string;
  try {
    args = JSON.stringify(request.restoredArgs ?? request.args ?? {}, null, 2) ?? "{}";
  } catch {
    args = "(arguments that cannot be shown as JSON)";
  }
  const shown = args.length > 4_000
    ? `${args.slice(0, 4_000)}… (${args.length - 4_000} more characters)`
    : args;
  return terminalSafe(
    `\nApproval needed: task ${request.taskId} calls ${request.server}.${request.tool} (rule ${request.rule})\n` +
      `Arguments: ${shown}\n`,
  );
}

/**
 * An approver that asks on the terminal: `y` or `yes` approves, anything else refuses. Questions wait for each
 * other; a question withdrawn (deadline, task ended) stops waiting.
 *
 * @param options Whether a person can answer, and where to read and write.
 * @returns The approver.
 *
 * @example Without a terminal every question is refused, saying why
 * ```ts
 * import assert from "node:assert/strict";
 * import { NO_TERMINAL, terminalApprover } from "./_terminal_approver.ts";
 * const approve = terminalApprover({ interactive: false });
 * const answer = await approve({ server: "memory", tool: "delete_entities", args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal });
 * assert.deepEqual(answer, { approved: false, reason: NO_TERMINAL });
 * ```
 */
export function terminalApprover(options: TerminalApproverOptions = {}): Approver {
  const interactive = options.interactive ?? Deno.stdin.isTerminal();
  const write = options.write ??
    ((text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
  let lines = options.lines;
  let turn: Promise<unknown> = Promise.resolve();
  return (request) => {
    if (!interactive) return { approved: false, reason: NO_TERMINAL };
    lines ??= new LineReader();
    const reader = lines;
    const asked = turn.then(async () => {
      if (request.signal.aborted) return { approved: false, reason: "the question was withdrawn" };
      write(`${terminalQuestion(request)}Allow this call? [y/N] `);
      const line = await reader.read(request.signal);
      if (line === null) {
        write("\n(no answer: refused)\n");
        return { approved: false, reason: "no answer came on the terminal" };
      }
      const yes = /^\s*y(es)?\s*$/i.test(line);
      return yes ? true : { approved: false, reason: "refused on the terminal" };
    });
    turn = asked.catch(() => {});
    return asked;
  };
}
