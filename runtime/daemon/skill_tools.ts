/**
 * The daemon's skill tools and resources: `save_skill` keeps a working program, `run_skill` runs one with new
 * arguments, and every skill's files are readable as `skill://` resources. A session sees its principal's private
 * skills and the shared ones, never another principal's private ones; `save_skill` saves privately unless `shared`
 * is set.
 *
 * @module
 */

import { z } from "zod";
import type { MCPOrchestrator } from "../orchestrator/mod.ts";
import { DEFAULT_PRINCIPAL, type Principal } from "../principal.ts";
import { type CallToolResult, type McpServer, ResourceTemplate } from "../sdk.ts";
import type { TaskResult } from "../types.ts";
import { startRequestTask, type TrackTask } from "./request_task.ts";
import { errorResult, taskResultContent } from "./task_result_content.ts";

/** Name and description of `save_skill`. */
export const SAVE_SKILL = {
  name: "save_skill",
  description:
    "Save working execute_code code as a reusable skill (a new version if it exists). `args` holds the " +
    "arguments in the code; params: JSON Schema of args. Private unless shared: true. search_tools " +
    "finds skills.",
} as const;

/** Name and description of `run_skill`. */
export const RUN_SKILL = {
  name: "run_skill",
  description:
    "Run a saved skill with args (checked against its params); returns like execute_code.",
} as const;

const saveSkillInput = {
  name: z.string().max(64),
  description: z.string().max(1_024),
  code: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().max(64)).max(20).optional(),
  shared: z.boolean().optional(),
  language: z.enum(["typescript", "python"]).optional(),
};

const runSkillInput = {
  name: z.string().max(64),
  args: z.record(z.string(), z.unknown()).optional(),
  version: z.number().int().min(1).optional(),
};

/**
 * Registers `save_skill`, `run_skill` and the `skill://` resources on a session's server.
 *
 * @param server The session's MCP server.
 * @param context The shared orchestrator, the session, and how to track a running task.
 *
 * @example
 * ```ts ignore
 * registerSkillTools(server, { orch, session: "s1", principal, nextTaskId: () => "s1.1", track });
 * ```
 */
export function registerSkillTools(
  server: McpServer,
  context: {
    orch: MCPOrchestrator;
    session: string;
    /** Who the session acts for: whose private skills it sees and saves. */
    principal: Principal;
    nextTaskId(): string;
    /**
     * Registers a running task; with the notifier and the request id, its progress, approval questions and
     * relayed elicitations travel on the `run_skill` request (its response stream over Streamable HTTP).
     */
    track: TrackTask;
    /** Rewrites a result's error where the daemon knows more (a shutdown). */
    explain?(result: TaskResult): TaskResult;
  },
): void {
  const { orch, principal } = context;
  server.registerTool(
    SAVE_SKILL.name,
    { description: SAVE_SKILL.description, inputSchema: saveSkillInput },
    async (args): Promise<CallToolResult> => {
      try {
        const saved = await orch.saveSkill(args.name, {
          description: args.description,
          code: args.code,
          ...(args.params === undefined ? {} : { params: args.params }),
          ...(args.tags === undefined ? {} : { tags: args.tags }),
          ...(args.language === undefined ? {} : { language: args.language }),
        }, { principal, shared: args.shared === true });
        const text =
          `Saved skill "${saved.name}" v${saved.version} (${
            args.shared === true || principal.id === DEFAULT_PRINCIPAL ? "shared" : "private"
          }; tools: ${
            saved.tools.join(", ") || "none"
          }). Run it with run_skill { name: "${saved.name}", args }, or in code: ` +
          (args.language === "python"
            ? `from skills.${saved.name.replaceAll("-", "_")} import run`
            : `import { run } from "skills/${saved.name}/skill.ts";`);
        return { content: [{ type: "text", text }] };
      } catch (error) {
        // The store's own errors already name the action; others get it here.
        const message = (error as Error).message;
        return errorResult(
          message.startsWith("Cannot save skill")
            ? message
            : `Cannot save skill "${args.name}": ${message}`,
        );
      }
    },
  );
  server.registerTool(
    RUN_SKILL.name,
    // No outputSchema: the result has execute_code's shape, and repeating that schema would cost ~100 tokens.
    { description: RUN_SKILL.description, inputSchema: runSkillInput },
    async (args, extra): Promise<CallToolResult> => {
      if (extra.signal.aborted) {
        return errorResult(
          `Cannot run skill "${args.name}": the request was cancelled before the run started`,
        );
      }
      const id = context.nextTaskId();
      using running = startRequestTask(extra, id, context.track);
      try {
        const result = await orch.executeSkill(args.name, args.args ?? {}, {
          id,
          session: context.session,
          principal: principal.id,
          signal: running.signal,
          ...(args.version === undefined ? {} : { version: args.version }),
        });
        await running.flush();
        return taskResultContent(context.explain?.(result) ?? result);
      } catch (error) {
        return errorResult(`Cannot run skill "${args.name}": ${(error as Error).message}`);
      }
    },
  );
  server.registerResource(
    "skills",
    new ResourceTemplate("skill://{+path}", {
      list: () => ({
        resources: orch.skills.listResources({ principal: principal.id }).map((r) => ({
          uri: r.uri,
          name: r.name,
          mimeType: r.mimeType,
          ...(r.description === undefined ? {} : { description: r.description }),
        })),
      }),
    }),
    { description: "Saved skills: SKILL.md and skill.ts of each, and skill://index.json" },
    async (uri) => {
      const file = await orch.skills.readResource(uri.href, { principal: principal.id });
      return { contents: [{ uri: uri.href, mimeType: file.mimeType, text: file.text }] };
    },
  );
}
