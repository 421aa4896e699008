/**
 * What a code-mode agent is given up front, instead of every tool definition: two tools, `search_tools` and
 * `execute_code`, whose descriptions name the configured servers. Their tokens are the fixed "system" part of
 * code mode in `bench/tokens.ts`.
 *
 * @module
 */

import type { Tool } from "../runtime/sdk.ts";
import type { ServerSummary } from "../runtime/search/mod.ts";
import { toolDefinitionTokens } from "../runtime/tokens/mod.ts";

/**
 * The code-mode tool definitions an agent is given, naming the configured servers.
 *
 * @param servers The configured servers with their tool counts.
 * @returns The two tool definitions, in `tools/list` shape.
 */
export function codeModeTools(servers: readonly ServerSummary[]): Tool[] {
  const list = servers.map((s) => `${s.name} (${s.toolCount})`).join(", ");
  return [
    {
      name: "search_tools",
      description: "Search the tools of the connected MCP servers by what they do. " +
        'detail "name" lists server.tool names; "description" adds a one-line description and the import; ' +
        '"full" adds the TypeScript types and signature. Search with "description" first, then ask for "full" ' +
        "on the tools you will call. " +
        `Servers (tool count): ${list}.`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "What the tool should do, or its name" },
          detail: {
            type: "string",
            enum: ["name", "description", "full"],
            description: 'How much to return for each hit. Default "description"',
          },
          limit: { type: "integer", minimum: 1, description: "Most hits to return. Default 10" },
          servers: {
            type: "array",
            items: { type: "string" },
            description: "Only search these servers",
          },
        },
        required: ["query"],
      },
    },
    {
      name: "execute_code",
      description:
        "Run a TypeScript program in a sandbox and get back its return value and console output. " +
        "Each server named in requiredTools is in scope as a namespace of typed async functions, named as " +
        "search_tools shows them (e.g. `await memory.createEntities({ entities })`). Top-level await works; " +
        "`return` the result. Only the return value and the logs come back to you, so filter, join and loop " +
        "in the code rather than returning raw data. A tool error is thrown as a ToolError.",
      inputSchema: {
        type: "object",
        properties: {
          code: { type: "string", description: "The program: a TypeScript module body" },
          requiredTools: {
            type: "array",
            items: { type: "string" },
            description: 'The servers ("memory") or tools ("memory.read_graph") the code may call',
          },
          timeoutMs: {
            type: "integer",
            minimum: 1,
            description: "Deadline in milliseconds. Default 30000",
          },
        },
        required: ["code", "requiredTools"],
      },
    },
  ];
}

/**
 * Tokens of {@linkcode codeModeTools} for the given servers, counted like any tool definitions.
 *
 * @param servers The configured servers with their tool counts.
 * @returns The token count.
 */
export function codeModeSystemTokens(servers: readonly ServerSummary[]): number {
  return toolDefinitionTokens(codeModeTools(servers));
}
