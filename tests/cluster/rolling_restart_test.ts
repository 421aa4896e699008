/**
 * A rolling restart (SIGTERM one replica, start it again, then the other) during a stream of calls from ten
 * clients through HAProxy: every call is answered or fails with a clear error, and no session is lost.
 */

import assert from "node:assert/strict";
import { CLUSTER_IGNORE, clusterClient, resultData, startCluster, TOKENS } from "./_cluster.ts";

const CLIENTS = 10;

Deno.test({
  name: "cluster: a rolling restart during a stream of calls loses no session",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster({ leaseMs: 1_500 });
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () => clusterClient(cluster.url, TOKENS.alice)),
    );
    const ids = clients.map((c) => c.transport.sessionId!);
    let running = true;
    const answered: number[] = Array(CLIENTS).fill(0);
    const failures: string[] = [];
    const streams = clients.map(async ({ client }, i) => {
      for (let n = 0; running; n++) {
        try {
          const result = await client.callTool({
            name: "execute_code",
            arguments: {
              code: `await Deno.writeTextFile("n.txt", "${n}");\n` +
                'await new Promise((r) => setTimeout(r, 50));\nreturn await Deno.readTextFile("n.txt");',
              workspace: "w",
            },
          });
          assert.equal(resultData(result), String(n));
          answered[i]!++;
        } catch (error) {
          failures.push((error as Error).message);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      for (const i of [0, 1]) {
        const log = await cluster.stop(i, "SIGTERM");
        assert.match(log, /stopping \(SIGTERM\)/);
        await cluster.start(i);
        await new Promise((r) => setTimeout(r, 1_500));
      }
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      running = false;
      await Promise.all(streams);
    }
    console.log(
      `rolling restart: ${answered.reduce((a, b) => a + b)} calls answered (${
        answered.join(", ")
      }), ` +
        `${failures.length} failed${
          failures.length ? `: ${[...new Set(failures)].slice(0, 3).join(" | ")}` : ""
        }`,
    );
    for (const message of failures) {
      assert.match(message, /retry|shutting down|503|closed|connect|error sending/i, message);
    }
    // No session lost: each client goes on under its first session id, and its workspace is there.
    for (const [i, { client, transport }] of clients.entries()) {
      const result = await client.callTool({
        name: "execute_code",
        arguments: {
          code: 'return (await Deno.readTextFile("n.txt")).length > 0;',
          workspace: "w",
        },
      });
      assert.equal(resultData(result), true);
      assert.equal(transport.sessionId, ids[i]);
      assert.ok(cluster.ids.includes((await cluster.owner(ids[i]!))!));
      assert.ok(answered[i]! > 0);
    }
    await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
  },
});
