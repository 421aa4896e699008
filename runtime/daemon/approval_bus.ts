/**
 * `ApprovalBus`: how {@linkcode OperatorApprovals} of several replicas share their pending questions and answers
 * (the PostgreSQL state store gives one: rows plus `NOTIFY`).
 *
 * @module
 */

import type { ApprovalNotice } from "../state/mod.ts";
import type { PendingApproval } from "./operator_approvals.ts";

/**
 * The shared side of operator approvals: questions asked on any replica, and answers given on any replica.
 *
 * @example
 * ```ts
 * import type { ApprovalBus } from "./approval_bus.ts";
 * import assert from "node:assert/strict";
 * const asked: string[] = [];
 * const bus: ApprovalBus = {
 *   origin: "replica-1",
 *   ask: (approval) => Promise.resolve(void asked.push(approval.id)),
 *   answer: () => Promise.resolve(true),
 *   withdraw: () => Promise.resolve(),
 *   get: () => Promise.resolve(undefined),
 *   pending: () => Promise.resolve([]),
 *   listen: () => Promise.resolve(() => Promise.resolve()),
 * };
 * assert.equal(bus.origin, "replica-1");
 * ```
 */
export interface ApprovalBus {
  /** This replica's name in notices; notices of its own are skipped. */
  readonly origin: string;
  /** Publishes a question asked on this replica. */
  ask(approval: PendingApproval): Promise<void>;
  /** Records an answer and tells every replica; `false` when the question was answered or withdrawn already. */
  answer(
    id: string,
    answer: { approved: boolean; answeredBy: string; reason?: string },
  ): Promise<boolean>;
  /** Removes a question (deadline, task ended) and tells the others. */
  withdraw(id: string): Promise<void>;
  /** One pending question. */
  get(id: string): Promise<PendingApproval | undefined>;
  /** Every replica's pending questions. */
  pending(): Promise<PendingApproval[]>;
  /** Listens to every replica's notices; resolves to the function that stops. */
  listen(onNotice: (notice: ApprovalNotice) => void): Promise<() => Promise<void>>;
}
