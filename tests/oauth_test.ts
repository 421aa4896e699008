import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { configure, getTextFormatter, type LogRecord, reset } from "@logtape/logtape";
import type { McpConfig } from "../runtime/config.ts";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import { FileSignInStore } from "../runtime/connections/auth/mod.ts";
import { LOG_CATEGORY } from "../runtime/log.ts";
import { McpServer, SSEServerTransport } from "../runtime/sdk.ts";
import { ToolError } from "../runtime/wire/mod.ts";
import { actAsBrowser, startOAuthServer } from "./helpers/oauth_server.ts";

function configOf(servers: Record<string, string>): McpConfig {
  return {
    servers: Object.fromEntries(
      Object.entries(servers).map(([name, url]) => [name, { type: "http", url, headers: {} }]),
    ),
  };
}

async function whoami(manager: ConnectionManager, server: string): Promise<unknown> {
  return await manager.callTool(server, "whoami", {});
}

/** Everything a user or agent could see: log records at every level, console output, statuses, errors. */
async function capturingOutput<T>(fn: (seen: string[]) => Promise<T>): Promise<string[]> {
  const seen: string[] = [];
  const format = getTextFormatter();
  await configure({
    reset: true,
    sinks: { capture: (record: LogRecord) => seen.push(format(record)) },
    loggers: [
      { category: [LOG_CATEGORY], lowestLevel: "trace", sinks: ["capture"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["capture"] },
    ],
  });
  const original = { log: console.log, warn: console.warn, error: console.error };
  const keep = (...args: unknown[]) => seen.push(args.map(String).join(" "));
  Object.assign(console, { log: keep, warn: keep, error: keep });
  try {
    await fn(seen);
  } finally {
    Object.assign(console, original);
    await reset();
  }
  return seen;
}

Deno.test("a first sign-in stores the tokens in a file only the user can read, the next start reuses them, a new sign-in works", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "alice" });
  const tokenFile = join(dir, "config", "mcp-executor", "tokens.json");
  {
    await using servers = new ConnectionManager(configOf({ linear: server.url }), {
      tokenFile,
      onAuthorizationUrl: actAsBrowser,
    });
    const [status] = await servers.connectAll();
    assert.equal(status?.state, "connected", status?.error);
    assert.equal(await whoami(servers, "linear"), "alice");
  }
  assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);
  assert.equal((await Deno.stat(join(dir, "config", "mcp-executor"))).mode! & 0o777, 0o700);
  // No one to show a URL to this time: the stored sign-in must be enough.
  await using again = new ConnectionManager(configOf({ linear: server.url }), { tokenFile });
  const [status] = await again.connectAll();
  assert.equal(status?.state, "connected", status?.error);
  assert.equal(await whoami(again, "linear"), "alice");
  assert.equal(server.signIns, 1);
  // Signing in again (tokens gone, registration kept) listens on another port: the client registers again.
  await new FileSignInStore(tokenFile).update(
    "linear",
    server.url,
    ({ tokens: _, ...rest }) => rest,
  );
  await using third = new ConnectionManager(configOf({ linear: server.url }), {
    tokenFile,
    onAuthorizationUrl: actAsBrowser,
  });
  const [status3] = await third.connectAll();
  assert.equal(status3?.state, "connected", status3?.error);
  assert.equal(server.signIns, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a token that expires within a minute is refreshed before use, and a revoked one on its 401", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = join(dir, "tokens.json");
  await using server = startOAuthServer({ account: "alice" });
  const store = new FileSignInStore(tokenFile);
  {
    await using servers = new ConnectionManager(configOf({ s: server.url }), {
      signInStore: store,
      onAuthorizationUrl: actAsBrowser,
    });
    await servers.connectAll();
  }
  assert.equal(server.refreshes, 0, "a fresh hour-long token is not refreshed");
  await store.update("s", server.url, (entry) => ({ ...entry, expiresAt: Date.now() + 30_000 }));
  const first = (await store.get("s", server.url))?.tokens?.access_token;
  await using servers = new ConnectionManager(configOf({ s: server.url }), { signInStore: store });
  const [status] = await servers.connectAll();
  assert.equal(status?.state, "connected", status?.error);
  assert.equal(server.refreshes, 1, "refreshed before connecting: the token had 30 s left");
  const second = (await store.get("s", server.url))?.tokens?.access_token;
  assert.notEqual(second, first);
  // Long-lived tokens now, then revoked on the server: the next call gets a 401 and refreshes.
  await store.update("s", server.url, (entry) => ({ ...entry, expiresAt: Date.now() + 3_600_000 }));
  await servers.get("s")!.connect();
  server.revokeAccessTokens();
  assert.equal(await whoami(servers, "s"), "alice");
  assert.equal(server.refreshes, 2);
  // Revoked again with calls in flight: they all get a 401 and refresh at once, and the refresh token rotates.
  server.revokeAccessTokens();
  const answers = await Promise.all([1, 2, 3].map(() => whoami(servers, "s")));
  assert.deepEqual(answers, ["alice", "alice", "alice"]);
  assert.ok((await store.get("s", server.url))?.tokens?.refresh_token, "the sign-in is kept");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a refresh token that no longer works says to sign in again for that server; the others keep working", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = join(dir, "tokens.json");
  await using broken = startOAuthServer({ account: "alice" });
  await using fine = startOAuthServer({ account: "bob" });
  const config = configOf({ broken: broken.url, fine: fine.url });
  {
    await using servers = new ConnectionManager(config, {
      tokenFile,
      onAuthorizationUrl: actAsBrowser,
    });
    await servers.connectAll();
  }
  broken.revokeAccessTokens();
  broken.refuseRefresh();
  await using servers = new ConnectionManager(config, { tokenFile });
  const [bad, good] = await servers.connectAll();
  assert.equal(bad?.state, "failed");
  assert.equal(bad?.needsSignIn, true);
  assert.match(
    bad?.error ?? "",
    /the stored sign-in for server "broken" no longer works .*sign in again with `deno task auth broken`/,
  );
  assert.equal(good?.state, "connected");
  assert.equal(await whoami(servers, "fine"), "bob");
  // With someone to show the URL to, the same refusal starts a sign-in, which names the call it started in.
  const shown: unknown[] = [];
  await using interactive = new ConnectionManager(config, {
    tokenFile,
    onAuthorizationUrl: (request) => {
      shown.push(request.call);
      return actAsBrowser(request);
    },
  });
  await interactive.connectAll();
  broken.revokeAccessTokens();
  const answer = await interactive.callTool("broken", "whoami", {}, {
    context: { taskId: "t9", session: "s1" },
  });
  assert.equal(answer, "alice");
  assert.deepEqual(shown, [undefined, { tool: "whoami", taskId: "t9", session: "s1" }]);
  await assert.rejects(
    () => whoami(servers, "broken"),
    (error: unknown) =>
      error instanceof ToolError && error.code === "server_unavailable" &&
      /Cannot call tool "whoami" on server "broken": .*`deno task auth broken`/.test(error.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two servers signed in as different accounts keep apart in one token file", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileSignInStore(join(dir, "tokens.json"));
  await using work = startOAuthServer({ account: "alice@work" });
  await using home = startOAuthServer({ account: "alice@home" });
  await using servers = new ConnectionManager(configOf({ work: work.url, home: home.url }), {
    signInStore: store,
    onAuthorizationUrl: actAsBrowser,
  });
  await servers.connectAll();
  assert.equal(await whoami(servers, "work"), "alice@work");
  assert.equal(await whoami(servers, "home"), "alice@home");
  const list = await store.list();
  assert.deepEqual(list.map((entry) => [entry.server, entry.url, entry.signedIn]), [
    ["home", home.url, true],
    ["work", work.url, true],
  ]);
  assert.notEqual(
    (await store.get("work", work.url))?.tokens?.access_token,
    (await store.get("home", home.url))?.tokens?.access_token,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("no token or client secret appears in logs, console output, statuses, errors or results", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = join(dir, "tokens.json");
  await using server = startOAuthServer({ account: "alice", accessTtlSeconds: 1 });
  await using other = startOAuthServer({ account: "bob" });
  const config = configOf({ s: server.url, other: other.url });
  const seen = await capturingOutput(async (seen) => {
    {
      await using servers = new ConnectionManager(config, {
        tokenFile,
        onAuthorizationUrl: actAsBrowser,
      });
      seen.push(JSON.stringify(await servers.connectAll()));
      seen.push(JSON.stringify(await servers.callToolRaw("s", "whoami", {})));
    }
    // A refresh (the token lived 1 s), then a refused refresh: both paths that handle tokens, with their errors.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await using servers = new ConnectionManager(config, { tokenFile });
    seen.push(JSON.stringify(await servers.connectAll()));
    server.revokeAccessTokens();
    server.refuseRefresh();
    await servers.get("s")!.close();
    await using fresh = new ConnectionManager(config, { tokenFile });
    seen.push(JSON.stringify(await fresh.connectAll()));
    await fresh.callTool("s", "whoami", {}).catch((error: Error) => {
      seen.push(error.message, String(error.stack), JSON.stringify(error));
    });
  });
  const text = seen.join("\n");
  assert.match(text, /sign in again/, "the captured output holds the refused refresh");
  // A client secret and two tokens at sign-in, two more at the refresh.
  assert.equal(server.secrets.length, 5);
  for (const secret of [...server.secrets, ...other.secrets]) {
    assert.ok(!text.includes(secret), "a token or client secret reached the output");
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a legacy SSE server signs in the same way", async () => {
  const dir = await Deno.makeTempDir();
  await using authServer = startOAuthServer({ account: "alice" });
  const issuer = new URL(authServer.url).origin;
  const transports = new Map<string, SSEServerTransport>();
  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    if (url.pathname === "/.well-known/oauth-protected-resource/sse") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ resource: `${base}/sse`, authorization_servers: [issuer] }));
      return;
    }
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!authServer.accepts(bearer)) {
      res.writeHead(401, {
        "www-authenticate":
          `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/sse"`,
      });
      res.end();
      return;
    }
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      const mcp = new McpServer({ name: "legacy", version: "1.0.0" });
      mcp.registerTool("whoami", {}, () => ({ content: [{ type: "text", text: "alice" }] }));
      await mcp.connect(transport);
      return;
    }
    await transports.get(url.searchParams.get("sessionId") ?? "")?.handlePostMessage(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sse`;
  try {
    await using servers = new ConnectionManager(
      { servers: { legacy: { type: "sse", url, headers: {} } } },
      { signInFile: join(dir, "tokens.json"), onAuthorizationUrl: actAsBrowser },
    );
    const [status] = await servers.connectAll();
    assert.equal(status?.state, "connected", status?.error);
    assert.equal(await whoami(servers, "legacy"), "alice");
    assert.equal(authServer.signIns, 1);
  } finally {
    for (const transport of transports.values()) await transport.close();
    await new Promise((resolve) => http.close(resolve));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an entry with its own Authorization header keeps it and never signs in", async () => {
  await using server = startOAuthServer({ account: "alice" });
  let shown = 0;
  await using servers = new ConnectionManager({
    servers: { s: { type: "http", url: server.url, headers: { authorization: "Bearer stale" } } },
  }, {
    signInFile: "/nonexistent/tokens.json",
    onAuthorizationUrl: () => void shown++,
  });
  const [status] = await servers.connectAll();
  assert.equal(status?.state, "failed");
  assert.match(status?.error ?? "", /Unauthorized/);
  assert.equal(shown, 0);
  assert.equal(server.signIns, 0);
});
