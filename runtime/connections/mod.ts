/**
 * MCP clients, one a server: connecting over stdio or HTTP, calling tools through a bounded queue with cancellation
 * and progress, turning results and errors into what the orchestrator hands back, and (in `auth/`) signing in to
 * servers that ask for OAuth.
 *
 * @module
 */

export { unwrapResult } from "./unwrap_result.ts";
export { serverEnvironment } from "./server_env.ts";
export { CallQueue, type QueueOutcome, takeSlot } from "./call_queue.ts";
export {
  type CallOptions,
  type ConnectionState,
  ServerConnection,
  type ServerConnectionOptions,
} from "./server_connection.ts";
export {
  ConnectionManager,
  type ConnectionManagerOptions,
  type ServerStatus,
} from "./connection_manager.ts";
export {
  type CallContext,
  DECLINE_REASON_KEY,
  type ElicitationHandler,
  type ElicitationRequest,
  type InFlightCall,
} from "./elicitation.ts";
