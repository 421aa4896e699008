/**
 * An MCP server that asks its client for input during a tool call (elicitation), for tests.
 *
 * @module
 */

import { z } from "zod";
import { McpServer, WebStandardStreamableHTTPServerTransport } from "../../runtime/sdk.ts";

/** A Streamable HTTP server whose `ask` tool asks its client for a name and returns the answer as JSON. */
export function startAskingServer():
  & { url: string; capabilities: () => unknown }
  & AsyncDisposable {
  let capabilities: unknown;
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method === "GET") return new Response(null, { status: 405 });
    const existing = sessions.get(req.headers.get("mcp-session-id") ?? "");
    if (existing !== undefined) return existing.handleRequest(req);
    const mcp = new McpServer({ name: "asking", version: "1.0.0" });
    mcp.registerTool(
      "ask",
      { inputSchema: { question: z.string() } },
      async ({ question }, extra) => {
        capabilities = mcp.server.getClientCapabilities();
        try {
          // Sent on the call's own response stream, as the spec asks of a request made during a tool call.
          const answer = await mcp.server.elicitInput({
            message: question,
            requestedSchema: { type: "object", properties: { name: { type: "string" } } },
          }, { relatedRequestId: extra.requestId });
          return { content: [{ type: "text", text: JSON.stringify(answer) }] };
        } catch (error) {
          return { content: [{ type: "text", text: `failed: ${(error as Error).message}` }] };
        }
      },
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    await mcp.connect(transport);
    return transport.handleRequest(req);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/mcp`,
    capabilities: () => capabilities,
    [Symbol.asyncDispose]: async () => {
      for (const transport of sessions.values()) await transport.close();
      await server.shutdown();
    },
  };
}
