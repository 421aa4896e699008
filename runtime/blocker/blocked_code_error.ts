/**
 * The error thrown when the blocker refuses code.
 *
 * @module
 */

import type { Finding } from "./finding.ts";

/**
 * The wire form of a {@linkcode BlockedCodeError}. It has the fields of the sandbox's `WireError` (`name`, `code`,
 * `message`) plus the findings, so it travels wherever a `WireError` does.
 */
export interface BlockedCodeWire {
  /** Always `"BlockedCodeError"`. */
  name: "BlockedCodeError";
  /** Always `"blocked"`. */
  code: "blocked";
  /** The error's message, listing each blocking finding. */
  message: string;
  /** Every finding, blocking or not. */
  findings: Finding[];
}

/**
 * Code was refused before it ran because the pattern blocker found at least one blocking finding.
 *
 * The message names every blocking finding:
 * `Cannot run code: rule "eval" blocks eval() at line 3, column 5; rule "worker" blocks ...`.
 *
 * @example Refuse code that does not pass the screen
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockedCodeError, screenCode } from "./mod.ts";
 * const result = screenCode("const x = 1;\neval(x);");
 * try {
 *   if (!result.ok) throw new BlockedCodeError(result.findings);
 * } catch (error) {
 *   assert.ok(error instanceof BlockedCodeError && error.code === "blocked");
 *   assert.ok((error as Error).message === 'Cannot run code: rule "eval" blocks eval() at line 2, column 1');
 * }
 * ```
 */
export class BlockedCodeError extends Error {
  /** Always `"BlockedCodeError"`. */
  override readonly name = "BlockedCodeError";
  /** Always `"blocked"`, for callers that branch on codes. */
  readonly code = "blocked";
  /** Every finding of the screen, blocking or not. */
  readonly findings: Finding[];

  /**
   * Creates the error from a screen's findings.
   *
   * @param findings The screen's findings; at least one must have action `"block"`.
   * @param options An optional cause.
   * @throws {TypeError} When no finding blocks.
   */
  constructor(findings: readonly Finding[], options?: ErrorOptions) {
    const blocking = findings.filter((finding) => finding.action === "block");
    if (blocking.length === 0) {
      throw new TypeError('Cannot create BlockedCodeError: no finding has action "block"');
    }
    super(`Cannot run code: ${blocking.map(describe).join("; ")}`, options);
    this.findings = findings.map((finding) => ({ ...finding }));
  }

  /**
   * The error as a plain object that survives `postMessage` and JSON.
   *
   * @returns The wire form, with copies of the findings and no stack.
   */
  toWire(): BlockedCodeWire {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      findings: this.findings.map((finding) => ({ ...finding })),
    };
  }

  /**
   * Rebuilds a BlockedCodeError from its wire form.
   *
   * @param wire The wire form, as produced by {@linkcode BlockedCodeError.prototype.toWire}.
   * @returns An error with the same findings and message.
   * @throws {TypeError} When the wire form carries no blocking finding.
   */
  static fromWire(wire: Pick<BlockedCodeWire, "findings">): BlockedCodeError {
    return new BlockedCodeError(wire.findings);
  }
}

function describe(finding: Finding): string {
  return `rule "${finding.rule}" blocks ${finding.reason} at line ${finding.line}, column ${finding.column}`;
}
