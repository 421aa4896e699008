/**
 * Turning an MCP `tools/call` result into the value agent code receives.
 *
 * @module
 */

import type { CallToolResult, ContentBlock } from "../sdk.ts";
import { ToolError } from "../wire/mod.ts";

/** A content item that is not plain text, as agent code receives it. */
export type ContentValue =
  | { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string }
  | { type: "audio"; data: string; mimeType: string }
  | { type: "resource"; uri: string; mimeType?: string; text?: string; blob?: string }
  | { type: "resource_link"; uri: string; name: string; mimeType?: string; description?: string };

function toContentValue(block: ContentBlock): ContentValue {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "image":
      return { type: "image", data: block.data, mimeType: block.mimeType };
    case "audio":
      return { type: "audio", data: block.data, mimeType: block.mimeType };
    case "resource": {
      const r = block.resource as { uri: string; mimeType?: string; text?: string; blob?: string };
      const out: ContentValue = { type: "resource", uri: r.uri };
      if (r.mimeType !== undefined) out.mimeType = r.mimeType;
      if (typeof r.text === "string") out.text = r.text;
      if (typeof r.blob === "string") out.blob = r.blob;
      return out;
    }
    case "resource_link": {
      const out: ContentValue = { type: "resource_link", uri: block.uri, name: block.name };
      if (block.mimeType !== undefined) out.mimeType = block.mimeType;
      if (block.description !== undefined) out.description = block.description;
      return out;
    }
  }
}

function parseText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed === "") return text;
  const first = trimmed[0];
  if (first !== "{" && first !== "[" && first !== '"') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorText(result: CallToolResult): string {
  const texts = (result.content ?? [])
    .filter((block): block is Extract<ContentBlock, { type: "text" }> => block.type === "text")
    .map((block) => block.text.trim())
    .filter((text) => text !== "");
  return texts.length > 0 ? texts.join("\n") : "the server reported an error without a message";
}

/**
 * Unwraps a tool result for agent code.
 *
 * - `isError: true` throws a {@linkcode ToolError} with the server's message.
 * - `structuredContent`, when present, is the value.
 * - A lone text item is parsed when it holds a JSON object, array or string; otherwise the text is the value.
 * - Several text items become an array of strings; any other content becomes an array of typed objects
 *   (`{ type: "image", data, mimeType }`, `{ type: "resource", uri, text? , blob? }`, ...).
 * - No content at all is `null`.
 *
 * @param server The server the call went to (for the error).
 * @param tool The tool called (for the error).
 * @param result The raw `tools/call` result.
 * @returns The value agent code receives.
 * @throws {ToolError} With code `"tool_failed"` when the result has `isError: true`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unwrapResult } from "./unwrap_result.ts";
 * const value = unwrapResult("memory", "read_graph", {
 *   content: [{ type: "text", text: '{"entities":[]}' }],
 * });
 * assert.ok(JSON.stringify(value) === '{"entities":[]}');
 * ```
 */
export function unwrapResult(server: string, tool: string, result: CallToolResult): unknown {
  if (result.isError === true) {
    throw new ToolError(`Tool "${tool}" on server "${server}" failed: ${errorText(result)}`, {
      code: "tool_failed",
      server,
      tool,
    });
  }
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    return result.structuredContent;
  }
  const content = result.content ?? [];
  if (content.length === 0) return null;
  if (content.every((block) => block.type === "text")) {
    const texts = content.map((block) => (block as { text: string }).text);
    return texts.length === 1 ? parseText(texts[0]!) : texts;
  }
  return content.map(toContentValue);
}
