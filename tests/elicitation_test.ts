import assert from "node:assert/strict";
import { join } from "node:path";
import { type ElicitationRequest, MCPOrchestrator } from "../runtime/mod.ts";
import { startAskingServer } from "./helpers/asking_server.ts";

Deno.test("an elicitation during a sandboxed task's tool call reaches onElicitation with that task's id", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-elicit-" });
  await using server = startAskingServer();
  const requests: ElicitationRequest[] = [];
  const orch = new MCPOrchestrator({
    config: { servers: { asking: { type: "http", url: server.url, headers: {} } } },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    signInFile: join(dir, "tokens.json"),
    onElicitation: (request) => {
      requests.push(request);
      return { action: "accept", content: { name: "Ada" } };
    },
  });
  try {
    await orch.initialize();
    const result = await orch.executeTask({
      id: "task-42",
      description: "asks a question",
      code: `return await asking.ask({ question: "Your name?" });`,
      requiredTools: ["asking.ask"],
      status: "pending",
    });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, { action: "accept", content: { name: "Ada" } });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.server, "asking");
    assert.deepEqual(requests[0]!.call, { tool: "ask", taskId: "task-42" });
    assert.equal((requests[0]!.params as { message: string }).message, "Your name?");
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
