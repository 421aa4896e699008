/**
 * {@linkcode registerDaemonTools}: the handlers of `search_tools` and `execute_code`, and the `servers://`
 * resources, on one session's `McpServer`.
 *
 * @module
 */

import { assignServerIdentifiers, toServerDirName } from "../codegen/mod.ts";
import type { MCPOrchestrator } from "../orchestrator/mod.ts";
import { type CallToolResult, type McpServer, ResourceTemplate } from "../sdk.ts";
import type { AgentTask, TaskResult } from "../types.ts";
import type { Principal } from "../principal.ts";
import { inferServers } from "./infer_servers.ts";
import { inferPythonServers, pythonSearchText } from "../python/mod.ts";
import { startRequestTask, type TrackTask } from "./request_task.ts";
import { registerSkillTools } from "./skill_tools.ts";
import { listServerFiles, readServerFile } from "./server_resources.ts";
import { errorResult, taskResultContent } from "./task_result_content.ts";
import {
  EXECUTE_CODE,
  executeCodeInput,
  executeCodeOutput,
  MAX_DETAIL_HITS,
  SEARCH_TOOLS,
  searchToolsInput,
} from "./tool_definitions.ts";

/** What the tool handlers of one session need from the daemon. */
export interface ToolContext {
  orch: MCPOrchestrator;
  /** The session's id. */
  session: string;
  /** Who the session acts for. */
  principal: Principal;
  /** A new task id. */
  nextTaskId(): string;
  /** Registers a running task and its progress notifier; returns the function that unregisters it. */
  track: TrackTask;
  /** Rewrites a result's error where the daemon knows more (a shutdown). */
  explain(result: TaskResult): TaskResult;
}

/** Default hits at detail `"name"` and at the other levels. */
const DEFAULT_LIMIT = { name: 10, other: 5 } as const;

/**
 * Registers the two tools and the `servers://` resources on a session's server.
 *
 * @param server The session's MCP server.
 * @param context The orchestrator and the session's bookkeeping.
 *
 * @example
 * ```ts ignore
 * registerDaemonTools(server, context);
 * await server.connect(transport);
 * ```
 */
export function registerDaemonTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    SEARCH_TOOLS.name,
    {
      description: SEARCH_TOOLS.description,
      inputSchema: searchToolsInput,
      annotations: { readOnlyHint: true },
    },
    (args) =>
      searchToolsResult(context.orch, args, {
        session: context.session,
        principal: context.principal.id,
      }),
  );
  server.registerTool(
    EXECUTE_CODE.name,
    {
      description: EXECUTE_CODE.description,
      inputSchema: executeCodeInput,
      outputSchema: executeCodeOutput,
    },
    async (args, extra) => {
      const taskId = context.nextTaskId();
      using running = startRequestTask(extra, taskId, context.track);
      const task = executeCodeTask(context.orch, args, {
        id: taskId,
        session: context.session,
        principal: context.principal.id,
        signal: running.signal,
      });
      try {
        const result = context.explain(await context.orch.executeTask(task));
        await running.flush();
        return taskResultContent(result);
      } catch (error) {
        return errorResult(`Cannot run the code: ${(error as Error).message}`);
      }
    },
  );
  const serversDir = context.orch.serversDir;
  server.registerResource(
    "servers",
    new ResourceTemplate("servers://{+path}", {
      list: async () => ({ resources: await listServerFiles(serversDir) }),
    }),
    {
      description: "Generated TypeScript modules of the configured servers",
      mimeType: "text/typescript",
    },
    async (uri) => {
      const file = await readServerFile(serversDir, uri.href);
      return { contents: [{ uri: uri.href, mimeType: file.mimeType, text: file.text }] };
    },
  );
  registerSkillTools(server, {
    orch: context.orch,
    session: context.session,
    principal: context.principal,
    nextTaskId: context.nextTaskId,
    track: context.track,
    explain: context.explain,
  });
}

/**
 * Answers `search_tools`: the ranked text the library produces (saved skills first), the server list for an empty
 * query, or an error result that says what to change. Shared by the daemon and the agent SDK adapters.
 *
 * @param orch The orchestrator.
 * @param args The tool's arguments, already validated against its input schema.
 * @param who The session searching (for learning from use), if any, as its id or with its principal (whose
 *   private skills are searched with the shared ones; default: the default principal's, the shared ones).
 * @returns The tool result.
 *
 * @example
 * ```ts ignore
 * const result = await searchToolsResult(orch, { query: "read a file", detail: "name" });
 * ```
 */
export async function searchToolsResult(
  orch: MCPOrchestrator,
  args: {
    query: string;
    detail?: "name" | "description" | "full";
    limit?: number;
    server?: string;
    language?: "typescript" | "python";
  },
  who?: string | { session?: string; principal?: string },
): Promise<CallToolResult> {
  const { session, principal } = typeof who === "string"
    ? { session: who, principal: undefined }
    : who ?? {};
  const detail = args.detail ?? "description";
  if (args.query.trim() === "") {
    const servers = orch.listServers();
    const text = servers.length === 0
      ? "No servers are connected."
      : `${servers.map((s) => `${s.name} (${s.toolCount} tools)`).join("\n")}\n` +
        "Search with a query to find tools.";
    return { content: [{ type: "text", text }] };
  }
  const limit = args.limit ?? (detail === "name" ? DEFAULT_LIMIT.name : DEFAULT_LIMIT.other);
  if (detail !== "name" && limit > MAX_DETAIL_HITS) {
    return errorResult(
      `Cannot search with limit ${limit} at detail "${detail}": the most is ${MAX_DETAIL_HITS}; use detail "name" for up to 20`,
    );
  }
  if (args.server !== undefined && !orch.connections.names.includes(args.server)) {
    return errorResult(
      `Cannot search server "${args.server}": no such server; call search_tools with an empty query to list them`,
    );
  }
  const searchOptions = {
    detail,
    limit,
    ...(session === undefined ? {} : { session }),
    ...(args.server === undefined ? {} : { servers: [args.server] }),
  };
  const tools = args.language === "python"
    ? pythonToolsText(orch, await orch.findTools(args.query, searchOptions), detail)
    : await orch.findToolsText(args.query, searchOptions);
  // Saved skills first: a program that already works beats writing a new one.
  const skills = args.server === undefined
    ? orch.skills.searchText(args.query, {
      limit: Math.min(limit, 5),
      ...(principal === undefined ? {} : { principal }),
    })
    : "";
  const text = skills === ""
    ? tools
    : `Saved skills (run_skill, or import run):\n${skills}\n\nTools:\n${tools}`;
  return { content: [{ type: "text", text }] };
}

/**
 * The task `execute_code` runs: its `requiredTools` as given, or the servers the code names.
 *
 * @param orch The orchestrator.
 * @param args The tool's arguments, already validated against its input schema.
 * @param task The task's id, session and signal.
 * @returns The task to pass to `executeTask`.
 *
 * @example
 * ```ts ignore
 * const result = taskResultContent(await orch.executeTask(executeCodeTask(orch, args, { id: "t1" })));
 * ```
 */
export function executeCodeTask(
  orch: MCPOrchestrator,
  args: {
    code: string;
    requiredTools?: string[];
    timeout?: number;
    workspace?: string;
    language?: "typescript" | "python";
  },
  task: { id: string; session?: string; principal?: string; signal?: AbortSignal },
): AgentTask {
  const names = orch.connections.names;
  const identifiers = assignServerIdentifiers(names);
  const servers = names.map((name, i) => ({
    name,
    identifier: identifiers[i]!,
    dir: toServerDirName(name),
  }));
  return {
    id: task.id,
    description: "execute_code",
    code: args.code,
    requiredTools: args.requiredTools ??
      (args.language === "python"
        ? inferPythonServers(args.code, servers)
        : inferServers(args.code, servers)),
    ...(args.language === undefined ? {} : { language: args.language }),
    status: "pending",
    ...(task.session === undefined ? {} : { session: task.session }),
    ...(task.principal === undefined ? {} : { principal: task.principal }),
    ...(task.signal === undefined ? {} : { signal: task.signal }),
    ...(args.timeout === undefined ? {} : { timeoutMs: args.timeout }),
    ...(args.workspace === undefined ? {} : { workspace: args.workspace }),
  };
}

/** Search hits told as Python (issue 21): `from servers.<server> import <fn>`, and signatures at detail "full". */
function pythonToolsText(
  orch: MCPOrchestrator,
  hits: Awaited<ReturnType<MCPOrchestrator["findTools"]>>,
  detail: "name" | "description" | "full",
): string {
  const names = orch.connections.names;
  const identifiers = assignServerIdentifiers(names);
  return pythonSearchText(hits, {
    detail,
    identifier: (server) => identifiers[names.indexOf(server)] ?? server,
    tools: (server) => orch.connections.get(server)?.tools ?? [],
  });
}
