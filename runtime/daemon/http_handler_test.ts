import assert from "node:assert/strict";
import { ExecutorDaemon } from "./executor_daemon.ts";
import { HttpHandler } from "./http_handler.ts";

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
