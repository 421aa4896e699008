/**
 * Approvals for tool calls: rules per server and tool (`"allow"`, `"ask"`, `"deny"`), defaults from tool
 * annotations, and the host-side gate that asks an approver before a call goes out.
 *
 * @module
 */

export {
  type ApprovalAction,
  ApprovalPolicy,
  type ApprovalRule,
  type ApprovalRules,
  approvalsConfigSchema,
  approvalTimeoutMsSchema,
  describeRule,
} from "./approval_policy.ts";
export {
  type ApprovalAnswer,
  type ApprovalDecision,
  ApprovalGate,
  type ApprovalGateOptions,
  type ApprovalPlaceholder,
  type ApprovalRequest,
  type Approver,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  type GateCall,
} from "./approval_gate.ts";
export type { ApprovalRecord } from "./approval_record.ts";
