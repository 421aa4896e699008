/**
 * What a task costs in model tokens, counted two ways: as code mode spends them, and as classic tool calling would
 * have spent them on the same work.
 *
 * @module
 */

import type { CallToolResult, Tool } from "./sdk.ts";
import { countJsonTokens, countJsonTokensAsync, countTokens, countTokensAsync } from "./tokens.ts";

/**
 * Tokens of a server's tool definitions as a model is given them in classic tool calling: one
 * `{ name, description, input_schema }` object a tool, the shape of the Anthropic Messages API's `tools` field.
 *
 * @param tools The server's tools, from `tools/list`.
 * @returns Their token count.
 *
 * @example
 * ```ts
 * import { toolDefinitionTokens } from "./token_accounting.ts";
 * const tokens = toolDefinitionTokens([{
 *   name: "read_graph", description: "Read the entire knowledge graph",
 *   inputSchema: { type: "object", properties: {} },
 * }]);
 * console.assert(tokens > 10);
 * ```
 */
export function toolDefinitionTokens(tools: readonly Tool[]): number {
  if (tools.length === 0) return 0;
  return countJsonTokens(tools.map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.inputSchema,
  })));
}

/**
 * Tokens of a raw tool result as a classic client puts it in front of the model: the text of its text items, the
 * JSON of any other item, and `structuredContent` only when there is no content besides it.
 *
 * @param result The raw `tools/call` result.
 * @returns Its token count.
 */
export function toolResultTokens(result: CallToolResult): number {
  const content = result.content ?? [];
  let tokens = 0;
  for (const block of content) {
    tokens += block.type === "text" ? countTokens(block.text) : countJsonTokens(block);
  }
  if (content.length === 0 && result.structuredContent !== undefined) {
    tokens += countJsonTokens(result.structuredContent);
  }
  return tokens;
}

/**
 * Like {@linkcode toolResultTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param result The raw `tools/call` result.
 * @returns The same count as {@linkcode toolResultTokens}.
 */
export async function toolResultTokensAsync(result: CallToolResult): Promise<number> {
  const content = result.content ?? [];
  let tokens = 0;
  for (const block of content) {
    tokens += block.type === "text"
      ? await countTokensAsync(block.text)
      : await countJsonTokensAsync(block);
  }
  if (content.length === 0 && result.structuredContent !== undefined) {
    tokens += await countJsonTokensAsync(result.structuredContent);
  }
  return tokens;
}

/**
 * Tokens of one tool call as the model writes it in classic tool calling: the tool's name and its arguments.
 *
 * @param tool The tool's name.
 * @param args The arguments.
 * @returns Their token count.
 */
export function toolCallTokens(tool: string, args: unknown): number {
  return countTokens(tool) + countJsonTokens(args ?? {});
}

/**
 * Like {@linkcode toolCallTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param tool The tool's name.
 * @param args The arguments.
 * @returns The same count as {@linkcode toolCallTokens}.
 */
export async function toolCallTokensAsync(tool: string, args: unknown): Promise<number> {
  return countTokens(tool) + await countJsonTokensAsync(args ?? {});
}

/**
 * Tokens of what a code-mode task puts in front of the model: the code it wrote, and the data, logs and error that
 * come back.
 *
 * @param parts The task's code and what came back.
 * @returns Their token count.
 */
export function codeModeTokens(parts: {
  code: string;
  data?: unknown;
  logs: readonly string[];
  error?: { name: string; message: string };
}): number {
  let tokens = countTokens(parts.code);
  if (parts.data !== undefined) tokens += countJsonTokens(parts.data);
  if (parts.logs.length > 0) tokens += countTokens(parts.logs.join("\n"));
  if (parts.error !== undefined) {
    tokens += countTokens(`${parts.error.name}: ${parts.error.message}`);
  }
  return tokens;
}

/**
 * Like {@linkcode codeModeTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param parts The task's code and what came back.
 * @returns The same count as {@linkcode codeModeTokens}.
 */
export async function codeModeTokensAsync(parts: {
  code: string;
  data?: unknown;
  logs: readonly string[];
  error?: { name: string; message: string };
}): Promise<number> {
  let tokens = await countTokensAsync(parts.code);
  if (parts.data !== undefined) tokens += await countJsonTokensAsync(parts.data);
  if (parts.logs.length > 0) tokens += await countTokensAsync(parts.logs.join("\n"));
  if (parts.error !== undefined) {
    tokens += countTokens(`${parts.error.name}: ${parts.error.message}`);
  }
  return tokens;
}

/**
 * The share of classic tool calling's tokens that code mode saved.
 *
 * @param used Code mode's tokens.
 * @param direct Classic tool calling's tokens.
 * @returns `1 - used / direct`, rounded to four places; negative when code mode cost more; 0 when `direct` is 0.
 */
export function savedRatio(used: number, direct: number): number {
  if (direct <= 0) return 0;
  return Math.round((1 - used / direct) * 10_000) / 10_000;
}
