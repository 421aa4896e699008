/**
 * The orchestrator a command works with: the config's servers, `servers/` beside it, logs on stderr only at
 * warning level and above. Commands that run code also read `mcp-executor.json` beside the config, as the daemon
 * does: its approval rules, `approvalTimeoutMs`, `pii` and `audit`, with the person at the terminal as approver.
 *
 * @module
 */

import {
  approvalsSettings,
  defaultDaemonConfigPath,
  loadDaemonConfig,
  resolveConfigPath,
} from "../runtime/daemon/mod.ts";
import {
  AuditLog,
  configureLogging,
  type McpConfig,
  MCPOrchestrator,
  type OrchestratorOptions,
} from "../runtime/mod.ts";
import { terminalApprover } from "./_terminal_approver.ts";

/**
 * Creates and initializes an orchestrator for a command.
 *
 * @param config The mcp.json path, or a parsed config.
 * @param options More orchestrator options.
 * @returns The ready orchestrator (dispose it).
 */
export async function openOrchestrator(
  config: string | McpConfig,
  options: Partial<OrchestratorOptions> = {},
): Promise<MCPOrchestrator> {
  await configureLogging(Deno.env.get("MCPX_LOG") === "debug" ? "debug" : "warning");
  const orch = new MCPOrchestrator({ poolSize: 1, ...options, config });
  await orch.initialize();
  return orch;
}

/** An orchestrator that runs code, and the audit trail it writes to; disposing closes both. */
export interface TaskOrchestrator extends AsyncDisposable {
  orch: MCPOrchestrator;
}

/**
 * Creates an orchestrator for commands that run code (`mcpx run`, `mcpx skills run`) with the settings of
 * `mcp-executor.json` beside the config: approval rules and deadline, `pii`, and `audit`. Questions go to the
 * terminal; without a terminal on stdin they are refused, saying why.
 *
 * @param config The mcp.json path.
 * @param options More orchestrator options.
 * @returns The ready orchestrator.
 * @throws {ConfigError} When mcp-executor.json exists and is invalid.
 */
export async function openTaskOrchestrator(
  config: string,
  options: Partial<OrchestratorOptions> = {},
): Promise<TaskOrchestrator> {
  const settings = await loadDaemonConfig(defaultDaemonConfigPath(config), { optional: true });
  const approvals = approvalsSettings(settings);
  const audit = settings.audit === undefined ? undefined : new AuditLog({
    ...settings.audit,
    file: resolveConfigPath(settings, settings.audit.file),
  });
  const orch = await openOrchestrator(config, {
    approve: terminalApprover(),
    ...(approvals.rules === undefined ? {} : { approvals: approvals.rules }),
    ...(settings.approvalTimeoutMs === undefined
      ? {}
      : { approvalTimeoutMs: settings.approvalTimeoutMs }),
    ...(settings.pii === undefined ? {} : { pii: settings.pii }),
    typecheck: settings.typecheck ?? "warn",
    ...(settings.inferOutputTypes === undefined
      ? {}
      : { inferOutputTypes: settings.inferOutputTypes }),
    ...options,
  }).catch(async (error) => {
    await audit?.close();
    throw error;
  });
  audit?.attach(orch);
  return {
    orch,
    async [Symbol.asyncDispose]() {
      await orch[Symbol.asyncDispose]();
      await audit?.close();
    },
  };
}
