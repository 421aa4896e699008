/**
 * Upstream sign-ins per principal through the daemon: a remote server's sign-in URL goes, as a URL-mode elicitation,
 * to the client of the session whose task needed it, and that session's principal is the one signed in. Another
 * principal is never shown the URL and never acts as them.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ConnectionManager } from "../../runtime/connections/mod.ts";
import { FileSignInStore, SignInRequiredError } from "../../runtime/connections/auth/mod.ts";
import { ExecutorDaemon } from "../../runtime/daemon/mod.ts";
import { relayAuthorizationUrl } from "../../runtime/daemon/mod.ts";
import {
  Client,
  ElicitRequestSchema,
  InMemoryTransport,
  type McpServer,
} from "../../runtime/sdk.ts";
import { actAsBrowser, startOAuthServer } from "../helpers/oauth_server.ts";

/**
 * A client of a session of `principal`; with `account`, it opens sign-in links in a browser signed in as that
 * (`null`: it can open links but declines).
 */
async function connect(daemon: ExecutorDaemon, principal: string, account?: string | null) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await daemon.openSession(principal, { principal: { id: principal, scopes: ["mcpx:execute"] } })
    .connect(serverSide);
  const client = new Client(
    { name: principal, version: "1" },
    account === undefined ? {} : { capabilities: { elicitation: { url: {} } } },
  );
  const asked: string[] = [];
  if (account !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      if (request.params.mode !== "url") return { action: "decline" };
      asked.push(request.params.message);
      if (account === null) return { action: "decline" };
      await actAsBrowser({ url: new URL(request.params.url), redirectUrl: "" }, { account });
      return { action: "accept" };
    });
  }
  await client.connect(clientSide);
  return { client, asked };
}

Deno.test("daemon: each principal's session signs in to a remote server as its own account; the URL reaches that session only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "daemon-principals-" });
  await using server = startOAuthServer({ account: "nobody" });
  const tokenFile = join(dir, "tokens.json");
  const config = { servers: { linear: { type: "http" as const, url: server.url, headers: {} } } };
  {
    // The deployment's own (default principal's) sign-in: it supplies the tool list.
    await using first = new ConnectionManager(config, {
      tokenFile,
      onAuthorizationUrl: (request) => actAsBrowser(request, { account: "owner" }),
    });
    await first.connectAll();
  }
  const daemon = new ExecutorDaemon({
    orchestrator: { config, serversDir: join(dir, "servers"), stateDir: dir, tokenFile },
  });
  try {
    await daemon.initialize();
    const alice = await connect(daemon, "alice", "alice");
    const bob = await connect(daemon, "bob", "bob");
    const carol = await connect(daemon, "carol");
    const dave = await connect(daemon, "dave", null);
    const code = `return await linear.whoami({});`;
    const run = (client: Client) => client.callTool({ name: "execute_code", arguments: { code } });
    const [a, b, c, d] = await Promise.all(
      [alice, bob, carol, dave].map(({ client }) => run(client)),
    );
    const data = (r: unknown) =>
      (r as { structuredContent?: { data?: unknown } }).structuredContent?.data;
    assert.equal(data(a), "alice", JSON.stringify(a));
    assert.equal(data(b), "bob", JSON.stringify(b));
    assert.equal(alice.asked.length, 1);
    assert.equal(bob.asked.length, 1);
    assert.match(alice.asked[0]!, /needs principal "alice" to sign in/);
    // carol's client cannot open links: she is told how to sign in, and nobody else's sign-in is used for her.
    const carolText = JSON.stringify(c);
    assert.match(
      carolText,
      /principal \\"carol\\" must sign in to server \\"linear\\": run `deno task auth linear --principal carol`/,
    );
    assert.ok(!carolText.includes(dir), "no host path reaches the agent");
    // dave's client could open the link but declined: he is told to accept it next time, or run the command.
    assert.equal(dave.asked.length, 1);
    assert.match(
      JSON.stringify(d),
      /principal \\"dave\\" must sign in to server \\"linear\\": open the sign-in link your client is sent on the next call to \\"linear\\", or run `deno task auth linear --principal dave`/,
    );
    for (const secret of server.secrets) {
      assert.ok(
        ![a, b, c].some((r) => JSON.stringify(r).includes(secret)),
        "no token reaches the agent",
      );
    }
    // A second task of alice's reuses her sign-in without asking.
    assert.equal(data(await run(alice.client)), "alice");
    assert.equal(alice.asked.length, 1);
    assert.equal(server.signIns, 3, "owner, alice and bob signed in once each");

    const store = new FileSignInStore(tokenFile);
    const tokenOf = async (principal: string) =>
      (await store.get({ principal, server: "linear" }, server.url))?.tokens?.access_token;
    for (const principal of ["alice", "bob"]) {
      const token = await tokenOf(principal);
      assert.equal(
        server.accountOf(token ?? ""),
        principal,
        `${principal}'s stored sign-in is ${principal}'s`,
      );
      const used = server.requests.filter((r) => r.token === token).map((r) => r.account);
      assert.ok(used.length > 0 && used.every((account) => account === principal));
    }
    assert.equal(await tokenOf("carol"), undefined);
    assert.equal(await tokenOf("dave"), undefined);
    assert.deepEqual(
      [...new Set(server.requests.map((r) => r.account))].sort(),
      ["alice", "bob", "owner"],
      "no request acted as anyone but these three",
    );
    await Promise.all([alice, bob, carol, dave].map(({ client }) => client.close()));
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("relayAuthorizationUrl never shows a principal's sign-in URL to another principal's session", async () => {
  const asked: string[] = [];
  const session = (principal: string) => ({
    isConnected: () => true,
    server: {
      getClientCapabilities: () => ({ elicitation: { url: {} } }),
      elicitInput: () => {
        asked.push(principal);
        return Promise.resolve({ action: "accept" });
      },
    },
  });
  const sessions: Record<string, string> = { s1: "bob", s2: "alice" };
  const relay = relayAuthorizationUrl({
    sessionServer: (id) => session(sessions[id]!) as unknown as McpServer,
    requestOf: () => undefined,
    sessionPrincipal: (id) => sessions[id],
  });
  const request = {
    server: "linear",
    principal: "alice",
    url: new URL("https://auth.example/authorize?state=s"),
    redirectUrl: "http://127.0.0.1:1/callback",
  };
  await assert.rejects(
    Promise.resolve(relay({ ...request, call: { tool: "whoami", taskId: "t1", session: "s1" } })),
    (error: unknown) =>
      error instanceof SignInRequiredError && error.principal === "alice" &&
      /principal "alice" must sign in/.test(error.message),
  );
  assert.deepEqual(asked, [], "bob's session was not asked");
  await relay({ ...request, call: { tool: "whoami", taskId: "t2", session: "s2" } });
  assert.deepEqual(asked, ["alice"]);
});
