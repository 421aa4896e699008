/**
 * What the audit log and events record of the approval rule that applied to one tool call.
 *
 * @module
 */

/**
 * The approval rule that applied to a tool call that was not simply allowed.
 *
 * @example
 * ```ts
 * import { type ApprovalRecord, auditLine } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const approval: ApprovalRecord = { rule: "filesystem.write_file", action: "ask", approved: false, waitMs: 1200 };
 * const line = auditLine({ type: "tool_call", time: new Date().toISOString(), taskId: "t1", server: "filesystem",
 *   tool: "write_file", durationMs: 1201, outcome: "refused", argsBytes: 40, approval });
 * assert.equal(JSON.parse(line).approval.approved, false);
 * ```
 */
export interface ApprovalRecord {
  /** The rule: a key of the `approvals` option, or `"default:destructive"` / `"default:unknown"`. */
  rule: string;
  /** What the rule says. */
  action: "ask" | "deny";
  /** Whether the call went out. */
  approved: boolean;
  /** How long the approver took, in milliseconds (0 for `"deny"`). */
  waitMs: number;
  /** Who answered, when the approver said (an operator's principal id). */
  answeredBy?: string;
}
