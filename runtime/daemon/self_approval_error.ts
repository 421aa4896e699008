/**
 * {@linkcode SelfApprovalError}: an operator may not answer a call their own task made.
 *
 * @module
 */

import { DEFAULT_PRINCIPAL } from "../principal.ts";

/**
 * Checks an operator's answer before it settles anything: its shape, and that the operator is not the principal
 * whose task made the call (the shared {@linkcode DEFAULT_PRINCIPAL} of a single-token daemon excepted).
 *
 * @param id The approval's id.
 * @param answer The answer.
 * @param answeredBy Who answers.
 * @param principal Whose task made the call, if known.
 * @throws {TypeError} When `approve` is not a boolean or `reason` not a string.
 * @throws {SelfApprovalError} When `answeredBy` made the call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOperatorAnswer, SelfApprovalError } from "./self_approval_error.ts";
 * checkOperatorAnswer("a1", { approve: true }, "bob", "alice");
 * assert.throws(() => checkOperatorAnswer("a1", { approve: true }, "alice", "alice"), SelfApprovalError);
 * ```
 */
export function checkOperatorAnswer(
  id: string,
  answer: { approve: boolean; reason?: string },
  answeredBy: string,
  principal: string | undefined,
): void {
  if (typeof answer?.approve !== "boolean") {
    throw new TypeError("Cannot answer approval: approve must be true or false");
  }
  if (answer.reason !== undefined && typeof answer.reason !== "string") {
    throw new TypeError("Cannot answer approval: reason must be a string");
  }
  if (answeredBy === principal && answeredBy !== DEFAULT_PRINCIPAL) {
    throw new SelfApprovalError(
      `Cannot answer approval "${id}": principal "${answeredBy}" made the call; another operator must answer`,
    );
  }
}

/**
 * An operator tried to answer a call their own task made: someone else must.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperatorApprovals, SelfApprovalError } from "./operator_approvals.ts";
 * const operators = new OperatorApprovals();
 * void operators.approve({ server: "memory", tool: "delete_entities", args: {}, taskId: "t1", rule: "*",
 *   principal: "alice", signal: new AbortController().signal });
 * const id = operators.list()[0]!.id;
 * assert.throws(() => operators.answer(id, { approve: true }, "alice"), SelfApprovalError);
 * assert.equal(operators.answer(id, { approve: true }, "bob"), true);
 * ```
 */
export class SelfApprovalError extends Error {
  /** Always `"self_approval"`. */
  readonly code = "self_approval" as const;

  /**
   * @param message What was refused.
   */
  constructor(message: string) {
    super(message);
    this.name = "SelfApprovalError";
  }
}
