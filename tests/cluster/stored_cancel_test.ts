/**
 * Cancellations kept as rows: a cancel whose `NOTIFY` the holder never heard (its `LISTEN` connection was down at
 * that moment) still reaches the holder, which looks at the stored cancellations of its sessions while a task of
 * theirs runs, and when its listening connection comes back. Two replicas on one database; the cancel is written
 * as a row with no announcement, exactly what a holder whose listener was away finds afterwards.
 */

import assert from "node:assert/strict";
import {
  CLUSTER_IGNORE,
  clusterClient,
  queuedTasks,
  sessionHeaders,
  startCluster,
  startLongTask,
  TOKENS,
  waitFor,
} from "./_cluster.ts";

Deno.test({
  name: "cluster: a cancel stored while the holder was not listening reaches the running task",
  ignore: CLUSTER_IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startCluster();
    const [r1] = cluster.replicas;
    await using alice = await clusterClient(r1!.url, TOKENS.alice);
    const sessionId = alice.transport.sessionId!;
    assert.equal(await cluster.owner(sessionId), "r1");
    const running = () => queuedTasks(r1!.base, TOKENS.haproxy);
    const headers = sessionHeaders(alice.transport, TOKENS.alice);
    const task = startLongTask(r1!.url, headers, 91);
    try {
      await waitFor(async () => (await running()) > 0, "the task starts on r1");
      // r1's listening connection is cut, and the cancel is stored without a NOTIFY: r1 cannot hear it.
      await cluster.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`;
      const notice = { session: sessionId, requestIds: [91], from: "r2" };
      await cluster.sql`INSERT INTO mcpx_cancels (session, notice)
        VALUES (${sessionId}, ${cluster.sql.json(notice)})`;
      await waitFor(async () => (await running()) === 0, "the stored cancel aborts the task on r1");
      assert.equal(await cluster.owner(sessionId), "r1", "the session stays where it was");
    } finally {
      await task.stop();
    }
    // The session goes on serving.
    const ok = await alice.client.callTool({
      name: "execute_code",
      arguments: { code: "return 5;" },
    });
    assert.equal((ok.structuredContent as { data?: unknown }).data, 5);
  },
});
