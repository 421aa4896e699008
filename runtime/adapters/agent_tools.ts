/**
 * The daemon's two core tools, `search_tools` and `execute_code`, for people who run their own agent loop: their
 * definitions as JSON Schema, and one function that runs a call on an orchestrator. The Anthropic and OpenAI /
 * Vercel AI shapes in this folder are thin wrappers around these.
 *
 * @module
 */

import { z } from "zod";
import { EXECUTE_CODE, executeCodeInput, SEARCH_TOOLS, searchToolsInput } from "../daemon/mod.ts";
import { executeCodeTask, searchToolsResult } from "../daemon/mod.ts";
import { taskResultContent } from "../daemon/mod.ts";
import type { MCPOrchestrator } from "../orchestrator/mod.ts";
import type { CallToolResult } from "../sdk.ts";

/**
 * A tool definition with a JSON Schema for its input.
 *
 * @example
 * ```ts
 * import { type AgentToolDefinition, agentToolDefinitions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const byName = new Map(agentToolDefinitions().map((t: AgentToolDefinition) => [t.name, t]));
 * assert.equal(byName.get("execute_code")?.inputSchema.type, "object");
 * ```
 */
export interface AgentToolDefinition {
  /** The tool's name. */
  name: "search_tools" | "execute_code";
  /** What the tool does, for the model. */
  description: string;
  /** JSON Schema (draft 2020-12) of the input object. */
  inputSchema: Record<string, unknown>;
}

/**
 * What running one agent tool call gives back.
 *
 * @example
 * ```ts
 * import { type AgentToolResult, MCPOrchestrator, runAgentTool } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result: AgentToolResult = await runAgentTool(orch, { name: "execute_code", input: { code: "return 6 * 7;" } });
 * assert.deepEqual([result.text, result.isError, result.structured?.status], ["42", false, "completed"]);
 * ```
 */
export interface AgentToolResult {
  /** The text the model reads. */
  text: string;
  /** Whether the call failed (a refused, failed or timed-out task, or bad arguments). */
  isError: boolean;
  /** For `execute_code`: the task's status, data, logs, error and stats. */
  structured?: Record<string, unknown>;
}

/**
 * Options for {@linkcode runAgentTool}.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, runAgentTool, type RunAgentToolOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const options: RunAgentToolOptions = { taskId: "model-call-1", session: "chat-1" };
 * const result = await runAgentTool(orch, { name: "execute_code", input: { code: "return 1;" } }, options);
 * assert.equal(result.isError, false);
 * ```
 */
export interface RunAgentToolOptions {
  /** The task id for `execute_code`. Default: `agent-<random UUID>`, unique per call. */
  taskId?: string;
  /** The session the calls belong to (workspace, search learning, approvals). */
  session?: string;
  /** Cancels a running `execute_code`. */
  signal?: AbortSignal;
}

const SCHEMAS = {
  search_tools: z.strictObject(searchToolsInput),
  execute_code: z.strictObject(executeCodeInput),
};

/**
 * The definitions of `search_tools` and `execute_code`, the same texts the daemon serves.
 *
 * @returns Both tools, with JSON Schemas.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentToolDefinitions } from "@mcp-executor/runtime";
 * const [search, execute] = agentToolDefinitions();
 * assert.equal(search!.name, "search_tools");
 * assert.deepEqual(execute!.inputSchema.required, ["code"]);
 * ```
 */
export function agentToolDefinitions(): AgentToolDefinition[] {
  return [
    { ...SEARCH_TOOLS, inputSchema: jsonSchemaOf(SCHEMAS.search_tools) },
    { ...EXECUTE_CODE, inputSchema: jsonSchemaOf(SCHEMAS.execute_code) },
  ];
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

/**
 * Runs one call of `search_tools` or `execute_code` on an orchestrator. Bad input (an unknown tool, arguments that
 * do not match the schema) is an error result naming what was wrong, never a throw.
 *
 * @param orch An initialized orchestrator.
 * @param call The tool's name and its input as the model gave it.
 * @param options Task id, session and cancellation.
 * @returns The text for the model, whether it is an error, and the structured task result.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, runAgentTool } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * assert.equal((await runAgentTool(orch, { name: "execute_code", input: { code: "return 1" } })).text, "1");
 * const bad = await runAgentTool(orch, { name: "delete_everything", input: {} });
 * assert.equal(bad.isError, true);
 * ```
 */
export async function runAgentTool(
  orch: MCPOrchestrator,
  call: { name: string; input: unknown },
  options: RunAgentToolOptions = {},
): Promise<AgentToolResult> {
  if (call.name !== "search_tools" && call.name !== "execute_code") {
    return {
      text: `Unknown tool "${call.name}": the tools are search_tools and execute_code`,
      isError: true,
    };
  }
  const parsed = SCHEMAS[call.name].safeParse(call.input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".") || "input";
    return {
      text: `Invalid arguments for ${call.name}: "${field}": ${issue.message}`,
      isError: true,
    };
  }
  let result;
  try {
    result = await runParsed(orch, call.name, parsed.data, options);
  } catch (error) {
    // executeTask throws only for a task it cannot accept (a taken or malformed id): an answer, not a crash.
    return { text: `Cannot run ${call.name}: ${(error as Error).message}`, isError: true };
  }
  const first = result.content[0];
  return {
    text: first?.type === "text" ? first.text : "",
    isError: result.isError === true,
    ...(result.structuredContent === undefined ? {} : { structured: result.structuredContent }),
  };
}

async function runParsed(
  orch: MCPOrchestrator,
  name: "search_tools" | "execute_code",
  data: unknown,
  options: RunAgentToolOptions,
): Promise<CallToolResult> {
  return name === "search_tools"
    ? await searchToolsResult(
      orch,
      data as z.infer<typeof SCHEMAS.search_tools>,
      options.session,
    )
    : taskResultContent(
      await orch.executeTask(
        executeCodeTask(orch, data as z.infer<typeof SCHEMAS.execute_code>, {
          id: options.taskId ?? `agent-${crypto.randomUUID()}`,
          ...(options.session === undefined ? {} : { session: options.session }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      ),
    );
}
