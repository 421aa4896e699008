import assert from "node:assert/strict";
import { ConnectionManager } from "../connections/mod.ts";
import { ApprovalGate } from "./approval_gate.ts";
import { ApprovalPolicy } from "./approval_policy.ts";

const call = (tool: string) => ({
  server: "memory",
  tool,
  args: {},
  taskId: "t1",
  signal: new AbortController().signal,
});

Deno.test("ApprovalGate asks about a tool whose server never listed its tools", async () => {
  // Configured but never connected: its tool list is empty, so no annotation says the tool is harmless.
  await using connections = new ConnectionManager({
    servers: { memory: { type: "stdio", command: "never-started", args: [], env: {} } },
  });
  const asked: string[] = [];
  const gate = new ApprovalGate({ approve: (r) => (asked.push(r.rule), false) });
  const decision = await gate.check(call("read_graph"), connections);
  assert.deepEqual(asked, ["default:unknown"]);
  assert.equal(decision.refusal?.code, "not_approved");
  assert.match(
    decision.refusal?.message ?? "",
    /the default rule for tools whose definition is not known \("ask"\) asks, and the approver declined$/,
  );
  // An explicit rule still wins over that default.
  const allowing = new ApprovalGate({ approvals: { memory: "allow" } });
  assert.deepEqual(await allowing.check(call("read_graph"), connections), {});
});

Deno.test("ApprovalGate refuses with call_cancelled when the task ends while it waits", async () => {
  await using connections = new ConnectionManager({ servers: {} });
  const controller = new AbortController();
  const gate = new ApprovalGate({
    approvals: { "*": "ask" },
    approve: () => new Promise(() => {}),
  });
  const pending = gate.check({ ...call("x"), signal: controller.signal }, connections);
  controller.abort();
  const decision = await pending;
  assert.equal(decision.refusal?.code, "call_cancelled");
});

Deno.test("ApprovalPolicy: most specific key first, then the annotations", async (t) => {
  const policy = new ApprovalPolicy({ "*": "deny", memory: "ask", "memory.read_graph": "allow" });
  const tool = (name: string, annotations?: Record<string, boolean>) => ({
    name,
    inputSchema: { type: "object" as const },
    ...(annotations === undefined ? {} : { annotations }),
  });
  await t.step("server.tool beats server beats *", () => {
    assert.deepEqual(policy.ruleFor("memory", tool("read_graph")), {
      action: "allow",
      rule: "memory.read_graph",
    });
    assert.deepEqual(policy.ruleFor("memory", tool("open_nodes")), {
      action: "ask",
      rule: "memory",
    });
    assert.deepEqual(policy.ruleFor("github", tool("x")), { action: "deny", rule: "*" });
  });
  await t.step(
    "defaults: destructive asks, destructive + readOnly allows, no annotations allows",
    () => {
      const none = new ApprovalPolicy();
      assert.equal(none.ruleFor("s", tool("a", { destructiveHint: true })).action, "ask");
      assert.equal(
        none.ruleFor("s", tool("a", { destructiveHint: true, readOnlyHint: true })).action,
        "allow",
      );
      assert.equal(none.ruleFor("s", tool("a", { destructiveHint: false })).action, "allow");
      assert.equal(none.ruleFor("s", tool("a")).action, "allow");
    },
  );
});
