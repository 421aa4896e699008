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
