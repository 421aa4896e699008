/**
 * Running agent code in sandbox processes: {@linkcode SandboxPool} is the entry point the orchestrator uses;
 * {@linkcode prepareCode} turns agent code into the module a sandbox imports.
 *
 * @module
 */

export { SandboxPool, type SandboxPoolOptions, type SandboxRunOptions } from "./process_pool.ts";
export {
  AGENT_FUNCTION,
  prepareCode,
  type PrepareCodeOptions,
  type PreparedCode,
} from "./prepare_code.ts";
export {
  sandboxError,
  type SandboxErrorCode,
  type SandboxRunResult,
  type SandboxRunStatus,
  type ToolCallRequest,
} from "./run_result.ts";
export { parseSandboxMessage, sandboxMessageSchema, wireErrorSchema } from "./protocol_schema.ts";
