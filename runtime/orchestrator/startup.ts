/**
 * What {@linkcode MCPOrchestrator.initialize} sets up: the config, the server connections, the generated `servers/`
 * modules, the state folders and the sandbox pool.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  assignServerIdentifiers,
  toServerDirName,
  writeServerModule,
  writeServerModules,
} from "../codegen/mod.ts";
import { loadConfig, type McpConfig } from "../config.ts";
import { ConnectionManager, type ConnectionManagerOptions } from "../connections/mod.ts";
import type { ServerConnection } from "../connections/mod.ts";
import { logger } from "../log.ts";
import { SandboxPool } from "../sandbox/mod.ts";
import { PythonPoolSlot } from "../python/mod.ts";
import { memoryWatchWarning } from "../sandbox/mod.ts";
import type { ServerBinding } from "../wire/mod.ts";
import type { Tool } from "../sdk.ts";
import { DEFAULT_LIMITS, type OrchestratorOptions } from "./options.ts";
import type { ToolCatalog } from "./tool_catalog.ts";

const log = logger("orchestrator");

/** Everything an initialized orchestrator holds. */
export interface Started {
  connections: ConnectionManager;
  pool: SandboxPool;
  /** The Python pool, made on the first Python task (issue 21). */
  python: PythonPoolSlot;
  bindings: Map<string, ServerBinding>;
  serversDir: string;
  skillsDir: string;
  privateSkillsDir: string;
  workspacesDir: string;
  /** The folder holding one folder per session. */
  sessionsDir: string;
  stateDir: string;
  /** The state folder when the orchestrator made it (and so removes it at shutdown). */
  ownStateDir: string | undefined;
}

/**
 * Loads the config, connects every server (one failing does not stop the others), generates `servers/` and starts
 * the sandbox pool.
 *
 * @param options The orchestrator's options.
 * @param hooks The catalog to fill and the listener for tool list changes.
 * @returns The started parts.
 */
export async function startOrchestrator(
  options: OrchestratorOptions,
  hooks: {
    catalog: ToolCatalog;
    poolSize: number;
    onToolsChanged: (server: string, tools: readonly Tool[]) => void;
  },
): Promise<Started> {
  const config: McpConfig = typeof options.config === "string"
    ? await loadConfig(options.config)
    : options.config;
  let stateDir = options.stateDir;
  let ownStateDir: string | undefined;
  if (stateDir === undefined) {
    stateDir = await Deno.makeTempDir({ prefix: "mcp-executor-" });
    ownStateDir = stateDir;
  }
  // A config file's project folder holds servers/ and skills/ beside it; a config given as an object has no
  // project folder, and writing into the current one would change whatever folder the process happens to run in
  // (a checkout's own servers/, in its tests): its modules go to the state folder instead.
  const base = config.path === undefined ? stateDir : dirname(config.path);
  const serversDir = resolve(options.serversDir ?? join(base, "servers"));
  const skillsDir = resolve(options.skillsDir ?? join(dirname(serversDir), "skills"));
  const privateSkillsDir = resolve(
    options.privateSkillsDir ?? join(dirname(skillsDir), "principal-skills"),
  );
  const connections = new ConnectionManager(config, {
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_LIMITS.callTimeoutMs,
    ...(options.connectTimeoutMs === undefined
      ? {}
      : { connectTimeoutMs: options.connectTimeoutMs }),
    onToolsChanged: hooks.onToolsChanged,
    ...connectionHooks(options),
  });
  for (const server of await connections.connectAll()) {
    if (server.state === "connected") {
      log.info("Connected {server}: {count} tools", {
        server: server.name,
        count: server.toolCount,
      });
    } else {
      log.warn("Server {server} failed: {error}", { server: server.name, error: server.error });
    }
  }
  const generated = connections.names
    .map((name) => connections.get(name)!)
    .filter((c) => c.state === "connected")
    .map((c) => ({
      name: c.name,
      version: c.serverInfo?.version ?? "unknown",
      tools: [...c.tools],
    }));
  await writeServerModules(serversDir, generated, {
    inferredOutputs: options.inferOutputTypes !== false,
  });
  for (const server of generated) hooks.catalog.setServerTools(server.name, server.tools);
  const bindings = new Map<string, ServerBinding>();
  const identifiers = assignServerIdentifiers(connections.names);
  connections.names.forEach((name, i) => {
    const moduleUrl = pathToFileURL(join(serversDir, toServerDirName(name), "index.ts")).href;
    bindings.set(name, { name, identifier: identifiers[i]!, moduleUrl });
  });
  const learn = options.learnFromUse;
  if (learn !== false && options.state?.usage !== undefined) {
    await hooks.catalog.shareUsage(options.state.usage);
  } else if (learn !== false) {
    const file = typeof learn === "object" ? learn.file : undefined;
    await hooks.catalog.openUsage(file ?? join(stateDir, "search_usage.json"));
  }
  const memoryWarning = memoryWatchWarning();
  if (memoryWarning !== undefined) log.warn(memoryWarning);
  const workspacesDir = resolve(options.workspacesDir ?? join(stateDir, "workspaces"));
  await Deno.mkdir(workspacesDir, { recursive: true, mode: 0o700 });
  const sessionsDir = resolve(options.sessionsDir ?? join(stateDir, "sessions"));
  await Deno.mkdir(sessionsDir, { recursive: true, mode: 0o700 });
  const poolOptions = {
    serversDir,
    skillsDir,
    privateSkillsDir,
    stateDir,
    poolSize: hooks.poolSize,
    timeoutMs: options.taskTimeoutMs ?? DEFAULT_LIMITS.taskTimeoutMs,
    heapMb: options.heapMb ?? DEFAULT_LIMITS.heapMb,
    memoryLimitMb: options.memoryLimitMb ?? DEFAULT_LIMITS.memoryLimitMb,
    maxLogBytes: options.maxLogBytes ?? DEFAULT_LIMITS.maxLogBytes,
    ...(options.maxTasksPerProcess === undefined
      ? {}
      : { maxTasksPerProcess: options.maxTasksPerProcess }),
    ...(options.maxReuseRssGrowthMb === undefined
      ? {}
      : { maxReuseRssGrowthMb: options.maxReuseRssGrowthMb }),
  };
  const pool = await SandboxPool.create(poolOptions);
  const python = new PythonPoolSlot({
    ...poolOptions,
    poolSize: options.pythonPoolSize ?? 0,
    ...(options.pyodideDir === undefined ? {} : { pyodideDir: options.pyodideDir }),
  });
  // Warm Python processes were asked for: start them now, in the background (a failure shows at the first task).
  if ((options.pythonPoolSize ?? 0) > 0) python.get().catch(() => {});
  return {
    connections,
    pool,
    python,
    bindings,
    serversDir,
    skillsDir,
    privateSkillsDir,
    workspacesDir,
    sessionsDir,
    stateDir,
    ownStateDir,
  };
}

function connectionHooks(options: OrchestratorOptions): ConnectionManagerOptions {
  const hooks: ConnectionManagerOptions = {};
  if (options.onElicitation !== undefined) hooks.onElicitation = options.onElicitation;
  if (options.elicitationTimeoutMs !== undefined) {
    hooks.elicitationTimeoutMs = options.elicitationTimeoutMs;
  }
  const signInFile = options.signInFile ?? options.tokenFile;
  if (signInFile !== undefined) hooks.signInFile = signInFile;
  if (options.signInStore !== undefined) hooks.signInStore = options.signInStore;
  if (options.maxPrincipalConnections !== undefined) {
    hooks.maxPrincipalConnections = options.maxPrincipalConnections;
  }
  if (options.onAuthorizationUrl !== undefined) {
    hooks.onAuthorizationUrl = options.onAuthorizationUrl;
  }
  return hooks;
}

/**
 * Counts the skills in a folder: its subfolders that hold a `SKILL.md`.
 *
 * @param dir The skills folder ("" before initialization).
 * @returns How many skills it holds (0 when it does not exist).
 */
export function countSkills(dir: string): number {
  if (dir === "") return 0;
  let count = 0;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isDirectory) continue;
      try {
        Deno.statSync(join(dir, entry.name, "SKILL.md"));
        count++;
      } catch {
        // A folder without SKILL.md is not a skill.
      }
    }
  } catch {
    // No skills folder: no skills.
  }
  return count;
}

/**
 * Regenerates one server's module after its tool list changed, and replaces the idle sandbox processes (they
 * preload the generated modules) so that the next task sees the new one. A failure is logged, not thrown.
 *
 * @param serversDir The generated `servers/` folder.
 * @param change The server's connection, its new tools and the sandbox pool.
 * @returns Resolves once done.
 */
export async function regenerateServer(
  serversDir: string,
  change: {
    connection: ServerConnection;
    tools: readonly Tool[];
    pool: SandboxPool | undefined;
    /** Whether inferred output types are used (`inferOutputTypes`). Default `false`. */
    inferredOutputs?: boolean;
  },
): Promise<void> {
  const { connection, tools } = change;
  const server = connection.name;
  try {
    await writeServerModule(serversDir, {
      name: server,
      version: connection.serverInfo?.version ?? "unknown",
      tools: [...tools],
    }, { inferredOutputs: change.inferredOutputs === true });
    await change.pool?.recycle();
    log.info("Regenerated {server} after tools/list_changed: {count} tools", {
      server,
      count: tools.length,
    });
  } catch (error) {
    log.error("Cannot regenerate {server}: {error}", { server, error: String(error) });
  }
}
