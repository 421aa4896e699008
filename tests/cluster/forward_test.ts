/**
 * Forwarding to the session's owner: two replicas on one database, addressed directly (no HAProxy in the path). A
 * client that sends its requests for a session held by live replica r1 to replica r2 gets r1's answers: a
 * `tools/call` answered as an SSE stream, the standalone `GET` stream and a `Last-Event-ID` replay, and the
 * `DELETE` of the session. The session stays on r1 (no takeover); another principal's request is not forwarded;
 * a request that was forwarded once is not forwarded again.
 */

import assert from "node:assert/strict";
import { CLUSTER_IGNORE, deleteThrough, startCluster, TOKENS } from "./_cluster.ts";

/** The `data:` messages and `id:` lines of an SSE body (or the JSON body itself). */
async function messages(response: Response): Promise<{ ids: string[]; data: unknown[] }> {
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    return { ids: [], data: [JSON.parse(text)] };
  }
  const ids: string[] = [];
  const data: unknown[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("id: ")) ids.push(line.slice(4).trim());
    if (line.startsWith("data: ")) data.push(JSON.parse(line.slice(6)));
  }
  return { ids, data };
}

Deno.test({
  name: "cluster: a replica forwards requests for a session another live replica holds to it",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster();
    const [r1, r2] = cluster.replicas;
    const base = {
      authorization: `Bearer ${TOKENS.alice}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const opened = await fetch(r1!.url, {
      method: "POST",
      headers: base,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "forward-test", version: "1.0.0" },
        },
      }),
    });
    assert.equal(opened.status, 200);
    const sessionId = opened.headers.get("mcp-session-id")!;
    await opened.body?.cancel();
    const headers = { ...base, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" };
    const initialized = await fetch(r1!.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    await initialized.body?.cancel();
    assert.equal(await cluster.owner(sessionId), "r1");

    // A task sent to r2 runs on r1 and its SSE answer comes back through r2.
    const called = await fetch(r2!.url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "execute_code", arguments: { code: "return 6 * 7;" } },
      }),
    });
    assert.equal(called.status, 200);
    assert.match(called.headers.get("content-type") ?? "", /text\/event-stream/);
    const answer = await messages(called);
    const result = answer.data.at(-1) as {
      id: number;
      result: { structuredContent: { data: unknown } };
    };
    assert.equal(result.id, 1);
    assert.equal(result.result.structuredContent.data, 42);
    assert.equal(await cluster.owner(sessionId), "r1", "answered by r1, not taken over");

    // The standalone GET stream through r2 is r1's: a second one conflicts with it there.
    const standalone = await fetch(r2!.url, {
      headers: { ...headers, accept: "text/event-stream" },
    });
    assert.equal(standalone.status, 200);
    assert.match(standalone.headers.get("content-type") ?? "", /text\/event-stream/);
    const second = await fetch(r2!.url, { headers: { ...headers, accept: "text/event-stream" } });
    assert.equal(second.status, 409, "r1 already streams to this session");
    await second.body?.cancel();

    // Last-Event-ID goes along: r1 replays from its event store instead of refusing a second stream.
    assert.ok(answer.ids.length > 0, "the task's events have ids");
    const replay = await fetch(r2!.url, {
      headers: { ...headers, accept: "text/event-stream", "last-event-id": answer.ids[0]! },
    });
    assert.equal(replay.status, 200);
    assert.match(replay.headers.get("content-type") ?? "", /text\/event-stream/);
    await replay.body?.cancel();
    await standalone.body?.cancel();

    // Another principal's request is not forwarded: the session is not theirs.
    const bobs = await fetch(r2!.url, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${TOKENS.bob}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    assert.equal(bobs.status, 404);
    await bobs.body?.cancel();

    // A request forwarded once is not forwarded again: r2 answers it as held elsewhere.
    const looped = await fetch(r2!.url, {
      method: "POST",
      headers: { ...headers, "mcpx-forwarded-by": "r1" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" }),
    });
    assert.equal(looped.status, 503);
    assert.match((await looped.json()).error.message, /held by replica r1/);

    // The DELETE sent to r2 ends the session on r1.
    await deleteThrough(
      cluster,
      r2!.url,
      r1!.url,
      sessionId,
      headers,
      "the DELETE forwarded to r1 ends the session",
    );
  },
});
