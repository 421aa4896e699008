import assert from "node:assert/strict";
import { ExecutorDaemon } from "./executor_daemon.ts";
import { HttpHandler, type HttpHandlerOptions } from "./http_handler.ts";
import { createAuthenticator, protectedResourceMetadata, requireScopes } from "./auth/mod.ts";

Deno.test("HttpHandler puts extra routes behind the token check, refuses huge bodies and answers 503 while stopping", async () => {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: { config: { servers: {} }, serversDir: `${dir}/servers`, stateDir: dir },
  });
  await daemon.initialize();
  const handler = new HttpHandler(daemon, {
    tokens: ["secret"],
    routes: { "/metrics": () => new Response("tasks_total 0\n") },
  });
  try {
    const at = (path: string, headers: Record<string, string> = {}, method = "GET") =>
      handler.handle(
        new Request(`http://127.0.0.1:8787${path}`, {
          method,
          headers: { host: "127.0.0.1:8787", ...headers },
        }),
      );
    const refused = await at("/metrics");
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const served = await at("/metrics", { authorization: "Bearer secret" });
    assert.equal(served.status, 200);
    assert.equal(await served.text(), "tasks_total 0\n");
    const huge = await handler.handle(
      new Request("http://127.0.0.1:8787/mcp", {
        method: "POST",
        headers: { host: "127.0.0.1:8787", authorization: "Bearer secret" },
        body: "x".repeat(5 * 1024 * 1024),
      }),
    );
    assert.equal(huge.status, 413);
    await huge.body?.cancel();
    const missing = await at("/nothing", { authorization: "Bearer secret" });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    await daemon.shutdown({ drainTimeoutMs: 0 });
    const stopping = await at("/mcp", { authorization: "Bearer secret" }, "POST");
    assert.equal(stopping.status, 503);
    await stopping.body?.cancel();
    const healthz = await at("/healthz", { authorization: "Bearer secret" });
    assert.equal((await healthz.json()).status, "stopping");
  } finally {
    await handler.close();
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

const A = "a".repeat(32);
const B = "b".repeat(32);
const C = "c".repeat(32);
const OPS = "o".repeat(32);

async function principalsHandler(options: Partial<HttpHandlerOptions> = {}) {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: { config: { servers: {} }, serversDir: `${dir}/servers`, stateDir: dir },
  });
  await daemon.initialize();
  const handler = new HttpHandler(daemon, {
    authenticate: createAuthenticator({
      tokens: [
        { principal: "alice", token: A, scopes: ["mcpx:execute"] },
        { principal: "bob", token: B, scopes: ["mcpx:execute", "mcpx:skills"] },
        { principal: "carol", token: C, scopes: ["mcpx:skills"] },
        { principal: "ops", token: OPS, scopes: ["mcpx:admin", "mcpx:approve"] },
      ],
    }),
    ...options,
  });
  const post = async (token: string, body: unknown, session?: string) => {
    const response = await handler.handle(
      new Request("http://127.0.0.1:8787/mcp", {
        method: "POST",
        headers: {
          host: "127.0.0.1:8787",
          authorization: `Bearer ${token}`,
          accept: "application/json, text/event-stream",
          "content-type": "application/json",
          ...(session === undefined ? {} : { "mcp-session-id": session }),
        },
        body: JSON.stringify(body),
      }),
    );
    const text = await response.text();
    return { response, text };
  };
  const initialize = (token: string) =>
    post(token, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "test", version: "1.0.0" },
      },
    });
  const get = (path: string, token?: string) =>
    handler.handle(
      new Request(`http://127.0.0.1:8787${path}`, {
        headers: {
          host: "127.0.0.1:8787",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      }),
    );
  return {
    daemon,
    handler,
    post,
    initialize,
    get,
    async [Symbol.asyncDispose]() {
      await handler.close();
      await daemon.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("HttpHandler gives each session to its principal: another principal's session id gets 404", async () => {
  await using h = await principalsHandler();
  const opened = await h.initialize(A);
  assert.equal(opened.response.status, 200, opened.text);
  const id = opened.response.headers.get("mcp-session-id")!;
  assert.equal(h.daemon.sessionPrincipal(id)?.id, "alice");
  const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
  const mine = await h.post(A, ping, id);
  assert.equal(mine.response.status, 200, mine.text);
  const theirs = await h.post(B, ping, id);
  assert.equal(theirs.response.status, 404);
  assert.match(theirs.text, /Session not found/);
});

Deno.test("HttpHandler answers 403 insufficient_scope with every scope the MCP request needs", async () => {
  await using h = await principalsHandler();
  const refused = await h.initialize(C);
  assert.equal(refused.response.status, 403);
  assert.equal(
    refused.response.headers.get("www-authenticate"),
    'Bearer realm="mcp-executor", error="insufficient_scope", ' +
      'error_description="This request needs the scope mcpx:execute", scope="mcpx:execute"',
  );
  const opened = await h.initialize(A);
  const id = opened.response.headers.get("mcp-session-id")!;
  const save = {
    jsonrpc: "2.0",
    id: 3,
    method: "tools/call",
    params: { name: "save_skill", arguments: {} },
  };
  const noSkills = await h.post(A, save, id);
  assert.equal(noSkills.response.status, 403);
  assert.match(
    noSkills.response.headers.get("www-authenticate")!,
    /error="insufficient_scope".*scope="mcpx:execute mcpx:skills"/,
  );
});

Deno.test("HttpHandler caps sessions per principal (429) and in all (503), naming the option", async () => {
  await using h = await principalsHandler({ maxSessionsPerPrincipal: 2, maxSessions: 3 });
  for (let i = 0; i < 2; i++) assert.equal((await h.initialize(A)).response.status, 200);
  const third = await h.initialize(A);
  assert.equal(third.response.status, 429);
  const error = JSON.parse(third.text);
  assert.equal(error.id, 1);
  assert.match(
    error.error.message,
    /principal "alice" holds 2 sessions.*sessions\.maxPerPrincipal, 2/,
  );
  assert.equal((await h.initialize(B)).response.status, 200);
  const full = await h.initialize(B);
  assert.equal(full.response.status, 503);
  assert.match(JSON.parse(full.text).error.message, /holds 3 sessions.*sessions\.max, 3/);
  assert.equal(h.handler.sessionCount, 3);
});

Deno.test("HttpHandler routes: a key ending in / takes the paths under it, other keys stay exact", async () => {
  await using h = await principalsHandler({
    routes: {
      "/metrics": (_request, principal) =>
        requireScopes(principal, ["mcpx:admin"]) ?? new Response("metrics"),
      "/approvals/": (request, principal) =>
        requireScopes(principal, ["mcpx:approve"]) ??
          new Response(`${principal.id} ${new URL(request.url).pathname}`),
    },
  });
  const text = async (response: Response) => `${response.status} ${await response.text()}`;
  assert.equal(await text(await h.get("/approvals/abc", OPS)), "200 ops /approvals/abc");
  assert.equal(await text(await h.get("/approvals/", OPS)), "200 ops /approvals/");
  assert.equal((await text(await h.get("/approvals", OPS))).slice(0, 3), "404");
  assert.equal(await text(await h.get("/metrics", OPS)), "200 metrics");
  assert.equal((await text(await h.get("/metrics/x", OPS))).slice(0, 3), "404");
  const denied = await h.get("/approvals/abc", A);
  assert.equal(denied.status, 403);
  assert.match(denied.headers.get("www-authenticate")!, /scope="mcpx:approve"/);
  await denied.body?.cancel();
  const anonymous = await h.get("/approvals/abc");
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
});

Deno.test("HttpHandler serves the protected resource metadata without a token and names it in each 401", async () => {
  const resourceMetadata = protectedResourceMetadata({
    resource: "http://127.0.0.1:8787/mcp",
    issuer: "https://login.example",
  });
  await using h = await principalsHandler({ resourceMetadata });
  for (
    const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]
  ) {
    const response = await h.get(path);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual((await response.json()).authorization_servers, ["https://login.example"]);
  }
  const refused = await h.get("/mcp");
  assert.equal(refused.status, 401);
  assert.equal(
    refused.headers.get("www-authenticate"),
    'Bearer realm="mcp-executor", ' +
      'resource_metadata="http://127.0.0.1:8787/.well-known/oauth-protected-resource/mcp", ' +
      'scope="mcpx:execute mcpx:skills"',
  );
  await refused.body?.cancel();
});

Deno.test("HttpHandler: a route key ending in / matches the paths under it; a page opens without a token, after the Host check", async () => {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: { config: { servers: {} }, serversDir: `${dir}/servers`, stateDir: dir },
  });
  const handler = new HttpHandler(daemon, {
    tokens: ["secret"],
    routes: {
      "/approvals": () => new Response("list"),
      "/approvals/": (request) => new Response(`one ${new URL(request.url).pathname}`),
    },
    pages: { "/approvals": () => new Response("<!doctype html>page") },
  });
  try {
    const at = (path: string, headers: Record<string, string> = {}) =>
      handler.handle(
        new Request(`http://127.0.0.1:8787${path}`, {
          headers: { host: "127.0.0.1:8787", ...headers },
        }),
      );
    const bearer = { authorization: "Bearer secret" };
    assert.equal(await (await at("/approvals", bearer)).text(), "list", "an exact key wins");
    assert.equal(await (await at("/approvals/abc", bearer)).text(), "one /approvals/abc");
    const noToken = await at("/approvals/abc");
    assert.equal(noToken.status, 401);
    await noToken.body?.cancel();
    assert.equal(
      await (await at("/approvals", { accept: "text/html" })).text(),
      "<!doctype html>page",
    );
    const json = await at("/approvals", { accept: "application/json" });
    assert.equal(json.status, 401, "only the page is open; the list needs the token");
    await json.body?.cancel();
    const rebound = await at("/approvals", { accept: "text/html", host: "evil.example:8787" });
    assert.notEqual(rebound.status, 200, "the page is behind the Host check");
    await rebound.body?.cancel();
  } finally {
    await handler.close();
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
