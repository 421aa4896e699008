/**
 * A call running on a replica that dies fails soon, clearly, and says it may be retried: the client's response
 * stream breaks at the `kill -9`, the SDK client reconnects with `Last-Event-ID`, HAProxy sends that to the other
 * replica, which takes the session over and answers the call's request id from the stored events. The same session
 * then runs a new call; another principal cannot reconnect to its streams. Prints the time from the kill to the
 * error.
 */

import assert from "node:assert/strict";
import { CLUSTER_IGNORE, clusterClient, resultData, startCluster, TOKENS } from "./_cluster.ts";

const LEASE_MS = 1_500;

Deno.test({
  name:
    "cluster: a call running on a killed replica fails within seconds, saying it may be retried",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster({ leaseMs: LEASE_MS });
    await using alice = await clusterClient(cluster.url, TOKENS.alice);
    const sessionId = alice.transport.sessionId!;
    assert.equal(
      resultData(
        await alice.client.callTool({ name: "execute_code", arguments: { code: "return 1;" } }),
      ),
      1,
    );
    const owner = await cluster.owner(sessionId);
    assert.ok(owner !== undefined && cluster.ids.includes(owner), `owner ${owner}`);
    const dead = cluster.ids.indexOf(owner);

    let failedAt = 0;
    const running = alice.client.callTool({
      name: "execute_code",
      arguments: { code: "await new Promise((r) => setTimeout(r, 20_000));\nreturn 'late';" },
    }).then(
      () => "answered",
      (error: Error) => {
        failedAt = performance.now();
        return `failed: ${error.message}`;
      },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const killedAt = performance.now();
    await cluster.stop(dead, "SIGKILL");
    const lost = await running;
    const ms = Math.round(failedAt - killedAt);
    console.log(`the call running at the kill -9 failed after ${ms} ms: ${lost.slice(0, 240)}`);
    assert.match(
      lost,
      new RegExp(
        `^failed: .*replica "${owner}", which stopped; it did not finish and may be retried`,
      ),
    );
    assert.ok(ms < 10_000, `failed after ${ms} ms`);

    // The same session (no new initialize) runs a new call on the replica that took it over.
    const again = await alice.client.callTool({
      name: "execute_code",
      arguments: { code: "return 'again';" },
    });
    assert.equal(resultData(again), "again");
    assert.equal(alice.transport.sessionId, sessionId);
    assert.equal(await cluster.owner(sessionId), cluster.ids[1 - dead]);

    // Another principal reconnecting to the session's streams is refused as if the session did not exist.
    const stolen = await fetch(cluster.url, {
      headers: {
        authorization: `Bearer ${TOKENS.bob}`,
        "mcp-session-id": sessionId,
        "last-event-id": "1",
        accept: "text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
    });
    await stolen.body?.cancel();
    assert.equal(stolen.status, 404);
  },
});
