/**
 * A daemon shared by a team, end to end with real parts: the daemon as a subprocess over Streamable HTTP with
 * `auth.issuer` set to a real authorization server (`oidc-provider`), and two people, alice and bob, whose SDK
 * clients sign in the way an MCP client does: from the daemon's 401 to its RFC 9728 metadata, dynamic client
 * registration, and the authorization code flow with PKCE at the provider's login page. Behind the daemon a remote
 * MCP server that needs its own sign-in, per principal. Each is a principal of their own: their own sessions, their
 * own private skills, their own upstream account.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ConnectionManager } from "../../runtime/connections/mod.ts";
import {
  Client,
  ElicitRequestSchema,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "../../runtime/sdk.ts";
import { actAsBrowser, startOAuthServer } from "../helpers/oauth_server.ts";
import { signInAs } from "../helpers/oidc_login.ts";
import { startOidcServer } from "../helpers/oidc_server.ts";
import { freePort } from "../helpers/servers.ts";
import { httpDaemon } from "./_daemon.ts";

/** A client's sign-in state, kept in memory as a desktop client would keep it on disk. */
class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = "";

  get redirectUrl(): string {
    return "http://127.0.0.1:9/callback";
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "team test client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }
  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.#client = client;
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}

/** A person who signs in to the daemon as `account`, and opens upstream sign-in links as the same account. */
async function person(url: URL, account: string) {
  const provider = new MemoryOAuthProvider();
  const first = new Client({ name: account, version: "1" });
  await assert.rejects(
    first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider })),
    UnauthorizedError,
  );
  const authorizationUrl = provider.authorizationUrl!;
  assert.equal(authorizationUrl.searchParams.get("code_challenge_method"), "S256");
  assert.equal(authorizationUrl.searchParams.get("resource"), url.href);
  const back = await signInAs(authorizationUrl, account, provider.redirectUrl);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await transport.finishAuth(back.searchParams.get("code")!);
  const client = new Client({ name: account, version: "1" }, {
    capabilities: { elicitation: { url: {} } },
  });
  const upstreamLinks: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    if (request.params.mode !== "url") return { action: "decline" };
    upstreamLinks.push(request.params.url);
    await actAsBrowser({ url: new URL(request.params.url), redirectUrl: "" }, { account });
    return { action: "accept" };
  });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return result as {
      isError?: boolean;
      content: { text: string }[];
      structuredContent?: { data?: unknown };
    };
  };
  return { client, transport, provider, upstreamLinks, call };
}

Deno.test("a team: alice and bob sign in through the daemon's 401 and keep their sessions, skills and upstream accounts apart", async (t) => {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const resource = `${base}/mcp`;
  await using oidc = await startOidcServer({
    resource,
    clients: [{ id: "scopes", scopes: ["mcpx:execute", "mcpx:skills"] }],
    interactive: true,
  });
  await using upstream = startOAuthServer({ account: "nobody" });
  const dir = await Deno.makeTempDir({ prefix: "team-test-" });
  const tokenFile = join(dir, "tokens.json");
  const mcp = { servers: { linear: { type: "http" as const, url: upstream.url, headers: {} } } };
  {
    // The deployment's own sign-in to the remote server: it supplies the tool list.
    await using owner = new ConnectionManager(mcp, {
      tokenFile,
      onAuthorizationUrl: (request) => actAsBrowser(request, { account: "owner" }),
    });
    await owner.connectAll();
  }
  const config = join(dir, "mcp.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({ mcpServers: { linear: { type: "http", url: upstream.url } } }),
  );
  await Deno.writeTextFile(
    join(dir, "mcp-executor.json"),
    JSON.stringify({ auth: { issuer: oidc.issuer }, http: { publicUrl: base } }),
  );
  try {
    await using daemon = await httpDaemon(config, {
      port,
      noAuth: false,
      env: { MCP_EXECUTOR_TOKEN_FILE: tokenFile, MCPX_STATE_DIR: join(dir, "state") },
    });
    const url = new URL(resource);
    const alice = await person(url, "alice");
    const bob = await person(url, "bob");

    await t.step("each signed in as their own account, for the daemon's resource", () => {
      for (const [who, p] of [["alice", alice], ["bob", bob]] as const) {
        const token = p.provider.tokens()!.access_token;
        const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
        assert.equal(claims.sub, who);
        assert.equal(claims.aud, resource);
        assert.deepEqual(claims.scope.split(" ").sort(), ["mcpx:execute", "mcpx:skills"]);
      }
    });

    await t.step("neither can use the other's session", async () => {
      const sessionId = alice.transport.sessionId!;
      const response = await fetch(resource, {
        method: "POST",
        headers: {
          authorization: `Bearer ${bob.provider.tokens()!.access_token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": sessionId,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      assert.equal(response.status, 404);
      await response.body?.cancel();
    });

    await t.step(
      "each acts upstream as their own account, signed in through their own session",
      async () => {
        const code = "return await linear.whoami({});";
        const [a, b] = await Promise.all([
          alice.call("execute_code", { code }),
          bob.call("execute_code", { code }),
        ]);
        assert.equal(a.structuredContent?.data, "alice", JSON.stringify(a));
        assert.equal(b.structuredContent?.data, "bob", JSON.stringify(b));
        assert.equal(alice.upstreamLinks.length, 1);
        assert.equal(bob.upstreamLinks.length, 1);
        assert.notEqual(alice.upstreamLinks[0], bob.upstreamLinks[0]);
        assert.equal((await alice.call("execute_code", { code })).structuredContent?.data, "alice");
        assert.equal(alice.upstreamLinks.length, 1, "alice's sign-in is reused, nobody else's");
        const accounts = new Set(upstream.requests.map((r) => r.account));
        assert.deepEqual([...accounts].sort(), ["alice", "bob", "owner"]);
        for (const bearer of [alice, bob].map((p) => p.provider.tokens()!.access_token)) {
          assert.ok(!upstream.bearers.includes(bearer), "a daemon token was sent upstream");
        }
      },
    );

    await t.step("alice's private skill is hers; bob neither finds nor runs it", async () => {
      const saved = await alice.call("save_skill", {
        name: "my-account",
        description: "Says which linear account this is",
        code: "return await linear.whoami({});",
      });
      assert.ok(!saved.isError, saved.content[0]?.text);
      assert.match(saved.content[0]!.text, /private/);
      assert.equal(
        (await alice.call("run_skill", { name: "my-account" })).structuredContent?.data,
        "alice",
      );
      const found = await bob.call("search_tools", { query: "which linear account" });
      assert.doesNotMatch(found.content[0]!.text, /my-account/);
      const refused = await bob.call("run_skill", { name: "my-account" });
      assert.equal(refused.isError, true);
      const resources = await bob.client.listResources();
      assert.ok(!JSON.stringify(resources).includes("my-account"));
    });

    await t.step("the daemon's log names each session's principal as <issuer>#<sub>", async () => {
      await alice.client.close();
      await bob.client.close();
      await daemon[Symbol.asyncDispose]();
      const log = await daemon.output;
      assert.match(log, new RegExp(`${oidc.issuer.replaceAll(".", "\\.")}#alice`));
      assert.match(log, new RegExp(`${oidc.issuer.replaceAll(".", "\\.")}#bob`));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
