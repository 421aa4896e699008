import assert from "node:assert/strict";
import type { ApprovalRequest } from "../approvals/mod.ts";
import { approvalsRoutes } from "./approvals_routes.ts";
import { type OperatorApprovalEvent, OperatorApprovals } from "./operator_approvals.ts";

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    server: "memory",
    tool: "delete_entities",
    args: { entityNames: ["[EMAIL_1]"] },
    restoredArgs: { entityNames: ["ann@example.com"] },
    placeholders: [{ token: "[EMAIL_1]", kind: "EMAIL" }],
    taskId: "s1.1",
    session: "s1",
    principal: "agent-1",
    rule: "default:destructive",
    signal: new AbortController().signal,
    ...overrides,
  };
}

Deno.test("OperatorApprovals lists the restored arguments, the task's principal and session", () => {
  const operators = new OperatorApprovals();
  void operators.approve(request());
  const [pending] = operators.list();
  assert.deepEqual(pending?.args, { entityNames: ["ann@example.com"] });
  assert.equal(pending?.principal, "agent-1");
  assert.equal(pending?.session, "s1");
  assert.equal(pending?.taskId, "s1.1");
  assert.equal(pending?.rule, "default:destructive");
});

Deno.test("OperatorApprovals refuses a call over maxPending with a message naming the limit", async () => {
  const operators = new OperatorApprovals({ maxPending: 2 });
  void operators.approve(request());
  void operators.approve(request());
  assert.deepEqual(await operators.approve(request()), {
    approved: false,
    reason: 'no operator can be asked: 2 approvals are pending (limit "approvals.maxPending")',
  });
  assert.equal(operators.size, 2);
  assert.throws(() => new OperatorApprovals({ maxPending: 0 }), RangeError);
});

Deno.test("OperatorApprovals withdraws a question when its signal aborts (deadline or task end)", async () => {
  const operators = new OperatorApprovals();
  const events: OperatorApprovalEvent[] = [];
  const stop = operators.subscribe((e) => events.push(e));
  const controller = new AbortController();
  const answer = operators.approve(request({ signal: controller.signal }));
  const id = operators.list()[0]!.id;
  controller.abort("timeout");
  assert.equal((await answer as { approved: boolean }).approved, false);
  assert.equal(operators.size, 0);
  assert.equal(operators.answer(id, { approve: true }, "alice"), false, "too late to answer");
  assert.deepEqual(events.map((e) => e.type), ["added", "withdrawn"]);
  stop();
});

Deno.test("OperatorApprovals: a refusal names the operator and the reason; a bad answer is a TypeError", async () => {
  const operators = new OperatorApprovals();
  const answer = operators.approve(request());
  const id = operators.list()[0]!.id;
  assert.throws(
    () => operators.answer(id, { approve: "yes" as unknown as boolean }, "alice"),
    TypeError,
  );
  assert.equal(operators.answer(id, { approve: false, reason: "not today" }, "alice"), true);
  assert.deepEqual(await answer, {
    approved: false,
    answeredBy: "alice",
    reason: 'operator "alice" refused it: not today',
  });
});

Deno.test("approvalsRoutes: 403 without mcpx:approve or for the call's own principal, the page for text/html, 404 for an unknown id", async () => {
  const operators = new OperatorApprovals();
  const routes = approvalsRoutes(operators);
  const agent = { id: "agent-1", scopes: ["mcpx:execute", "mcpx:skills"] };
  const operator = { id: "alice", scopes: ["mcpx:approve"] };
  const list = routes["/approvals"]!;
  const answer = routes["/approvals/"]!;
  const post = (id: string, body: unknown) =>
    new Request(`http://localhost/approvals/${id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  void operators.approve(request());
  const id = operators.list()[0]!.id;

  const denied = await list(new Request("http://localhost/approvals"), agent);
  assert.equal(denied.status, 403);
  assert.match((await denied.json()).error, /"agent-1" does not hold the scope "mcpx:approve"/);
  const selfApproval = await answer(post(id, { approve: true }), agent);
  assert.equal(selfApproval.status, 403, "an agent cannot approve its own call");
  await selfApproval.body?.cancel();
  assert.equal(operators.size, 1);

  const html = await list(
    new Request("http://localhost/approvals", { headers: { accept: "text/html" } }),
    agent,
  );
  assert.match(html.headers.get("content-type")!, /text\/html/);
  assert.match(html.headers.get("content-security-policy")!, /script-src 'sha256-/);
  await html.body?.cancel();

  const unknown = await answer(post("nope", { approve: true }), operator);
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  const notJson = await answer(
    new Request(`http://localhost/approvals/${id}`, { method: "POST", body: "approve=true" }),
    operator,
  );
  assert.equal(notJson.status, 415);
  await notJson.body?.cancel();
  const self = { id: "agent-1", scopes: ["mcpx:execute", "mcpx:approve"] };
  const own = await answer(post(id, { approve: true }), self);
  assert.equal(
    own.status,
    403,
    "a principal cannot approve its own task's call, even with mcpx:approve",
  );
  assert.match((await own.json()).error, /principal "agent-1" made the call/);
  const ok = await answer(post(id, { approve: true }), operator);
  assert.deepEqual(await ok.json(), { id, approved: true, answeredBy: "alice" });
});

Deno.test("ApprovalGate with OperatorApprovals: no answer within approvalTimeoutMs refuses and withdraws the question", async () => {
  const { ApprovalGate } = await import("../approvals/mod.ts");
  const { ConnectionManager } = await import("../connections/mod.ts");
  const operators = new OperatorApprovals();
  const events: string[] = [];
  operators.subscribe((e) => events.push(e.type));
  const gate = new ApprovalGate({
    approvals: { memory: "ask" },
    approve: operators.approve,
    approvalTimeoutMs: 100,
  });
  await using connections = new ConnectionManager({ servers: {} });
  const decision = await gate.check({
    server: "memory",
    tool: "delete_entities",
    args: {},
    taskId: "t1",
    principal: "agent-1",
    signal: new AbortController().signal,
  }, connections);
  assert.equal(decision.refusal?.code, "not_approved");
  assert.match(
    decision.refusal?.message ?? "",
    /no answer came within 100 ms \(approvalTimeoutMs\)/,
  );
  assert.deepEqual(events, ["added", "withdrawn"]);
  assert.equal(operators.size, 0);
});

Deno.test("OperatorApprovals.close() ends the event streams and refuses later questions", async () => {
  const operators = new OperatorApprovals();
  const routes = approvalsRoutes(operators);
  const response = await routes["/approvals"]!(
    new Request("http://localhost/approvals", { headers: { accept: "text/event-stream" } }),
    { id: "alice", scopes: ["mcpx:approve"] },
  );
  operators.close();
  const text = await response.text();
  assert.match(text, /^event: snapshot\ndata: \{"pending":\[\]\}\n\n/);
  assert.match(text, /event: closed\n/);
  assert.deepEqual(await operators.approve(request()), {
    approved: false,
    reason: "the daemon is shutting down",
  });
});
