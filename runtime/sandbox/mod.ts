/**
 * Running agent code in sandbox processes: {@linkcode SandboxPool} is the entry point the orchestrator uses;
 * {@linkcode prepareCode} turns agent code into what a sandbox runs.
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
  type CatalogRequest,
  sandboxError,
  type SandboxErrorCode,
  type SandboxRunResult,
  type SandboxRunStatus,
  type ToolCallRequest,
} from "./run_result.ts";
export { parseSandboxMessage } from "./protocol_schema.ts";
export type { AgentProgress } from "./task_run.ts";
export { type AgentProgram, parseAgentCode } from "./parse_agent_code.ts";
export type {
  CallMessage,
  CatalogEntry,
  CatalogMessage,
  DoneMessage,
  LogMessage,
  ProgressMessage,
  ReadyMessage,
  SandboxMessage,
  ServerBinding,
  WorkerPermissions,
} from "../wire/mod.ts";
export type { WireError } from "../wire/mod.ts";
export { SandboxProcess } from "./sandbox_process.ts";
export { memoryWatchWarning } from "./rss_watchdog.ts";
