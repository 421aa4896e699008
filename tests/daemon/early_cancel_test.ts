import assert from "node:assert/strict";
import { daemonDir, httpClient, httpDaemon } from "./_daemon.ts";
import { noUnhandledRejections } from "../helpers/no_unhandled.ts";

// Over Streamable HTTP a request and its cancellation are separate POSTs, which a busy daemon may take in either
// order (the daemon soak met it: a cancelled call's task ran to its end). A request whose cancellation came first is
// not run.
Deno.test(
  "daemon over HTTP: a request whose notifications/cancelled arrived first is answered as cancelled, not run",
  noUnhandledRejections(async () => {
    await using dir = await daemonDir();
    await using daemon = await httpDaemon(dir.config);
    await using session = await httpClient(daemon.url);
    const post = (message: unknown) =>
      fetch(daemon.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": session.transport.sessionId!,
          "mcp-protocol-version": session.transport.protocolVersion ?? "2025-06-18",
        },
        body: JSON.stringify(message),
        // Without the fix the task would run for ten minutes: fail the test long before.
        signal: AbortSignal.timeout(60_000),
      });
    const cancel = await post({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 9001, reason: "the user gave up" },
    });
    assert.equal(cancel.status, 202);
    await cancel.body?.cancel();
    const late = await post({
      jsonrpc: "2.0",
      id: 9001,
      method: "tools/call",
      params: {
        name: "execute_code",
        arguments: { code: "await new Promise((r) => setTimeout(r, 600_000));", requiredTools: [] },
      },
    });
    const answer = await late.json();
    assert.equal(answer.id, 9001);
    assert.match(
      answer.error?.message ?? "",
      /cancelled it before it arrived/,
      JSON.stringify(answer),
    );
    const health = await (await fetch(`${daemon.base}/healthz`)).json();
    assert.equal(health.queue.running + health.queue.waiting, 0, "no task runs for it");

    // The session serves on, and a cancellation after its request still cancels the running task.
    const ok = await session.client.callTool({
      name: "execute_code",
      arguments: { code: "return 7", requiredTools: [] },
    });
    assert.deepEqual((ok.structuredContent as { data?: unknown }).data, 7);
    const controller = new AbortController();
    const running = session.client.callTool(
      {
        name: "execute_code",
        arguments: { code: "await new Promise((r) => setTimeout(r, 600_000));", requiredTools: [] },
      },
      undefined,
      { signal: controller.signal },
    ).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort(new Error("stop"));
    assert.match(String(await running), /stop/);
  }),
);
