/**
 * The `typecheck` option against real server-memory: under `"error"` a task with a wrong parameter name is refused
 * before any call leaves the host (the memory file is read back untouched); under `"warn"` it runs and carries the
 * warning.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startOrchestrator } from "../helpers/orchestrator_fixture.ts";

/** Creates an entity with `entityTyp` for `entityType` on line 3. */
const MISSPELLED = `const before = await memory.readGraph();
await memory.createEntities({
  entities: [{ name: "Ada", entityTyp: "person", observations: ["wrote the first program"] }],
});
return before.entities.length;
`;

async function fileText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

Deno.test('typecheck "error" refuses a misspelled parameter before any call; "warn" runs it', async (t) => {
  await using fixture = await startOrchestrator({
    servers: "memory",
    tools: ["memory"],
    typecheck: "error",
  });
  const memoryFile = join(fixture.dir, "memory.jsonl");
  await t.step("a clean program runs and writes the memory file", async () => {
    const result = await fixture.run(
      `await memory.createEntities({ entities: [{ name: "Grace", entityType: "person", observations: [] }] });
const graph = await memory.readGraph();
return graph.entities.map((e) => e.name);`,
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, ["Grace"]);
    assert.equal(result.warnings, undefined);
  });
  const before = await fileText(memoryFile);
  assert.ok(before?.includes("Grace"));

  await t.step('"error": refused, the message names the parameter and the line', async () => {
    const result = await fixture.run(MISSPELLED);
    assert.equal(result.status, "failed");
    assert.equal(result.error?.code, "type_error");
    assert.match(result.error?.message ?? "", /^3:\d+ .*'entityTyp'/m);
    assert.deepEqual(result.stats.toolsCalled, []);
    assert.ok((result.error?.message.length ?? 0) <= 2_200);
    assert.equal(await fileText(memoryFile), before, "the memory file changed");
  });
});

Deno.test('typecheck "warn" runs a misspelled parameter and reports it first', async () => {
  await using fixture = await startOrchestrator({
    servers: "memory",
    tools: ["memory"],
    typecheck: "warn",
  });
  const result = await fixture.run(MISSPELLED);
  // The server refuses the call itself: the type error said so before it went out.
  assert.deepEqual(result.stats.toolsCalled.slice(0, 1), ["memory.read_graph"]);
  assert.match(result.warnings?.[0] ?? "", /^type error at 3:\d+ .*'entityTyp'/);
  assert.match(result.logs[0] ?? "", /^\[mcp-executor\] type error at 3:\d+ .*'entityTyp'/);
});
