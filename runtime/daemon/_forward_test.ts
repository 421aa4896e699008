import assert from "node:assert/strict";
import { FORWARDED_HEADER, forwardToOwner } from "./_forward.ts";

Deno.test("forwardToOwner() gives up on an owner that does not answer in time", async () => {
  const { promise: never, resolve: release } = Promise.withResolvers<Response>();
  await using owner = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => never);
  const request = new Request("http://lb/mcp", { method: "POST", body: "{}" });
  const forwarded = await forwardToOwner(request, {
    url: `http://127.0.0.1:${owner.addr.port}`,
    body: new TextEncoder().encode("{}"),
    from: "r2",
    timeoutMs: 200,
  });
  assert.equal(forwarded, undefined);
  release(new Response("late"));
});

Deno.test("forwardToOwner() gives up on an owner that is not listening", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const request = new Request("http://lb/mcp");
  const forwarded = await forwardToOwner(request, {
    url: `http://127.0.0.1:${port}`,
    from: "r2",
    timeoutMs: 2_000,
  });
  assert.equal(forwarded, undefined);
});

Deno.test("forwardToOwner() streams an SSE answer as it comes, the owner's headers and the loop guard kept", async () => {
  const { promise: second, resolve: sendSecond } = Promise.withResolvers<void>();
  let seen: Headers | undefined;
  await using owner = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen = request.headers;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode("id: 1\ndata: one\n\n"));
        await second;
        controller.enqueue(encoder.encode("id: 2\ndata: two\n\n"));
        controller.close();
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream", "mcp-session-id": "s1" },
    });
  });
  const request = new Request("http://lb/mcp", {
    headers: { authorization: "Bearer t", "mcp-session-id": "s1", "last-event-id": "0" },
  });
  const forwarded = await forwardToOwner(request, {
    url: `http://127.0.0.1:${owner.addr.port}`,
    from: "r2",
    timeoutMs: 200,
  });
  assert.equal(forwarded?.status, 200);
  assert.equal(forwarded?.headers.get("mcp-session-id"), "s1");
  assert.equal(seen?.get("authorization"), "Bearer t");
  assert.equal(seen?.get("last-event-id"), "0");
  assert.equal(seen?.get(FORWARDED_HEADER), "r2");
  const reader = forwarded!.body!.pipeThrough(new TextDecoderStream()).getReader();
  // The first event arrives before the owner sends the second, and after the 200 ms header timeout.
  await new Promise((r) => setTimeout(r, 300));
  assert.match((await reader.read()).value ?? "", /data: one/);
  sendSecond();
  let rest = "";
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    rest += chunk.value;
  }
  assert.match(rest, /data: two/);
});
