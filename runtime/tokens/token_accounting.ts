/**
 * What a task costs in model tokens, counted two ways: as code mode spends them, and as classic tool calling would
 * have spent them on the same work.
 *
 * @module
 */

import type { CallToolResult, Tool } from "../sdk.ts";
import { countJsonTokens, countTokens, countTokensAsync } from "./tokens.ts";

/**
 * Tokens of a server's tool definitions as a model is given them in classic tool calling: one
 * `{ name, description, input_schema }` object a tool, the shape of the Anthropic Messages API's `tools` field.
 *
 * @param tools The server's tools, from `tools/list`.
 * @returns Their token count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolDefinitionTokens } from "./token_accounting.ts";
 * const tokens = toolDefinitionTokens([{
 *   name: "read_graph", description: "Read the entire knowledge graph",
 *   inputSchema: { type: "object", properties: {} },
 * }]);
 * assert.ok(tokens > 10);
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

/** The texts a model reads for each kind of thing counted below; counted by {@linkcode countTokens} or its async twin. */
function jsonText(value: unknown): string[] {
  const json: string | undefined = JSON.stringify(value);
  return json === undefined ? [] : [json];
}

function resultTexts(result: CallToolResult): string[] {
  const content = result.content ?? [];
  const texts = content.flatMap((block) => block.type === "text" ? [block.text] : jsonText(block));
  if (content.length === 0 && result.structuredContent !== undefined) {
    texts.push(...jsonText(result.structuredContent));
  }
  return texts;
}

function callTexts(tool: string, args: unknown): string[] {
  return [tool, ...jsonText(args ?? {})];
}

/** What {@linkcode codeModeTokens} counts: the task's code and what came back. */
export interface CodeModeParts {
  code: string;
  data?: unknown;
  logs: readonly string[];
  error?: { name: string; message: string };
}

function codeModeTexts(parts: CodeModeParts): string[] {
  const texts = [parts.code];
  if (parts.data !== undefined) texts.push(...jsonText(parts.data));
  if (parts.logs.length > 0) texts.push(parts.logs.join("\n"));
  if (parts.error !== undefined) texts.push(`${parts.error.name}: ${parts.error.message}`);
  return texts;
}

function count(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + countTokens(text), 0);
}

async function countAsync(texts: readonly string[]): Promise<number> {
  let sum = 0;
  for (const text of texts) sum += await countTokensAsync(text);
  return sum;
}

/**
 * Tokens of a raw tool result as a classic client puts it in front of the model: the text of its text items, the
 * JSON of any other item, and `structuredContent` only when there is no content besides it.
 *
 * @param result The raw `tools/call` result.
 * @returns Its token count.
 */
export function toolResultTokens(result: CallToolResult): number {
  return count(resultTexts(result));
}

/**
 * Like {@linkcode toolResultTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param result The raw `tools/call` result.
 * @returns The same count as {@linkcode toolResultTokens}.
 */
export function toolResultTokensAsync(result: CallToolResult): Promise<number> {
  return countAsync(resultTexts(result));
}

/**
 * Tokens of one tool call as the model writes it in classic tool calling: the tool's name and its arguments.
 *
 * @param tool The tool's name.
 * @param args The arguments.
 * @returns Their token count.
 */
export function toolCallTokens(tool: string, args: unknown): number {
  return count(callTexts(tool, args));
}

/**
 * Like {@linkcode toolCallTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param tool The tool's name.
 * @param args The arguments.
 * @returns The same count as {@linkcode toolCallTokens}.
 */
export function toolCallTokensAsync(tool: string, args: unknown): Promise<number> {
  return countAsync(callTexts(tool, args));
}

/**
 * Tokens of what a code-mode task puts in front of the model: the code it wrote, and the data, logs and error that
 * come back.
 *
 * @param parts The task's code and what came back.
 * @returns Their token count.
 */
export function codeModeTokens(parts: CodeModeParts): number {
  return count(codeModeTexts(parts));
}

/**
 * Like {@linkcode codeModeTokens}, counted without holding the event loop (see `countTokensAsync`).
 *
 * @param parts The task's code and what came back.
 * @returns The same count as {@linkcode codeModeTokens}.
 */
export function codeModeTokensAsync(parts: CodeModeParts): Promise<number> {
  return countAsync(codeModeTexts(parts));
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
