/**
 * Upstream sign-ins per principal: a remote server without an `Authorization` header of its own is called with the
 * calling principal's own sign-in, over that principal's own connection; a deployment credential (an entry with its
 * own `Authorization` header) is shared. Against the test OAuth server, whose accounts are chosen by the browser.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { McpConfig } from "../runtime/config.ts";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import { type AuthorizationUrlRequest, FileSignInStore } from "../runtime/connections/auth/mod.ts";
import { ToolError } from "../runtime/wire/mod.ts";
import { actAsBrowser, type OAuthServer, startOAuthServer } from "./helpers/oauth_server.ts";

function configOf(url: string): McpConfig {
  return { servers: { linear: { type: "http", url, headers: {} } } };
}

/** Each principal's browser signs in as that principal's own account; the default principal's as "owner". */
function browsers(shown: AuthorizationUrlRequest[]) {
  return (request: AuthorizationUrlRequest) => {
    shown.push(request);
    const principal = request.principal ?? "default";
    return actAsBrowser(request, { account: principal === "default" ? "owner" : principal });
  };
}

function whoami(servers: ConnectionManager, principal?: string): Promise<unknown> {
  return servers.callTool("linear", "whoami", {}, principal === undefined ? {} : { principal });
}

/** The tokens every request of one account carried. */
function tokensUsedBy(server: OAuthServer, account: string): Set<string> {
  return new Set(server.requests.filter((r) => r.account === account).map((r) => r.token));
}

Deno.test("two principals sign in to one server as their own accounts, and neither's token is used for the other", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = join(dir, "tokens.json");
  await using server = startOAuthServer({ account: "nobody" });
  const shown: AuthorizationUrlRequest[] = [];
  await using servers = new ConnectionManager(configOf(server.url), {
    tokenFile,
    onAuthorizationUrl: browsers(shown),
  });
  const [status] = await servers.connectAll();
  assert.equal(status?.state, "connected", status?.error);
  assert.deepEqual(
    await Promise.all([whoami(servers, "alice"), whoami(servers, "bob"), whoami(servers)]),
    ["alice", "bob", "owner"],
  );
  assert.equal(
    await whoami(servers, "alice"),
    "alice",
    "alice's second call reuses her connection",
  );
  assert.equal(server.signIns, 3);
  assert.deepEqual(shown.map((r) => r.principal).sort(), ["alice", "bob", "default"]);
  // alice's and bob's sign-ins started in their own calls.
  assert.deepEqual(
    shown.filter((r) => r.principal !== "default").map((r) => r.call?.tool),
    ["whoami", "whoami"],
  );

  const store = new FileSignInStore(tokenFile);
  const stored = {
    owner: (await store.get("linear", server.url))?.tokens?.access_token,
    alice: (await store.get({ principal: "alice", server: "linear" }, server.url))?.tokens
      ?.access_token,
    bob: (await store.get({ principal: "bob", server: "linear" }, server.url))?.tokens
      ?.access_token,
  };
  for (const [account, token] of Object.entries(stored)) {
    assert.ok(token !== undefined, `${account} has a stored sign-in`);
    assert.equal(
      server.accountOf(token),
      account,
      `the token stored for ${account} is ${account}'s`,
    );
    // Every request that acted as this account carried this account's own token, and no other account's.
    assert.deepEqual([...tokensUsedBy(server, account)], [token]);
  }
  assert.equal(new Set(Object.values(stored)).size, 3);
  const file = JSON.parse(await Deno.readTextFile(tokenFile));
  assert.deepEqual(Object.keys(file.servers), ["linear"]);
  assert.deepEqual(Object.keys(file.principals).sort(), ["alice", "bob"]);
  assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);
  assert.deepEqual(
    servers.status().map((s) => s.name),
    ["linear"],
    "the status lists the server once: the default principal's connection",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a principal who has not signed in gets a ToolError naming them and the command, without tokens or paths", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = join(dir, "tokens.json");
  await using server = startOAuthServer({ account: "owner" });
  {
    await using first = new ConnectionManager(configOf(server.url), {
      tokenFile,
      onAuthorizationUrl: actAsBrowser,
    });
    await first.connectAll();
  }
  // Nobody to show a URL to: the default principal's stored sign-in works, alice has none.
  await using servers = new ConnectionManager(configOf(server.url), { tokenFile });
  assert.equal((await servers.connectAll())[0]?.state, "connected");
  assert.equal(await whoami(servers), "owner");
  const error = await whoami(servers, "alice").then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ToolError, String(error));
  assert.equal(error.code, "server_unavailable");
  assert.equal(
    error.message,
    'Cannot call tool "whoami" on server "linear": principal "alice" must sign in to server "linear": run `deno task auth linear --principal alice`',
  );
  const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
  assert.ok(!text.includes(dir), "the token file's folder is not named");
  for (const secret of server.secrets) {
    assert.ok(!text.includes(secret), "a token reached the error");
  }
  assert.equal(server.signIns, 1, "alice's call did not use the default principal's sign-in");
  assert.deepEqual(new Set(server.requests.map((r) => r.account)), new Set(["owner"]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("principal connections are bounded by maxPrincipalConnections: the least recently used idle one is closed and reopens with its stored sign-in", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "nobody" });
  const shown: AuthorizationUrlRequest[] = [];
  await using servers = new ConnectionManager(configOf(server.url), {
    signInFile: join(dir, "tokens.json"),
    onAuthorizationUrl: browsers(shown),
    maxPrincipalConnections: 1,
  });
  await servers.connectAll();
  assert.equal(await whoami(servers, "alice"), "alice");
  const alice = servers.get("linear", { principal: "alice" });
  assert.equal(alice?.state, "connected");
  assert.equal(alice?.principal, "alice");
  assert.equal(await whoami(servers, "bob"), "bob");
  assert.equal(
    servers.get("linear", { principal: "alice" }),
    undefined,
    "alice's connection was closed",
  );
  assert.equal(alice?.state, "closed");
  assert.equal(servers.get("linear", { principal: "bob" })?.state, "connected");
  assert.equal(await whoami(servers, "alice"), "alice");
  assert.equal(
    server.signIns,
    3,
    "alice's stored sign-in was reused: default, alice and bob signed in once each",
  );
  assert.equal(servers.get("linear")?.principal, "default");
  assert.throws(
    () => new ConnectionManager(configOf(server.url), { maxPrincipalConnections: -1 }),
    RangeError,
  );
  await assert.rejects(whoami(servers, "a\nb"), TypeError);
  await servers.close();
  await assert.rejects(
    whoami(servers, "carol"),
    (e: unknown) => e instanceof ToolError && e.code === "server_unavailable",
  );
  assert.equal(
    servers.get("linear", { principal: "carol" }),
    undefined,
    "nothing opens after close()",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an entry with its own Authorization header is a deployment credential: every principal uses it, nobody signs in", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "nobody" });
  const tokenFile = join(dir, "tokens.json");
  {
    await using first = new ConnectionManager(configOf(server.url), {
      tokenFile,
      onAuthorizationUrl: (request) => actAsBrowser(request, { account: "team" }),
    });
    await first.connectAll();
  }
  const teamToken = (await new FileSignInStore(tokenFile).get("linear", server.url))?.tokens
    ?.access_token;
  let shown = 0;
  await using servers = new ConnectionManager({
    servers: {
      linear: { type: "http", url: server.url, headers: { Authorization: `Bearer ${teamToken}` } },
    },
  }, { signInFile: join(dir, "other.json"), onAuthorizationUrl: () => void shown++ });
  assert.equal((await servers.connectAll())[0]?.state, "connected");
  assert.deepEqual(
    await Promise.all([whoami(servers, "alice"), whoami(servers, "bob"), whoami(servers)]),
    ["team", "team", "team"],
  );
  assert.equal(
    servers.get("linear", { principal: "alice" }),
    servers.get("linear"),
    "one connection for all",
  );
  assert.equal(servers.get("linear")?.principal, undefined);
  assert.equal(shown, 0);
  assert.equal(server.signIns, 1);
  await assert.rejects(Deno.stat(join(dir, "other.json")), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a token is sent only to the server it was issued for, whichever principal calls", async () => {
  const dir = await Deno.makeTempDir();
  await using work = startOAuthServer({ account: "nobody" });
  await using home = startOAuthServer({ account: "nobody" });
  const shown: AuthorizationUrlRequest[] = [];
  await using servers = new ConnectionManager({
    servers: {
      work: { type: "http", url: work.url, headers: {} },
      home: { type: "http", url: home.url, headers: {} },
    },
  }, { signInFile: join(dir, "tokens.json"), onAuthorizationUrl: browsers(shown) });
  await servers.connectAll();
  for (const principal of ["alice", "bob", undefined]) {
    for (const name of ["work", "home"]) {
      const options = principal === undefined ? {} : { principal };
      assert.equal(await servers.callTool(name, "whoami", {}, options), principal ?? "owner");
    }
  }
  assert.equal(work.signIns + home.signIns, 6);
  for (const [server, other] of [[work, home], [home, work]] as const) {
    assert.ok(server.bearers.length > 0);
    for (const bearer of server.bearers) {
      assert.ok(!other.secrets.includes(bearer), "a token of one server was sent to the other");
      assert.ok(
        server.secrets.includes(bearer),
        "every bearer was issued by the server it went to",
      );
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("maxConcurrentCalls on a server that signs in per principal is one queue for every principal's connection", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "nobody" });
  const config = configOf(server.url);
  config.servers.linear!.maxConcurrentCalls = 1;
  await using servers = new ConnectionManager(config, {
    signInFile: join(dir, "tokens.json"),
    onAuthorizationUrl: browsers([]),
  });
  await servers.connectAll();
  assert.deepEqual(
    await Promise.all([whoami(servers, "alice"), whoami(servers, "bob"), whoami(servers)]),
    ["alice", "bob", "owner"],
  );
  const queue = servers.get("linear")?.callQueue;
  assert.equal(queue?.limit, 1);
  for (const principal of ["alice", "bob"]) {
    const own = servers.get("linear", { principal });
    assert.ok(own !== undefined && own !== servers.get("linear"), `${principal} has a connection`);
    assert.equal(own.callQueue, queue, `${principal}'s connection uses the server's queue`);
  }
  assert.deepEqual(servers.status()[0]?.calls, { limit: 1, inFlight: 0, waiting: 0 });
});
