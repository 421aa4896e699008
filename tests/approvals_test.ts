import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ApprovalAnswer,
  type ApprovalRequest,
  MCPOrchestrator,
  type ToolCallEvent,
} from "../runtime/mod.ts";
import { DELETE_PROGRAM, type DeleteOutcome, start } from "./helpers/approvals.ts";

Deno.test("approve callback with real server-memory: destructive tools are asked about by default", async (t) => {
  const asked: ApprovalRequest[] = [];
  let answer: (r: ApprovalRequest) => ApprovalAnswer | Promise<ApprovalAnswer> = () => true;
  await using f = await start({
    approve: (r) => {
      asked.push(r);
      return answer(r);
    },
    approvalTimeoutMs: 2_000,
  });

  await t.step(
    "server-memory's delete_entities is annotated destructive; create_entities and read_graph are not",
    () => {
      const tools = f.orch.connections.get("memory")!.tools;
      const hints = (name: string) => tools.find((tool) => tool.name === name)?.annotations;
      assert.equal(hints("delete_entities")?.destructiveHint, true);
      assert.equal(hints("create_entities")?.destructiveHint, false);
      assert.equal(hints("read_graph")?.readOnlyHint, true);
    },
  );

  await t.step(
    "an approving callback lets the delete out: it is asked once, with server, tool, args, task and session",
    async () => {
      asked.length = 0;
      answer = () => true;
      const result = await f.run(DELETE_PROGRAM("Ada"), ["memory"], "session-a");
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.deepEqual(result.data, { outcome: "deleted", stillThere: false });
      assert.equal(asked.length, 1, "create_entities and read_graph are not asked about");
      const r = asked[0]!;
      assert.deepEqual(
        {
          server: r.server,
          tool: r.tool,
          args: r.args,
          taskId: r.taskId,
          session: r.session,
          rule: r.rule,
        },
        {
          server: "memory",
          tool: "delete_entities",
          args: { entityNames: ["Ada"] },
          taskId: result.id,
          session: "session-a",
          rule: "default:destructive",
        },
      );
      assert.ok(result.stats.toolsCalled.includes("memory.delete_entities"));
    },
  );

  await t.step(
    "a declining callback refuses it with not_approved naming the rule, and the entity stays",
    async () => {
      answer = () => ({ approved: false, reason: "not on a Friday" });
      const result = await f.run(DELETE_PROGRAM("Bram"), ["memory"]);
      const data = result.data as DeleteOutcome;
      assert.equal(data.stillThere, true, "the call never reached the server");
      assert.match(
        data.outcome,
        /^ToolError not_approved: Cannot call tool "delete_entities" on server "memory": not approved: the default rule for tools annotated destructiveHint \("ask"\) asks, and the approver declined: not on a Friday$/,
      );
      assert.ok(!result.stats.toolsCalled.includes("memory.delete_entities"));
      const event = f.events.find((e): e is ToolCallEvent =>
        e.type === "tool_call" && e.taskId === result.id && e.tool === "delete_entities"
      );
      assert.equal(event?.outcome, "refused");
      assert.equal(event?.errorCode, "not_approved");
      assert.deepEqual({ ...event?.approval, waitMs: 0 }, {
        rule: "default:destructive",
        action: "ask",
        approved: false,
        waitMs: 0,
      });
    },
  );

  await t.step("a raw call message forged with postMessage is checked too", async () => {
    asked.length = 0;
    answer = () => false;
    await f.run(
      `await memory.createEntities({ entities: [{ name: "Forge", entityType: "x", observations: [] }] });`,
      ["memory"],
    );
    const forged = {
      type: "call",
      taskId: "forged-delete",
      callId: 4242,
      server: "memory",
      tool: "delete_entities",
      args: { entityNames: ["Forge"] },
    };
    const result = await f.run(
      `const answer = new Promise((resolve) => self.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.callId === 4242) resolve(m);
}));
postMessage(JSON.stringify(${JSON.stringify(forged)}));
const reply = await answer;
const found = await memory.openNodes({ names: ["Forge"] });
return { code: reply.error?.code, stillThere: found.entities.length > 0 };`,
      ["memory"],
      undefined,
      "forged-delete",
    );
    assert.deepEqual(
      result.data,
      { code: "not_approved", stillThere: true },
      JSON.stringify(result),
    );
    assert.deepEqual(asked.map((r) => r.tool), ["delete_entities"]);
  });

  await t.step("the agent code waits while approval is pending", async () => {
    const order: string[] = [];
    answer = async () => {
      await new Promise((r) => setTimeout(r, 200));
      order.push("answered");
      return true;
    };
    const result = await f.run(DELETE_PROGRAM("Chiara"), ["memory"]);
    order.push("task done");
    assert.deepEqual(result.data, { outcome: "deleted", stillThere: false });
    assert.deepEqual(order, ["answered", "task done"]);
  });

  await t.step(
    "a throwing callback refuses the call without showing its message to agent code",
    async () => {
      answer = () => {
        throw new Error("secret host detail /etc/approver");
      };
      const data = (await f.run(DELETE_PROGRAM("Dara"), ["memory"])).data as DeleteOutcome;
      assert.equal(data.stillThere, true);
      assert.match(data.outcome, /not_approved: .* asks, and the approver failed$/);
      assert.doesNotMatch(data.outcome, /secret host detail/);
    },
  );

  await t.step("a callback that never answers refuses the call at approvalTimeoutMs", async () => {
    answer = (r) =>
      new Promise((resolve) => r.signal.addEventListener("abort", () => resolve(true)));
    const data = (await f.run(DELETE_PROGRAM("Emre"), ["memory"])).data as DeleteOutcome;
    assert.equal(data.stillThere, true);
    assert.match(data.outcome, /asks, and no answer came within 2000 ms \(approvalTimeoutMs\)$/);
  });

  await t.step(
    "server-filesystem's write_file is asked about too; read_text_file is not",
    async () => {
      asked.length = 0;
      answer = () => false;
      const result = await f.run(
        `const [root] = (await filesystem.listAllowedDirectories()).content.split("\\n").slice(1);
try { await filesystem.writeFile({ path: root + "/x.txt", content: "hello" }); return "written"; }
catch (e) { return e.code; }`,
        ["filesystem"],
      );
      assert.equal(result.data, "not_approved");
      assert.deepEqual(asked.map((r) => `${r.server}.${r.tool}`), ["filesystem.write_file"]);
      await assert.rejects(Deno.stat(join(f.dir, "data", "x.txt")), Deno.errors.NotFound);
    },
  );
});

Deno.test("approval rules: the most specific key wins, deny refuses, and ask without a callback refuses", async (t) => {
  await using f = await start({
    approvals: {
      memory: "allow",
      "memory.delete_relations": "ask",
      "memory.read_graph": "deny",
      "everything": "ask",
    },
  });

  await t.step(
    '"memory": "allow" lets the destructive delete_entities out without asking',
    async () => {
      const result = await f.run(DELETE_PROGRAM("Ada"), ["memory"]);
      assert.deepEqual(result.data, { outcome: "deleted", stillThere: false });
    },
  );

  await t.step(
    '"memory.read_graph": "deny" refuses a read-only tool, naming the rule',
    async () => {
      const result = await f.run(
        `try { await memory.readGraph(); return "read"; } catch (e) { return [e.code, e.message]; }`,
        ["memory"],
      );
      assert.deepEqual(result.data, [
        "not_approved",
        'Cannot call tool "read_graph" on server "memory": not approved: rule "memory.read_graph" ("deny") refuses it',
      ]);
    },
  );

  await t.step(
    '"memory.delete_relations": "ask" beats "memory": "allow"; with no callback the call is refused',
    async () => {
      const result = await f.run(
        `try { await memory.deleteRelations({ relations: [] }); return "done"; } catch (e) { return e.message; }`,
        ["memory"],
      );
      assert.match(
        String(result.data),
        /rule "memory.delete_relations" \("ask"\) asks for approval and no approver is configured/,
      );
    },
  );

  await t.step('"everything": "ask" covers a read-only tool of that server', async () => {
    const result = await f.run(
      `try { return await everything.echo({ message: "hi" }); } catch (e) { return e.code; }`,
      ["everything"],
    );
    assert.equal(result.data, "not_approved");
  });
});

Deno.test("MCPOrchestrator refuses malformed approval options with what was wrong", () => {
  const base = { config: { servers: {} } };
  assert.throws(
    () => new MCPOrchestrator({ ...base, approvals: { memory: "maybe" as "ask" } }),
    /rule "memory" must be "allow", "ask" or "deny", got "maybe"/,
  );
  assert.throws(
    () => new MCPOrchestrator({ ...base, approvals: { "a b": "ask" } }),
    /key "a b" must be/,
  );
  assert.throws(() => new MCPOrchestrator({ ...base, approvalTimeoutMs: 0 }), /approvalTimeoutMs/);
});
