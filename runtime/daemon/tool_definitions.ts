/**
 * The daemon's two tools as an MCP client sees them: names, descriptions that teach an agent how to write code for
 * this runtime, and input schemas. They are fixed: nothing here depends on the configured servers, so the size of
 * `tools/list` stays the same however many servers stand behind the daemon.
 *
 * @module
 */

import { z } from "zod";

/** The most hits `search_tools` returns at detail `"name"`. */
export const MAX_NAME_HITS = 20;
/** The most hits `search_tools` returns at detail `"description"` or `"full"`. */
export const MAX_DETAIL_HITS = 10;
/** The longest `timeout` `execute_code` accepts, in milliseconds. */
export const MAX_TIMEOUT_MS = 600_000;

/** Name and description of `search_tools`. */
export const SEARCH_TOOLS = {
  name: "search_tools",
  description:
    'Find MCP tools to call from execute_code. Returns import lines; detail "full" adds TypeScript signatures. ' +
    'Also finds saved skills. Empty query lists the servers. Results say "server.tool"; in code, each server is a namespace: ' +
    '`await memory.readGraph({})`. language "python": Python imports and signatures.',
} as const;

/** Name and description of `execute_code`. */
export const EXECUTE_CODE = {
  name: "execute_code",
  description: [
    "Run TypeScript in a sandbox with MCP servers as namespaces (`await github.searchIssues({ q })`), or",
    '`import { fn } from "servers/<server>/index.ts"`. Top-level await; `return` a small JSON result.',
    "console.log is captured into logs. Calls inside Promise.all run in parallel. Filter and join in code,",
    "return only what you need. `progress(done, total?, message?)` reports progress.",
    'requiredTools: servers or "server.tool" the code may call; omitted: the servers the code names.',
    "workspace: a folder kept for this session (cwd, read/write); omitted: no files but servers/ and skills/.",
    'language "python": Python instead (`await memory.read_graph()`; the last expression is the result).',
  ].join(" "),
} as const;

/** Input schema of `search_tools` (a zod raw shape, as `McpServer.registerTool` takes it). */
export const searchToolsInput = {
  query: z.string().max(500),
  detail: z.enum(["name", "description", "full"]).optional(),
  limit: z.number().int().min(1).max(MAX_NAME_HITS).optional(),
  server: z.string().max(256).optional(),
  language: z.enum(["typescript", "python"]).optional(),
};

/** Input schema of `execute_code` (a zod raw shape). */
export const executeCodeInput = {
  code: z.string(),
  requiredTools: z.array(z.string().max(300)).max(200).optional(),
  timeout: z.number().int().min(1).max(MAX_TIMEOUT_MS).describe("ms").optional(),
  workspace: z.string().max(64).optional(),
  language: z.enum(["typescript", "python"]).optional(),
};

/**
 * Output schema of `execute_code`: the task's result as `structuredContent`. Open objects, so that fields added
 * later (`warnings`, `dataTruncated`, more stats) do not break clients that validate.
 */
export const executeCodeOutput = z.looseObject({
  status: z.enum(["completed", "failed", "timeout", "cancelled"]),
  data: z.unknown().optional(),
  logs: z.array(z.string()),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  stats: z.looseObject({ durationMs: z.number(), toolsCalled: z.array(z.string()) }),
});
