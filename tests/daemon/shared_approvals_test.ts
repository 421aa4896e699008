/**
 * Operator approvals shared by replicas through PostgreSQL: two `OperatorApprovals`, each on its own connection
 * pool to one database, as two daemons would hold them, and two real daemon processes. A question asked on one is
 * listed and answered on the other, and the answer reaches the task waiting on the first.
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import type { ApprovalRequest } from "../../runtime/approvals/mod.ts";
import {
  type OperatorApprovalEvent,
  OperatorApprovals,
  type PendingApproval,
  SelfApprovalError,
} from "../../runtime/daemon/mod.ts";
import { PostgresStateStore, StateCipher } from "../../runtime/state/mod.ts";
import { freshDatabase, PG_URL } from "../helpers/postgres.ts";
import { Client, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./_daemon.ts";

async function until(what: string, check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

function request(signal: AbortSignal, extra: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    server: "crm",
    tool: "delete_contact",
    args: { email: "ann.lee@example.com" },
    taskId: "t1",
    rule: "default:destructive",
    principal: "agent-1",
    signal,
    ...extra,
  };
}

Deno.test({
  name:
    "shared approvals: a question asked on one replica is answered on another and the waiting task gets it",
  ignore: PG_URL === undefined,
  async fn(t) {
    await using db = await freshDatabase();
    const cipher = await StateCipher.fromBase64(
      btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
    );
    await using storeA = await PostgresStateStore.open(db.url, { cipher });
    await using storeB = await PostgresStateStore.open(db.url, { cipher });
    const a = new OperatorApprovals({ shared: storeA.approvals<PendingApproval>() });
    const b = new OperatorApprovals({ shared: storeB.approvals<PendingApproval>() });
    const heardOnB: OperatorApprovalEvent[] = [];
    b.subscribe((event) => heardOnB.push(event));
    await Promise.all([a.ready(), b.ready()]);
    try {
      await t.step(
        "asked on A, listed and approved on B: the task on A gets the answer",
        async () => {
          const asked = a.approve(request(new AbortController().signal));
          await until("B lists the question", () => b.list().length === 1);
          const [pending] = b.list();
          assert.deepEqual(pending?.args, { email: "ann.lee@example.com" });
          assert.equal(pending?.principal, "agent-1");
          assert.equal(b.size, 0, "B's own bound counts B's questions only");
          assert.ok(heardOnB.some((e) => e.type === "added"));
          await assert.rejects(
            () => b.decide(pending!.id, { approve: true }, "agent-1"),
            SelfApprovalError,
          );
          assert.equal(await b.decide(pending!.id, { approve: true }, "alice"), true);
          assert.deepEqual(await asked, { approved: true, answeredBy: "alice" });
          assert.equal(a.list().length, 0);
          assert.equal(b.list().length, 0);
          assert.equal(
            await b.decide(pending!.id, { approve: false }, "bob"),
            false,
            "answered already",
          );
        },
      );

      await t.step(
        "denied on B with a reason: the task on A is refused naming the operator",
        async () => {
          const asked = a.approve(request(new AbortController().signal, { taskId: "t2" }));
          await until("B lists the question", () => b.list().length === 1);
          assert.equal(
            await b.decide(b.list()[0]!.id, { approve: false, reason: "not today" }, "bob"),
            true,
          );
          assert.deepEqual(await asked, {
            approved: false,
            answeredBy: "bob",
            reason: 'operator "bob" refused it: not today',
          });
        },
      );

      await t.step("answered on A itself, or withdrawn on A: B stops listing it", async () => {
        const asked = a.approve(request(new AbortController().signal, { taskId: "t3" }));
        await until("B lists the question", () => b.list().length === 1);
        assert.equal(await a.decide(a.list()[0]!.id, { approve: true }, "alice"), true);
        await asked;
        await until("B drops the answered question", () => b.list().length === 0);
        const abort = new AbortController();
        const withdrawn = a.approve(request(abort.signal, { taskId: "t4" }));
        await until("B lists the question", () => b.list().length === 1);
        abort.abort();
        assert.deepEqual(await withdrawn, {
          approved: false,
          reason: "the question was withdrawn",
        });
        await until("B drops the withdrawn question", () => b.list().length === 0);
        assert.ok(heardOnB.some((e) => e.type === "withdrawn"));
      });

      await t.step(
        "a replica that starts later lists what is pending; the question is encrypted at rest",
        async () => {
          const asked = a.approve(request(new AbortController().signal, { taskId: "t5" }));
          await until("B lists the question", () => b.list().length === 1);
          await using storeC = await PostgresStateStore.open(db.url, { cipher });
          const c = new OperatorApprovals({ shared: storeC.approvals<PendingApproval>() });
          await c.ready();
          assert.equal(c.list().length, 1);
          const sql = postgres(db.url, { max: 1, onnotice: () => {} });
          try {
            const rows = await sql<{ sealed: Uint8Array }[]>`SELECT sealed FROM mcpx_approvals`;
            assert.equal(rows.length, 1);
            assert.ok(!new TextDecoder().decode(rows[0]!.sealed).includes("ann.lee@example.com"));
          } finally {
            await sql.end();
          }
          assert.equal(await c.decide(c.list()[0]!.id, { approve: true }, "carol"), true);
          assert.deepEqual(await asked, { approved: true, answeredBy: "carol" });
          c.close();
        },
      );
    } finally {
      a.close();
      b.close();
    }
  },
});

Deno.test({
  name:
    "shared approvals: two daemons on one database, the call waiting on one is approved over HTTP on the other",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const token = "shared-approvals-token-0123456789abcdef";
    const auth = { authorization: `Bearer ${token}` };
    await using dir = await daemonDir({
      state: { url: db.url },
      sessions: { dir: "sessions" },
      approvals: { approver: "operator" },
    });
    const env = {
      MCPX_TOKEN: token,
      MCPX_STATE_KEY: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
    };
    await using one = await httpDaemon(dir.config, { env, token });
    await using two = await httpDaemon(dir.config, { env, token });
    const client = new Client({ name: "agent", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(one.url, { requestInit: { headers: auth } }),
    );
    try {
      const running = client.callTool({
        name: "execute_code",
        arguments: {
          code:
            `await memory.createEntities({ entities: [{ name: "Ada", entityType: "person", observations: [] }] });
await memory.deleteEntities({ entityNames: ["Ada"] });
return (await memory.readGraph()).entities.length;`,
        },
      }) as Promise<{ isError?: boolean; content: { text: string }[] }>;
      let pending: { id: string; tool: string }[] = [];
      for (const deadline = Date.now() + 30_000; pending.length === 0 && Date.now() < deadline;) {
        const response = await fetch(`${two.base}/approvals`, { headers: auth });
        pending = (await response.json() as { pending: { id: string; tool: string }[] }).pending;
        if (pending.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(pending[0]?.tool, "delete_entities", "the other daemon lists the question");
      const answer = await fetch(`${two.base}/approvals/${pending[0]!.id}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ approve: true }),
      });
      assert.equal(answer.status, 200, await answer.text());
      const result = await running;
      assert.equal(result.isError ?? false, false, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), /0/);
    } finally {
      await client.close();
    }
  },
});
