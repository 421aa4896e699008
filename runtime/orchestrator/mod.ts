/**
 * {@linkcode MCPOrchestrator} and its options, limits and stats.
 *
 * @module
 */

export { MCPOrchestrator, OrchestratorCore } from "./orchestrator.ts";

export { validateSessionId } from "./session_spaces.ts";
export {
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
  type TaskProgressEvent,
  type ToolProgressEvent,
} from "./options.ts";
export type { ApprovalRecord } from "../approvals/mod.ts";
export {
  type OrchestratorEvent,
  type OrchestratorEventListener,
  OrchestratorEvents,
  type TaskEvent,
  type ToolCallEvent,
  type ToolCallOutcome,
} from "./orchestrator_events.ts";
export { parseAllowlist } from "./allowlist.ts";
