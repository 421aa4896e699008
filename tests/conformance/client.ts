/**
 * The client the MCP conformance suite drives: `deno run -A tests/conformance/client.ts <server-url>`.
 *
 * It does what a user does: writes an mcp.json entry for the URL (with the pre-registered client the suite hands
 * over in `MCP_CONFORMANCE_CONTEXT`, if any, through `${VAR}` references), connects with the project's own
 * connection layer, and calls every tool the server lists. A sign-in is answered as a browser would: the
 * authorization URL is fetched, and its redirect (code and state) is followed to the loopback listener. Elicitations
 * are accepted with nothing filled in, so the schema's defaults apply. Nothing here depends on the scenario.
 *
 * @module
 */

import { join } from "node:path";
import { loadConfig } from "../../runtime/config.ts";
import { ConnectionManager } from "../../runtime/connections/mod.ts";
import type { AuthorizationUrlRequest } from "../../runtime/connections/auth/mod.ts";
import type { ElicitationRequest } from "../../runtime/connections/mod.ts";
import type { ElicitResult, Tool } from "../../runtime/sdk.ts";

/**
 * The client ID metadata document this client presents where an authorization server supports them: the address
 * the suite's authorization servers expect a client to publish its document at.
 */
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";

/** Follows an authorization URL the way a browser would, ending at the loopback redirect. */
async function actAsBrowser(request: AuthorizationUrlRequest): Promise<void> {
  let url = request.url.href;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: "manual" });
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (location === null) {
      throw new Error(`The authorization server answered ${response.status} without a redirect`);
    }
    url = new URL(location, url).href;
    if (url.startsWith(request.redirectUrl)) break;
  }
  const back = await fetch(url);
  await back.body?.cancel();
}

function acceptWithDefaults(request: ElicitationRequest): ElicitResult {
  if (request.params.mode === "url") return { action: "decline" };
  return { action: "accept", content: {} };
}

function sampleValue(schema: Record<string, unknown>): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return "test";
  }
}

function sampleArguments(tool: Tool): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(properties).map(([name, schema]) => [name, sampleValue(schema)]),
  );
}

/**
 * Runs the client against one server.
 *
 * @param args The command line: the server URL last.
 * @returns The exit code: 0 when it connected and every tool call got an answer.
 */
export async function main(args: string[]): Promise<number> {
  const url = args.at(-1);
  if (url === undefined) {
    console.error("Usage: deno run -A tests/conformance/client.ts <server-url>");
    return 2;
  }
  const context = JSON.parse(Deno.env.get("MCP_CONFORMANCE_CONTEXT") ?? "{}") as Record<
    string,
    unknown
  >;
  const dir = await Deno.makeTempDir({ prefix: "mcp-conformance-" });
  try {
    const oauth: Record<string, string> = { clientMetadataUrl: CLIENT_METADATA_URL };
    if (typeof context.client_id === "string") {
      Deno.env.set("CONFORMANCE_CLIENT_ID", context.client_id);
      oauth.clientId = "${CONFORMANCE_CLIENT_ID}";
    }
    if (typeof context.client_secret === "string") {
      Deno.env.set("CONFORMANCE_CLIENT_SECRET", context.client_secret);
      oauth.clientSecret = "${CONFORMANCE_CLIENT_SECRET}";
    }
    const file = join(dir, "mcp.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({ mcpServers: { conformance: { type: "http", url, oauth } } }, null, 2),
    );
    await using servers = new ConnectionManager(await loadConfig(file), {
      signInFile: join(dir, "tokens.json"),
      connectTimeoutMs: 20_000,
      callTimeoutMs: 20_000,
      onAuthorizationUrl: actAsBrowser,
      onElicitation: acceptWithDefaults,
    });
    const [status] = await servers.connectAll();
    if (status?.state !== "connected") {
      console.error(status?.error ?? "not connected");
      return 1;
    }
    let failed = 0;
    for (const tool of servers.get("conformance")!.tools) {
      try {
        const result = await servers.callToolRaw("conformance", tool.name, sampleArguments(tool));
        console.log(`${tool.name}: ${JSON.stringify(result.content).slice(0, 200)}`);
      } catch (error) {
        failed++;
        console.error(`${tool.name}: ${error instanceof Error ? error.message : error}`);
      }
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
