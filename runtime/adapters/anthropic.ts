/**
 * `search_tools` and `execute_code` in the Anthropic Messages API shape: tool definitions for `tools`, and a handler
 * that turns a `tool_use` content block into the `tool_result` block to send back. No Anthropic SDK is needed.
 *
 * @module
 */

import type { MCPOrchestrator } from "../orchestrator/mod.ts";
import { agentToolDefinitions, runAgentTool, type RunAgentToolOptions } from "./agent_tools.ts";

/**
 * A tool definition as the Messages API takes it in `tools`.
 *
 * @example
 * ```ts
 * import { type AnthropicTool, anthropicTools } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const tools: AnthropicTool[] = anthropicTools();
 * assert.ok(tools.every((t) => t.input_schema.type === "object" && t.description.length > 0));
 * ```
 */
export interface AnthropicTool {
  /** The tool's name; in a `tool_use` block, the tool the model calls. */
  name: string;
  /** What the tool does, for the model. */
  description: string;
  /** JSON Schema of the input object. */
  input_schema: Record<string, unknown>;
}

/**
 * A `tool_use` content block of an assistant message.
 *
 * @example A recorded tool_use block run offline
 * ```ts
 * import { type AnthropicToolUse, handleAnthropicToolUse, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const block: AnthropicToolUse = { type: "tool_use", id: "toolu_1", name: "execute_code", input: { code: "return 6 * 7;" } };
 * assert.deepEqual(await handleAnthropicToolUse(orch, block), { type: "tool_result", tool_use_id: "toolu_1", content: "42" });
 * ```
 */
export interface AnthropicToolUse {
  /** The block type. */
  type: "tool_use";
  /** The block's id, which the `tool_result` names. */
  id: string;
  /** The tool's name; in a `tool_use` block, the tool the model calls. */
  name: string;
  /** The arguments the model wrote. */
  input: unknown;
}

/**
 * The `tool_result` content block that answers it, for the next user message.
 *
 * @example
 * ```ts
 * import { type AnthropicToolResult, handleAnthropicToolUse, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result: AnthropicToolResult = await handleAnthropicToolUse(orch,
 *   { type: "tool_use", id: "toolu_2", name: "execute_code", input: { code: 'throw new Error("no");' } });
 * assert.deepEqual([result.tool_use_id, result.is_error], ["toolu_2", true]);
 * ```
 */
export interface AnthropicToolResult {
  /** The block type. */
  type: "tool_result";
  /** The id of the `tool_use` block it answers. */
  tool_use_id: string;
  /** The text the model reads. */
  content: string;
  /** Set when the call failed. */
  is_error?: boolean;
}

/**
 * The two tools for a Messages API request's `tools`.
 *
 * @returns `search_tools` and `execute_code`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anthropicTools } from "@mcp-executor/runtime";
 * assert.deepEqual(anthropicTools().map((t) => t.name), ["search_tools", "execute_code"]);
 * ```
 */
export function anthropicTools(): AnthropicTool[] {
  return agentToolDefinitions().map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.inputSchema,
  }));
}

/**
 * Runs a `tool_use` block on the orchestrator and returns the `tool_result` block for it.
 *
 * @param orch An initialized orchestrator.
 * @param block The block from the model's response.
 * @param options Session and cancellation. The task gets an id of its own (`agent-<random>`): block ids are the
 *   model's, and two blocks with one id, or an id the orchestrator would refuse, must not fail the call.
 * @returns The result block (with `is_error` when the call failed).
 *
 * @example Answer the tool_use blocks of a response
 * ```ts
 * import { handleAnthropicToolUse, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const content = [{ type: "tool_use" as const, id: "toolu_1", name: "execute_code", input: { code: "return 2 ** 10;" } }];
 * const results = await Promise.all(content.map((block) => handleAnthropicToolUse(orch, block)));
 * assert.deepEqual(results, [{ type: "tool_result", tool_use_id: "toolu_1", content: "1024" }]);
 * ```
 */
export async function handleAnthropicToolUse(
  orch: MCPOrchestrator,
  block: AnthropicToolUse,
  options: RunAgentToolOptions = {},
): Promise<AnthropicToolResult> {
  const result = await runAgentTool(orch, block, options);
  return {
    type: "tool_result",
    tool_use_id: block.id,
    content: result.text,
    ...(result.isError ? { is_error: true } : {}),
  };
}
