import assert from "node:assert/strict";
import {
  type CallToolResult as SdkCallToolResult,
  Client,
  type ElicitRequestFormParams as SdkElicitRequestFormParams,
  type ElicitRequestParams as SdkElicitRequestParams,
  type ElicitResult as SdkElicitResult,
  InMemoryTransport,
  McpServer,
  type OAuthClientInformationMixed,
  type OAuthTokens as SdkOAuthTokens,
  type RequestId as SdkRequestId,
  type Server,
  type Tool as SdkTool,
} from "./sdk.ts";
import type {
  CallToolResult,
  ElicitingServer,
  ElicitRequestFormParams,
  ElicitRequestParams,
  ElicitResult,
  OAuthClientInformation,
  OAuthTokens,
  RequestId,
  Tool,
} from "./mcp_types.ts";

/** Compiles only when `A` and `B` are assignable both ways. */
function sameShape<A, B>(
  _check: [A] extends [B] ? ([B] extends [A] ? true : false) : false,
): void {}

Deno.test("mcp_types: each type is assignable to and from the SDK type of the same name", () => {
  sameShape<Tool, SdkTool>(true);
  sameShape<CallToolResult, SdkCallToolResult>(true);
  sameShape<ElicitResult, SdkElicitResult>(true);
  sameShape<ElicitRequestFormParams, SdkElicitRequestFormParams>(true);
  sameShape<ElicitRequestParams, SdkElicitRequestParams>(true);
  sameShape<RequestId, SdkRequestId>(true);
  sameShape<OAuthTokens, SdkOAuthTokens>(true);
  const client: OAuthClientInformation = {} as OAuthClientInformationMixed;
  const back: OAuthClientInformationMixed = client;
  const server: ElicitingServer = {} as Server;
  assert.ok(back === client && server !== undefined);
});

Deno.test("mcp_types: a real tools/list and tools/call answer through the SDK fit Tool and CallToolResult", async () => {
  const mcp = new McpServer({ name: "t", version: "1.0.0" });
  mcp.registerTool(
    "echo",
    { description: "Echo" },
    () => ({ content: [{ type: "text", text: "hi" }] }),
  );
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.connect(a);
  const client = new Client({ name: "c", version: "1.0.0" });
  try {
    await client.connect(b);
    const tools: Tool[] = (await client.listTools()).tools;
    assert.equal(tools[0]?.name, "echo");
    const result = await client.callTool({ name: "echo", arguments: {} }) as CallToolResult;
    assert.deepEqual(result.content, [{ type: "text", text: "hi" }]);
  } finally {
    await client.close();
    await mcp.close();
  }
});
