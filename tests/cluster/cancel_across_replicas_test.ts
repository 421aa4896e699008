/**
 * Cancellations across replicas through the store: two replicas on one database, addressed directly (no HAProxy
 * in the path). When the replica that does not hold the session cannot forward a request to the holder (here: the
 * request carries the loop guard, as a request forwarded once does), a client's `notifications/cancelled` is
 * relayed through the store and aborts the task running on the holder, and a `DELETE` of the session ends it there.
 */

import assert from "node:assert/strict";
import {
  CLUSTER_IGNORE,
  clusterClient,
  deleteThrough,
  queuedTasks,
  sessionHeaders,
  startCluster,
  startLongTask,
  TOKENS,
  waitFor,
} from "./_cluster.ts";

Deno.test({
  name: "cluster: a cancel or a DELETE sent to the other replica reaches the session's holder",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster();
    const [r1, r2] = cluster.replicas;
    await using alice = await clusterClient(r1!.url, TOKENS.alice);
    const sessionId = alice.transport.sessionId!;
    assert.equal(await cluster.owner(sessionId), "r1");
    const headers = {
      ...sessionHeaders(alice.transport, TOKENS.alice),
      // Marked as forwarded already, so that r2 does not forward it to r1 over HTTP (forward_test.ts does that).
      "mcpx-forwarded-by": "test",
    };
    const running = (base: string) => queuedTasks(base, TOKENS.haproxy);

    // A task that would run for ten minutes on r1.
    const task = startLongTask(r1!.url, headers, 77);
    try {
      await waitFor(async () => (await running(r1!.base)) > 0, "the task starts on r1");

      // Anything else for the session on r2 is still refused as held by r1 (retry).
      const ping = await fetch(r2!.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id: 78, method: "ping" }),
      });
      assert.equal(ping.status, 503);
      assert.match((await ping.json()).error.message, /held by replica r1/);

      // Another principal's cancel for the session is not forwarded: the session is not theirs.
      const bobs = await fetch(r2!.url, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${TOKENS.bob}` },
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: 77 },
        }),
      });
      assert.equal(bobs.status, 404);
      await bobs.body?.cancel();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await running(r1!.base), 1, "the task runs on");

      // The cancel goes to r2, which forwards it; the task on r1 stops.
      const cancel = await fetch(r2!.url, {
        method: "POST",
        headers,
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: 77, reason: "the user gave up" },
        }),
      });
      assert.equal(cancel.status, 202);
      await cancel.body?.cancel();
      await waitFor(
        async () => (await running(r1!.base)) === 0,
        "the task on r1 is aborted by the cancel sent to r2",
      );
      assert.equal(await cluster.owner(sessionId), "r1", "the session stays where it was");
    } finally {
      await task.stop();
    }

    // The session serves on r1; a DELETE sent to r2 ends it there.
    const ok = await alice.client.callTool({
      name: "execute_code",
      arguments: { code: "return 7;" },
    });
    assert.equal((ok.structuredContent as { data?: unknown }).data, 7);
    await deleteThrough(
      cluster,
      r2!.url,
      r1!.url,
      sessionId,
      headers,
      "the DELETE sent to r2 ends the session on r1",
    );
  },
});
