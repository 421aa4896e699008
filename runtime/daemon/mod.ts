/**
 * The daemon: mcp-executor as an MCP server. {@linkcode ExecutorDaemon} shares one orchestrator between client
 * sessions, each with its own `McpServer` holding the tools `search_tools` and `execute_code` and the `servers://`
 * resources; {@linkcode serveStdio} and {@linkcode serveHttp} connect clients, over HTTP each authenticated as a
 * principal (`auth/`: static tokens, a generated token, OAuth access tokens, `mcpx:` scopes); `mcp-executor.json`
 * configures it.
 *
 * @module
 */

export {
  type DaemonHealth,
  ExecutorDaemon,
  type ExecutorDaemonOptions,
  type OpenSessionOptions,
} from "./executor_daemon.ts";
export {
  DEFAULT_MAX_PENDING_APPROVALS,
  type OperatorAnswer,
  type OperatorApprovalEvent,
  OperatorApprovals,
  type OperatorApprovalsOptions,
  type PendingApproval,
  SelfApprovalError,
} from "./operator_approvals.ts";
export type { ApprovalBus } from "./approval_bus.ts";
export { approvalsRoutes, APPROVE_SCOPE } from "./approvals_routes.ts";
export { approvalsPage } from "./approvals_page.ts";
export {
  type ApprovalsSettings,
  approvalsSettings,
  DAEMON_CONFIG_FILE,
  DAEMON_DEFAULTS,
  type DaemonConfig,
  daemonConfigSchema,
  daemonConfigShape,
  defaultDaemonConfigPath,
  loadDaemonConfig,
  parseDaemonConfig,
  resolveConfigPath,
} from "./daemon_config.ts";
export { advertiseUrl, stateUrl } from "./state_url.ts";
export {
  DEFAULT_FORWARD_TIMEOUT_MS,
  DEFAULT_LEASE_MS,
  heldResponse,
  replicaId,
  SessionLeases,
  type SessionLeasesOptions,
  type Takeover,
} from "./session_leases.ts";
export {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
  HttpHandler,
  type HttpHandlerOptions,
  type RouteHandler,
} from "./http_handler.ts";
export {
  ALL_SCOPES,
  type Authentication,
  type Authenticator,
  claudeAddCommand,
  createAuthenticator,
  defaultStateDir,
  type GeneratedToken,
  generatedToken,
  introspectionVerifier,
  jwtVerifier,
  loadTokenFile,
  MIN_TOKEN_LENGTH,
  oauthPrincipalId,
  protectedResourceMetadata,
  requireScopes,
  resourceMetadataUrl,
  SCOPE_ADMIN,
  SCOPE_APPROVE,
  SCOPE_EXECUTE,
  SCOPE_SKILLS,
  STATE_DIR_ENV,
  type StaticToken,
} from "./auth/mod.ts";
export { type HttpServing, serveHttp, type ServeHttpOptions } from "./serve_http.ts";
export { isLoopback } from "./http_checks.ts";
export { serveStdio, STDIO_SESSION } from "./serve_stdio.ts";
export { inferServers, type ServerName } from "./infer_servers.ts";
export { taskResultContent } from "./task_result_content.ts";
export {
  EXECUTE_CODE,
  executeCodeInput,
  MAX_DETAIL_HITS,
  MAX_NAME_HITS,
  MAX_TIMEOUT_MS,
  SEARCH_TOOLS,
  searchToolsInput,
} from "./tool_definitions.ts";
export { executeCodeTask, searchToolsResult } from "./daemon_tools.ts";
export {
  approvalForm,
  elicitationApprover,
  type ElicitationApproverOptions,
  SessionApprovers,
} from "./approvals.ts";
export {
  auditLine,
  AuditLog,
  type AuditLogOptions,
  DEFAULT_AUDIT_KEEP,
  DEFAULT_AUDIT_MAX_BYTES,
} from "./audit_log.ts";
export { DaemonMetrics, type MetricsSource } from "./metrics.ts";
export { relayAuthorizationUrl } from "./elicitation_relay.ts";
