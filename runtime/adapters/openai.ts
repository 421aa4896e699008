/**
 * `search_tools` and `execute_code` in the OpenAI function-calling shape (Chat Completions `tools`, also what the
 * Vercel AI SDK's `jsonSchema()` tools take), with handlers for a tool call. No OpenAI or AI SDK is needed.
 *
 * @module
 */

import type { MCPOrchestrator } from "../orchestrator/mod.ts";
import { agentToolDefinitions, runAgentTool, type RunAgentToolOptions } from "./agent_tools.ts";

/**
 * A function tool as Chat Completions takes it in `tools`.
 *
 * @example
 * ```ts
 * import { type OpenAITool, openAITools } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const tools: OpenAITool[] = openAITools();
 * assert.deepEqual(tools.map((t) => t.function.name), ["search_tools", "execute_code"]);
 * ```
 */
export interface OpenAITool {
  /** Always `"function"`. */
  type: "function";
  /** The function's name, description and JSON Schema of its parameters. */
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/**
 * A tool call of an assistant message (`message.tool_calls[i]`); `arguments` is a JSON string.
 *
 * @example
 * ```ts
 * import { handleOpenAIToolCall, MCPOrchestrator, type OpenAIToolCall } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const call: OpenAIToolCall = { id: "call_1", type: "function",
 *   function: { name: "execute_code", arguments: JSON.stringify({ code: "return [1, 2].length;" }) } };
 * assert.equal((await handleOpenAIToolCall(orch, call)).content, "2");
 * ```
 */
export interface OpenAIToolCall {
  /** The call's id, which the answering message names. */
  id: string;
  /** Always `"function"`. */
  type: "function";
  /** The function called and its arguments as a JSON string. */
  function: { name: string; arguments: string };
}

/**
 * The `tool` message that answers it.
 *
 * @example
 * ```ts
 * import { handleOpenAIToolCall, MCPOrchestrator, type OpenAIToolMessage } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const message: OpenAIToolMessage = await handleOpenAIToolCall(orch,
 *   { id: "call_2", type: "function", function: { name: "execute_code", arguments: "{not json" } });
 * assert.deepEqual([message.role, message.tool_call_id], ["tool", "call_2"]);
 * assert.match(message.content, /not JSON/);
 * ```
 */
export interface OpenAIToolMessage {
  /** Always `"tool"`. */
  role: "tool";
  /** The id of the tool call it answers. */
  tool_call_id: string;
  /** The text the model reads. */
  content: string;
}

/**
 * A tool in the Vercel AI SDK's shape: wrap `inputSchema` with `jsonSchema()` from `ai` when passing it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type VercelAITool, vercelAITools } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const tools: Record<string, VercelAITool> = vercelAITools(orch);
 * assert.equal(await tools.execute_code?.execute({ code: "return 40 + 2;" }), "42");
 * ```
 */
export interface VercelAITool {
  /** What the tool does, for the model. */
  description: string;
  /** JSON Schema of the input object. */
  inputSchema: Record<string, unknown>;
  /** Runs the call; resolves to the text the model reads. */
  execute(input: unknown): Promise<string>;
}

/**
 * The two tools for a Chat Completions request's `tools`.
 *
 * @returns `search_tools` and `execute_code` as function tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAITools } from "@mcp-executor/runtime";
 * assert.deepEqual(openAITools().map((t) => t.function.name), ["search_tools", "execute_code"]);
 * ```
 */
export function openAITools(): OpenAITool[] {
  return agentToolDefinitions().map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.inputSchema },
  }));
}

/**
 * Runs a tool call on the orchestrator and returns the `tool` message for it. Arguments that are not JSON are an
 * error message naming the problem, never a throw.
 *
 * @param orch An initialized orchestrator.
 * @param call The call from the model's response.
 * @param options Session and cancellation; the task id defaults to the call's id.
 * @returns The tool message (a failed call's content starts with what went wrong).
 *
 * @example
 * ```ts
 * import { handleOpenAIToolCall, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const message = await handleOpenAIToolCall(orch, { id: "call_1", type: "function",
 *   function: { name: "execute_code", arguments: JSON.stringify({ code: 'return { done: true };' }) } });
 * assert.deepEqual(message, { role: "tool", tool_call_id: "call_1", content: '{"done":true}' });
 * ```
 */
export async function handleOpenAIToolCall(
  orch: MCPOrchestrator,
  call: OpenAIToolCall,
  options: RunAgentToolOptions = {},
): Promise<OpenAIToolMessage> {
  let input: unknown;
  try {
    input = JSON.parse(call.function.arguments || "{}");
  } catch (error) {
    return {
      role: "tool",
      tool_call_id: call.id,
      content: `Invalid arguments for ${call.function.name}: not JSON: ${(error as Error).message}`,
    };
  }
  const result = await runAgentTool(orch, { name: call.function.name, input }, options);
  return { role: "tool", tool_call_id: call.id, content: result.text };
}

/**
 * The two tools in the Vercel AI SDK's shape, bound to an orchestrator: `tools: vercelAITools(orch)` after
 * wrapping each `inputSchema` with the SDK's `jsonSchema()`.
 *
 * @param orch An initialized orchestrator.
 * @param options Session and cancellation for every call.
 * @returns `{ search_tools, execute_code }`, each with `description`, `inputSchema` and `execute`.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, vercelAITools } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const tools = vercelAITools(orch, { session: "chat-1" });
 * assert.deepEqual(Object.keys(tools), ["search_tools", "execute_code"]);
 * assert.equal(await tools.execute_code.execute({ code: "return 3;" }), "3");
 * ```
 */
export function vercelAITools(
  orch: MCPOrchestrator,
  options: RunAgentToolOptions = {},
): Record<"search_tools" | "execute_code", VercelAITool> {
  const [search, execute] = agentToolDefinitions();
  const bind = (name: string) => async (input: unknown) =>
    (await runAgentTool(orch, { name, input }, options)).text;
  return {
    search_tools: {
      description: search!.description,
      inputSchema: search!.inputSchema,
      execute: bind("search_tools"),
    },
    execute_code: {
      description: execute!.description,
      inputSchema: execute!.inputSchema,
      execute: bind("execute_code"),
    },
  };
}
