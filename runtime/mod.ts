/**
 * mcp-executor: a Deno runtime for AI agents that use MCP servers by writing code.
 *
 * - {@linkcode MCPOrchestrator} connects the servers of an `mcp.json` (stdio, Streamable HTTP, legacy SSE),
 *   generates a typed module per server under `servers/`, and runs each {@linkcode AgentTask} in a sandbox
 *   process whose Worker has only the task's permissions. Tool calls are checked against the task's
 *   `requiredTools` before they reach a server.
 * - {@linkcode loadConfig} reads the `mcp.json` format of Claude Desktop, Claude Code and Cursor.
 * - {@linkcode writeServerModules} and {@linkcode renderToolSignature} generate TypeScript from tool definitions.
 *
 * @example Run a task against the servers of an mcp.json
 * ```ts ignore
 * import { MCPOrchestrator } from "@mcp-executor/runtime";
 * await using orch = new MCPOrchestrator({ config: "mcp.json", maxConcurrentTasks: 4 });
 * await orch.initialize();
 * const result = await orch.executeTask({
 *   id: "t1",
 *   description: "count entities",
 *   code: "const graph = await memory.readGraph();\nreturn graph.entities.length;",
 *   requiredTools: ["memory.read_graph"],
 *   status: "pending",
 * });
 * console.log(result.status, result.data, result.stats);
 * ```
 *
 * @module
 */

export {
  type ApprovalRecord,
  DEFAULT_LIMITS,
  MCPOrchestrator,
  OrchestratorCore,
  type OrchestratorEvent,
  type OrchestratorEventListener,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
  type TaskEvent,
  type TaskProgressEvent,
  type ToolCallEvent,
  type ToolCallOutcome,
  type ToolProgressEvent,
  validateSessionId,
} from "./orchestrator/mod.ts";
export {
  type ApprovalAction,
  type ApprovalAnswer,
  type ApprovalPlaceholder,
  type ApprovalRequest,
  type ApprovalRules,
  type Approver,
  DEFAULT_APPROVAL_TIMEOUT_MS,
} from "./approvals/mod.ts";
export {
  approvalForm,
  elicitationApprover,
  type ElicitationApproverOptions,
  SessionApprovers,
} from "./daemon/mod.ts";
export {
  auditLine,
  AuditLog,
  type AuditLogOptions,
  DEFAULT_AUDIT_KEEP,
  DEFAULT_AUDIT_MAX_BYTES,
} from "./daemon/mod.ts";
export { DaemonMetrics, type MetricsSource } from "./daemon/mod.ts";
export {
  countTokens,
  getTokenizerName,
  o200kTokenizer,
  setTokenizer,
  type Tokenizer,
} from "./tokens/mod.ts";
export type {
  AgentTask,
  TaskErrorInfo,
  TaskResult,
  TaskStats,
  TaskStatus,
  WorkerPermissions,
} from "./types.ts";
export { DEFAULT_PRINCIPAL, type Principal, validatePrincipalId } from "./principal.ts";
export { formatToolRef, parseToolRef, type ToolRef } from "./tool_ref.ts";
export {
  ConfigError,
  loadConfig,
  type McpConfig,
  type OAuthConfig,
  parseConfig,
  type RemoteServerConfig,
  type ServerConfig,
  type StdioServerConfig,
} from "./config.ts";
export { ToolError, type ToolErrorCode, type WireError } from "./wire/mod.ts";
export type {
  CallToolResult,
  ElicitingServer,
  ElicitRequestFormParams,
  ElicitRequestParams,
  ElicitResult,
  OAuthClientInformation,
  OAuthTokens,
  RequestId,
  Tool,
} from "./mcp_types.ts";
export type { RuleAction, RuleName } from "./blocker/mod.ts";
export {
  ConnectionManager,
  type ConnectionManagerOptions,
  type ServerStatus,
} from "./connections/mod.ts";
export {
  type CallOptions,
  type ConnectionState,
  ServerConnection,
  type ServerConnectionOptions,
} from "./connections/mod.ts";
export { CallQueue, type QueueOutcome } from "./connections/mod.ts";
export {
  type AuthorizationUrlHandler,
  type AuthorizationUrlRequest,
  defaultSignInFile,
  defaultTokenFile,
  FileSignInStore,
  LoopbackListener,
  SIGN_IN_COMMAND,
  SIGN_IN_FILE_ENV,
  type SignInKey,
  SignInRequiredError,
  type SignInStore,
  type SignInSummary,
  type StoredSignIn,
  TOKEN_FILE_ENV,
  TokenStore,
} from "./connections/auth/mod.ts";
export {
  type CallContext,
  DECLINE_REASON_KEY,
  type ElicitationHandler,
  type ElicitationRequest,
  type InFlightCall,
} from "./connections/mod.ts";
export {
  generateGlobalsModule,
  generateServerModules,
  type InferredOutput,
  renderToolSignature,
  type ServerInput,
  type WriteOptions,
  type WriteResult,
  writeServerModule,
  writeServerModules,
} from "./codegen/mod.ts";
export type { TypecheckMode } from "./typecheck/mod.ts";
export { configureLogging, type LogLevel } from "./log.ts";
export type { ServerSummary, ToolSearchHit, ToolSummary } from "./search/mod.ts";
export {
  type BreakingChangePolicy,
  type ExecuteSkillOptions,
  type JsonSchema,
  type LoadedSkill,
  type RecordedTool,
  removeSkill,
  type RemoveSkillOptions,
  type SaveSkillFromTaskOptions,
  type SaveSkillInput,
  type SaveSkillOptions,
  SKILL_INDEX_URI,
  type SkillHealth,
  type SkillHost,
  SkillManager,
  type SkillManagerOptions,
  type SkillMetadata,
  type SkillReadOptions,
  type SkillResource,
  type SkillResourceContent,
  type SkillSearchHit,
  type SkillServer,
  type SkillStats,
  type SkillSummary,
  type ToolChange,
} from "./skills/mod.ts";
export {
  type EmbedFunction,
  type FindOptions,
  type RankingOptions,
  type SearchDetail,
  ToolFinder,
  type ToolFinderOptions,
  ToolIndex,
  type ToolIndexOptions,
  type ToolSearchOptions,
  universalSentenceEncoder,
  type UsageFile,
  UsageMemory,
  type UsageMemoryOptions,
} from "./search/mod.ts";
export type { CatalogEntry } from "./wire/mod.ts";
export type {
  SkillFiles,
  SkillHead,
  SkillListener,
  SkillRow,
  SkillRows,
  UsageEntry,
  UsageRows,
} from "./state/mod.ts";
export {
  type AgentToolDefinition,
  agentToolDefinitions,
  type AgentToolResult,
  type AnthropicTool,
  type AnthropicToolResult,
  anthropicTools,
  type AnthropicToolUse,
  handleAnthropicToolUse,
  handleOpenAIToolCall,
  type OpenAITool,
  type OpenAIToolCall,
  type OpenAIToolMessage,
  openAITools,
  runAgentTool,
  type RunAgentToolOptions,
  type VercelAITool,
  vercelAITools,
} from "./adapters/mod.ts";
export {
  BUILTIN_KINDS,
  type BuiltinKind,
  DEFAULT_PII_TTL_MS,
  parsePiiOptions,
  PiiDetector,
  type PiiFieldRule,
  type PiiFlowRule,
  type PiiOptions,
  type PiiPattern,
  PrivacyVaults,
  type Span,
  TaskPrivacy,
  type VaultRecord,
  type VaultStore,
} from "./privacy/mod.ts";
