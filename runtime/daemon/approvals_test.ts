import assert from "node:assert/strict";
import { ApprovalGate, type ApprovalRequest } from "../approvals/mod.ts";
import { ConnectionManager } from "../connections/mod.ts";
import {
  Client,
  ElicitRequestSchema,
  type ElicitResult,
  InMemoryTransport,
  McpServer,
} from "../sdk.ts";
import { elicitationApprover, SessionApprovers } from "./approvals.ts";

type Answer = (message: string, signal: AbortSignal) => ElicitResult | Promise<ElicitResult>;

/** A real SDK client connected to a real McpServer in memory; the client answers elicitation with `answer`. */
async function session(answer: Answer | "no elicitation") {
  const mcp = new McpServer({ name: "daemon-under-test", version: "0.0.0" });
  const client = new Client(
    { name: "test-client", version: "0.0.0" },
    answer === "no elicitation" ? {} : { capabilities: { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  if (answer !== "no elicitation") {
    client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
      asked.push(request.params.message);
      return answer(request.params.message, extra.signal);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  await client.connect(clientSide);
  return {
    mcp,
    asked,
    async [Symbol.asyncDispose]() {
      await client.close();
      await mcp.close();
    },
  };
}

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    server: "memory",
    tool: "delete_entities",
    args: { entityNames: ["Ada Lovelace"] },
    taskId: "t1",
    session: "s1",
    rule: "default:destructive",
    signal: new AbortController().signal,
    ...overrides,
  };
}

Deno.test("elicitationApprover() asks the client of the session and follows its answer", async (t) => {
  await t.step(
    "a client that accepts approves the call; the question names server, tool and arguments",
    async () => {
      await using s = await session(() => ({ action: "accept", content: { approve: true } }));
      const answer = await elicitationApprover(s.mcp.server)(request());
      assert.equal(answer, true);
      assert.equal(s.asked.length, 1);
      assert.match(s.asked[0]!, /Server: memory/);
      assert.match(s.asked[0]!, /Tool: delete_entities/);
      assert.match(s.asked[0]!, /Arguments: \{"entityNames":\["Ada Lovelace"\]\}/);
      assert.match(s.asked[0]!, /default:destructive/);
    },
  );

  await t.step("a client that declines refuses it", async () => {
    await using s = await session(() => ({ action: "decline" }));
    assert.deepEqual(await elicitationApprover(s.mcp.server)(request()), {
      approved: false,
      reason: "the user declined",
    });
  });

  await t.step("a client that cancels, or accepts with approve unticked, refuses it", async () => {
    await using s1 = await session(() => ({ action: "cancel" }));
    assert.equal(
      (await elicitationApprover(s1.mcp.server)(request()) as { approved: boolean }).approved,
      false,
    );
    await using s2 = await session(() => ({ action: "accept", content: { approve: false } }));
    assert.deepEqual(await elicitationApprover(s2.mcp.server)(request()), {
      approved: false,
      reason: "the user accepted the form without ticking approve",
    });
  });

  await t.step(
    "an accept with no content, or with approve other than true, refuses; the box starts unticked",
    async () => {
      const forms: unknown[] = [];
      for (const content of [undefined, {}, { approve: "true" }, { approve: 1 }]) {
        await using s = await session(() =>
          content === undefined
            ? { action: "accept" }
            : { action: "accept", content } as ElicitResult
        );
        const answer = await elicitationApprover(s.mcp.server)(request());
        assert.equal((answer as { approved: boolean }).approved, false, JSON.stringify(content));
      }
      const { approvalForm } = await import("./approvals.ts");
      forms.push(approvalForm(request()).requestedSchema.properties.approve);
      assert.equal((forms[0] as { default?: boolean }).default, false);
    },
  );

  await t.step(
    "with pii on, the client sees placeholders and their kinds, never the restored values",
    async () => {
      await using s = await session(() => ({ action: "decline" }));
      await elicitationApprover(s.mcp.server)(request({
        args: { to: "[EMAIL_1]" },
        restoredArgs: { to: "ann@example.com" },
        placeholders: [{ token: "[EMAIL_1]", kind: "EMAIL" }],
      }));
      assert.match(s.asked[0]!, /Arguments: \{"to":"\[EMAIL_1\]"\}/);
      assert.match(s.asked[0]!, /\[EMAIL_1\] \(an email address\)/);
      assert.ok(!s.asked[0]!.includes("ann@example.com"), s.asked[0]);
    },
  );

  await t.step(
    "a client without the elicitation capability is not asked and the call is refused",
    async () => {
      await using s = await session("no elicitation");
      const answer = await elicitationApprover(s.mcp.server)(request());
      assert.deepEqual(answer, {
        approved: false,
        reason: "the client cannot be asked: it does not support elicitation (form mode)",
      });
    },
  );

  await t.step("a client that never answers is refused at the approver's deadline", async () => {
    await using s = await session((_message, signal) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener("abort", () => reject(new Error("cancelled")))
      )
    );
    const answer = await elicitationApprover(s.mcp.server, { timeoutMs: 150 })(request());
    assert.deepEqual(answer, {
      approved: false,
      reason: "the client did not answer within 150 ms",
    });
  });

  await t.step("long arguments are cut and control characters are shown escaped", async () => {
    await using s = await session(() => ({ action: "decline" }));
    await elicitationApprover(s.mcp.server, { maxArgsChars: 40 })(
      request({ args: { text: "x".repeat(500) }, tool: "evil\u009b31m\u202e" }),
    );
    assert.match(s.asked[0]!, /… \(\d+ more characters\)/);
    assert.ok(!/[\u0080-\u009f\u202e]/.test(s.asked[0]!), s.asked[0]);
    assert.match(s.asked[0]!, /\\u009b/);
    await elicitationApprover(s.mcp.server)(request({ args: { text: "y".repeat(5_000) } }));
    const shown = s.asked[1]!.match(/Arguments: (.*)… \((\d+) more characters\)/);
    assert.equal(shown?.[1]?.length, 1_000, "cut at 1,000 characters by default");
  });
});

Deno.test("ApprovalGate with an elicitation approver: a silent client is refused with not_approved at approvalTimeoutMs", async () => {
  await using s = await session((_message, signal) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(new Error("cancelled")))
    )
  );
  const approvers = new SessionApprovers();
  approvers.set("s1", elicitationApprover(s.mcp.server));
  const gate = new ApprovalGate({
    approvals: { memory: "ask" },
    approve: approvers.approve,
    approvalTimeoutMs: 150,
  });
  // No server is connected: the gate only needs the configured names and (absent) definitions.
  await using connections = new ConnectionManager({ servers: {} });
  const decision = await gate.check(
    {
      server: "memory",
      tool: "delete_entities",
      args: {},
      taskId: "t1",
      session: "s1",
      signal: new AbortController().signal,
    },
    connections,
  );
  assert.equal(decision.refusal?.code, "not_approved");
  assert.match(
    decision.refusal?.message ?? "",
    /rule "memory" \("ask"\) asks, and no answer came within 150 ms \(approvalTimeoutMs\)/,
  );
  assert.equal(decision.record?.approved, false);
  assert.equal(s.asked.length, 1);
});

Deno.test("SessionApprovers routes a question to its session's approver and refuses unknown sessions", async () => {
  const approvers = new SessionApprovers();
  const seen: string[] = [];
  approvers.set("a", (r) => {
    seen.push(`a:${r.tool}`);
    return true;
  });
  approvers.set("b", () => ({ approved: false, reason: "b says no" }));
  assert.equal(await approvers.approve(request({ session: "a" })), true);
  assert.deepEqual(await approvers.approve(request({ session: "b" })), {
    approved: false,
    reason: "b says no",
  });
  assert.equal(approvers.delete("a"), true);
  assert.match(
    (await approvers.approve(request({ session: "a" })) as { reason: string }).reason,
    /session "a" has no client that can be asked/,
  );
  const { session: _, ...noSession } = request();
  assert.match(
    (await approvers.approve(noSession) as { reason: string }).reason,
    /no client session/,
  );
  assert.deepEqual(seen, ["a:delete_entities"]);
  assert.throws(() => approvers.set("", () => true), TypeError);
});
