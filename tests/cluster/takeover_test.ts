/**
 * A session outlives its replica: after `kill -9` of the replica that holds it, the same client (same session id,
 * no new initialize) goes on through HAProxy on the other replica, with its workspace. Prints the takeover time.
 */

import assert from "node:assert/strict";
import { CLUSTER_IGNORE, clusterClient, resultData, startCluster, TOKENS } from "./_cluster.ts";

const LEASE_MS = 1_500;

Deno.test({
  name:
    "cluster: kill -9 of a session's replica; the same client goes on through HAProxy on the other",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster({ leaseMs: LEASE_MS });
    await using alice = await clusterClient(cluster.url, TOKENS.alice);
    const sessionId = alice.transport.sessionId!;
    assert.ok(sessionId);
    const written = await alice.client.callTool({
      name: "execute_code",
      arguments: {
        code: 'await Deno.writeTextFile("note.txt", "kept");\nreturn "written";',
        workspace: "w",
      },
    });
    assert.equal(resultData(written), "written");
    const owner = await cluster.owner(sessionId);
    assert.ok(owner !== undefined && cluster.ids.includes(owner), `owner ${owner}`);
    const dead = cluster.ids.indexOf(owner);

    // A call running on the replica when it dies is lost: its response stream breaks, the SDK client reconnects
    // with Last-Event-ID, and the replica that takes the session over answers it with a retryable error (well
    // before the request timeout, shortened here from the default 60 s).
    const running = alice.client.callTool(
      {
        name: "execute_code",
        arguments: { code: "await new Promise((r) => setTimeout(r, 20_000));\nreturn 'late';" },
      },
      undefined,
      { timeout: 6_000 },
    ).then(() => "answered", (error: Error) => `failed: ${error.message}`);
    await new Promise((r) => setTimeout(r, 500));

    const killedAt = performance.now();
    await cluster.stop(dead, "SIGKILL");
    const errors: string[] = [];
    let read: unknown;
    while (true) {
      try {
        read = resultData(
          await alice.client.callTool({
            name: "execute_code",
            arguments: { code: 'return await Deno.readTextFile("note.txt");', workspace: "w" },
          }),
        );
        break;
      } catch (error) {
        errors.push((error as Error).message);
        assert.ok(
          performance.now() - killedAt < 30_000,
          `no takeover within 30 s: ${errors.at(-1)}`,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const takeoverMs = Math.round(performance.now() - killedAt);
    console.log(
      `takeover after kill -9: ${takeoverMs} ms (lease ${LEASE_MS} ms, ${errors.length} failed attempts` +
        `${errors.length ? `, e.g. "${errors[0]!.slice(0, 160)}"` : ""})`,
    );
    assert.equal(read, "kept");
    const lost = await running;
    console.log(
      `the call running at the kill: ${lost.slice(0, 200)} after ${
        Math.round(performance.now() - killedAt)
      } ms`,
    );
    assert.match(lost, /^failed: .*which stopped; it did not finish and may be retried/);
    assert.equal(alice.transport.sessionId, sessionId, "the same session id, no new initialize");
    const survivor = cluster.ids[1 - dead]!;
    assert.equal(await cluster.owner(sessionId), survivor);
    for (const message of errors) {
      assert.match(message, /retry|503|fetch|connect|closed|error sending/i, message);
    }

    // Another principal presenting the session id is refused as if the session did not exist.
    const stolen = await fetch(cluster.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKENS.bob}`,
        "mcp-session-id": sessionId,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    await stolen.body?.cancel();
    assert.equal(stolen.status, 404);
    assert.equal(await cluster.owner(sessionId), survivor);
  },
});
