/**
 * The daemon serves Python (issue 21): `execute_code { language: "python" }` with servers inferred from the code, and
 * `search_tools { language: "python" }` with Python imports and signatures.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Client, InMemoryTransport } from "../runtime/sdk.ts";
import { ExecutorDaemon } from "../runtime/daemon/mod.ts";
import { memoryOrchestratorOptions } from "./helpers/servers.ts";

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text;
}

Deno.test("daemon: execute_code and search_tools speak Python against server-memory", async () => {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: memoryOrchestratorOptions(dir, {
      pythonPoolSize: 1,
    }),
  });
  try {
    await daemon.initialize();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await daemon.openSession("s1").connect(serverSide);
    const client = new Client({ name: "unit", version: "1" });
    await client.connect(clientSide);

    const found = await client.callTool({
      name: "search_tools",
      arguments: { query: "create entities", detail: "full", limit: 1, language: "python" },
    });
    assert.match(text(found), /from servers\.memory import create_entities/);
    assert.match(
      text(found),
      /async def create_entities\(\*, entities: list\[CreateEntitiesEntitiesItem\]\)/,
    );
    assert.match(text(found), /class CreateEntitiesEntitiesItem\(TypedDict\):/);

    const ran = await client.callTool({
      name: "execute_code",
      arguments: {
        language: "python",
        code:
          `await memory.create_entities(entities=[{"name": "Ada", "entityType": "person", "observations": []}])
graph = await memory.read_graph()
[e["name"] for e in graph["entities"]]`,
      },
    });
    assert.equal(ran.isError, undefined, text(ran));
    assert.deepEqual((ran.structuredContent as { data: unknown }).data, ["Ada"]);

    const saved = await client.callTool({
      name: "save_skill",
      arguments: {
        name: "entity-names",
        description: "Names of the entities in the graph",
        language: "python",
        code: `[e["name"] for e in (await memory.read_graph())["entities"]]`,
      },
    });
    assert.match(text(saved), /from skills\.entity_names import run/);
    const skillRun = await client.callTool({
      name: "run_skill",
      arguments: { name: "entity-names" },
    });
    assert.deepEqual(
      (skillRun.structuredContent as { data: unknown }).data,
      ["Ada"],
      text(skillRun),
    );
    await client.close();
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
