/**
 * Connects the skills manager to an orchestrator: which servers are connected, their tools, how tasks run and how
 * code is screened.
 *
 * @module
 */

import { toServerDirName } from "../codegen/mod.ts";
import { BlockedCodeError, screenCode } from "../blocker/mod.ts";
import { BUILTIN_KINDS, placeholderPattern } from "../privacy/mod.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import type { ServerBinding } from "../wire/mod.ts";
import { SkillManager } from "../skills/mod.ts";
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";
import type { OrchestratorOptions } from "./options.ts";

/** What {@linkcode createSkillManager} needs from the orchestrator. */
export interface SkillHostParts {
  skillsDir: string;
  privateSkillsDir: string;
  serversDir: string;
  connections: ConnectionManager;
  bindings: ReadonlyMap<string, ServerBinding>;
  /** Its options: `blockerPolicy` screens saved code, `skillBreakingChanges` is the policy for changed tools. */
  options: OrchestratorOptions;
  runTask(task: AgentTask): Promise<TaskResult>;
  refuse(task: AgentTask, error: TaskErrorInfo): Promise<TaskResult>;
}

/**
 * Creates the skills manager of an initialized orchestrator.
 *
 * @param parts The folders, connections, bindings, blocker policy and task runners.
 * @returns The manager.
 *
 * @example
 * ```ts ignore
 * // In MCPOrchestrator.initialize, once servers are connected and the pool started:
 * const skills = createSkillManager({ ...started, options, runTask, refuse });
 * ```
 */
export function createSkillManager(parts: SkillHostParts): SkillManager {
  const { connections } = parts;
  const connected = (name: string) => {
    const connection = connections.get(name);
    return connection?.state === "connected" ? connection : undefined;
  };
  return new SkillManager({
    serversDir: parts.serversDir,
    // Every configured server, so that code using one that is down is refused with its name, not saved blind.
    servers: () =>
      connections.names.map((name) => ({
        name,
        identifier: parts.bindings.get(name)?.identifier ?? name,
        dirName: toServerDirName(name),
        tools: connected(name)?.tools.map((tool) => tool.name) ?? [],
      })),
    currentTools: (server) => connected(server)?.tools,
    runTask: parts.runTask,
    refuse: parts.refuse,
    placeholders: placeholdersOfAnyConfig(parts.options),
    screen: (code) => {
      const policy = parts.options.blockerPolicy;
      const screen = screenCode(code, policy === undefined ? {} : { policy });
      if (!screen.ok) {
        throw new BlockedCodeError(screen.findings);
      }
    },
  }, {
    dir: parts.skillsDir,
    privateDir: parts.privateSkillsDir,
    onBreakingChange: parts.options.skillBreakingChanges ?? "fail",
    ...(parts.options.state?.skills === undefined ? {} : { rows: parts.options.state.skills }),
    ...(parts.options.skillMaxVersions === undefined
      ? {}
      : { maxVersions: parts.options.skillMaxVersions }),
    ...(parts.options.skillMaxCodeBytes === undefined
      ? {}
      : { maxCodeBytes: parts.options.skillMaxCodeBytes }),
    ...(parts.options.skillCacheEntries === undefined
      ? {}
      : { cacheEntries: parts.options.skillCacheEntries }),
  });
}

/**
 * The privacy vault's placeholders a saved skill may not hold: those of the built-in kinds, whether or not privacy
 * is on (a skill outlives the configuration it was saved under), and of the configured patterns and field rules.
 */
function placeholdersOfAnyConfig(options: OrchestratorOptions): RegExp {
  const kinds = new Set<string>(BUILTIN_KINDS);
  for (const rule of [...(options.pii?.patterns ?? []), ...(options.pii?.fields ?? [])]) {
    if (/^[A-Z][A-Z0-9_]{0,31}$/.test(rule.kind)) kinds.add(rule.kind);
  }
  return placeholderPattern(kinds);
}
