import assert from "node:assert/strict";
import { elicitationApprover, SessionApprovers } from "../runtime/mod.ts";
import {
  Client,
  ElicitRequestSchema,
  type ElicitResult,
  InMemoryTransport,
  McpServer,
} from "../runtime/sdk.ts";
import { DELETE_PROGRAM, type DeleteOutcome, start } from "./helpers/approvals.ts";

/** A real McpServer session with a real SDK client that answers elicitation as told. */
async function clientSession(answer: (() => ElicitResult) | "no elicitation") {
  const mcp = new McpServer({ name: "mcp-executor-daemon", version: "0.0.0" });
  const client = new Client(
    { name: "agent-host", version: "0.0.0" },
    answer === "no elicitation" ? {} : { capabilities: { elicitation: {} } },
  );
  const messages: string[] = [];
  if (answer !== "no elicitation") {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      messages.push(request.params.message);
      return answer();
    });
  }
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.connect(b);
  await client.connect(a);
  return {
    mcp,
    messages,
    async [Symbol.asyncDispose]() {
      await client.close();
      await mcp.close();
    },
  };
}

Deno.test("daemon approvals end to end: each session's MCP client is asked through elicitation", async (t) => {
  const approvers = new SessionApprovers();
  await using f = await start({ approve: approvers.approve, approvalTimeoutMs: 5_000 });
  await using accepting = await clientSession(() => ({
    action: "accept",
    content: { approve: true },
  }));
  await using declining = await clientSession(() => ({ action: "decline" }));
  await using plain = await clientSession("no elicitation");
  approvers.set("accepting", elicitationApprover(accepting.mcp.server));
  approvers.set("declining", elicitationApprover(declining.mcp.server));
  approvers.set("plain", elicitationApprover(plain.mcp.server));

  await t.step(
    "a client that accepts: the delete goes out; the client saw server, tool and arguments",
    async () => {
      const result = await f.run(DELETE_PROGRAM("Ada"), ["memory"], "accepting");
      assert.deepEqual(result.data, { outcome: "deleted", stillThere: false });
      assert.equal(accepting.messages.length, 1);
      assert.match(
        accepting.messages[0]!,
        /Server: memory\nTool: delete_entities\nArguments: \{"entityNames":\["Ada"\]\}/,
      );
    },
  );

  await t.step(
    "a client that declines: not_approved, and only that session's client was asked",
    async () => {
      const data = (await f.run(DELETE_PROGRAM("Bram"), ["memory"], "declining"))
        .data as DeleteOutcome;
      assert.equal(data.stillThere, true);
      assert.match(
        data.outcome,
        /not_approved: .* asks, and the approver declined: the user declined$/,
      );
      assert.equal(declining.messages.length, 1);
      assert.equal(accepting.messages.length, 1);
    },
  );

  await t.step("a client without elicitation: refused, saying why", async () => {
    const data = (await f.run(DELETE_PROGRAM("Chiara"), ["memory"], "plain")).data as DeleteOutcome;
    assert.equal(data.stillThere, true);
    assert.match(data.outcome, /it does not support elicitation \(form mode\)$/);
  });

  await t.step("a session that ended: refused", async () => {
    approvers.delete("accepting");
    const data = (await f.run(DELETE_PROGRAM("Dara"), ["memory"], "accepting"))
      .data as DeleteOutcome;
    assert.equal(data.stillThere, true);
    assert.match(data.outcome, /session "accepting" has no client that can be asked$/);
  });
});
