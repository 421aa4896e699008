/**
 * Example 1, the basics: find a tool, write a short program that calls it, run it in a sandbox, read the result.
 *
 * Run: `deno run -A examples/01-basic.ts`. It checks its own result and exits non-zero when it is wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exampleOrchestrator, TASK } from "./_example.ts";

// Tools a server marks destructive (memory.delete_entities) are asked about before they run; this program's
// answer: yes for that one tool, no for anything else. Without an `approve` callback they are refused.
const asked: string[] = [];
await using orch = await exampleOrchestrator({
  approve: (call) => {
    asked.push(`${call.server}.${call.tool}`);
    return call.server === "memory" && call.tool === "delete_entities";
  },
});

// 1. Discover: the agent asks for tools by what they do, and gets one line each, not every definition.
const hits = orch.searchTools("create entities in the knowledge graph", {
  detail: "name",
  limit: 3,
});
console.log("search:", hits.map((h) => h.name).join(", "));
assert.equal(hits[0]?.name, "memory.create_entities");

// 2. Write code against the generated module (`servers/memory/index.ts`); each server is a namespace in scope.
const result = await orch.executeTask({
  ...TASK,
  id: "basic",
  requiredTools: ["memory"],
  code: `
await memory.deleteEntities({ entityNames: ["Basic Ada", "Basic Bram"] });
await memory.createEntities({ entities: [
  { name: "Basic Ada", entityType: "example", observations: ["engineer"] },
  { name: "Basic Bram", entityType: "example", observations: ["manager"] },
] });
const graph = await memory.searchNodes({ query: "Basic" });
console.log("found", graph.entities.length, "entities");
return graph.entities.filter((e) => e.observations.includes("engineer")).map((e) => e.name);`,
});

// 3. Only the small result reaches the model; the stats say what it cost.
console.log("status:", result.status, "data:", result.data, "logs:", result.logs);
console.log("tools called:", result.stats.toolsCalled.join(", "));
console.log(
  `tokens: ${result.stats.tokensUsed} used, ${result.stats.tokensDirect} with classic tool calling`,
);
assert.equal(result.status, "completed", result.error?.message);
assert.deepEqual(result.data, ["Basic Ada"]);
assert.deepEqual(result.logs, ["found 2 entities"]);
assert.deepEqual(result.stats.toolsCalled, [
  "memory.delete_entities",
  "memory.create_entities",
  "memory.search_nodes",
]);
assert.deepEqual(asked, ["memory.delete_entities"]);
console.log("ok");
