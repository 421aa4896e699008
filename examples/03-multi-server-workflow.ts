/**
 * Example 3, a workflow across servers: meeting notes read from server-filesystem become entities and relations in
 * server-memory, a check runs on server-everything, and a report is kept in a workspace for the next task.
 * The data moves between servers inside the sandbox; the model sees only the summary.
 *
 * Run: `deno run -A examples/03-multi-server-workflow.ts`. It checks its own result and exits non-zero when it is
 * wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exampleOrchestrator, TASK } from "./_example.ts";

// Approval rules (also the daemon's mcp-executor.json "approvals"): this workflow may delete its own entities.
await using orch = await exampleOrchestrator({ approvals: { "memory.delete_entities": "allow" } });

const first = await orch.executeTask({
  ...TASK,
  id: "notes-to-graph",
  requiredTools: ["filesystem.read_text_file", "memory", "everything.get-sum"],
  workspace: "example-03",
  code: `
const { content } = await filesystem.readTextFile({ path: "meeting-notes.md" });
const items = [...content.matchAll(/^- (\\w+): (.+)$/gm)].map(([, owner, what]) => ({ owner, what }));

// One write each: server-memory rewrites its whole file per call, so concurrent writes would lose updates.
const names = items.map((item, i) => \`Action 46-\${i + 1}\`);
await memory.deleteEntities({ entityNames: names });
await memory.createEntities({
  entities: items.map((item, i) => ({ name: names[i], entityType: "action", observations: [item.what] })),
});
await memory.createRelations({
  relations: items.map((item, i) => ({ from: item.owner, to: names[i], relationType: "owns" })),
});
// Reads can run in parallel.
const found = await Promise.all(names.map((name) => memory.openNodes({ names: [name] })));
const stored = { entities: found.flatMap((graph) => graph.entities) };
const sum = await everything.getSum({ a: items.length, b: stored.entities.length });

// Keep a report for the next task: a workspace is a folder that outlives the task.
await Deno.writeTextFile("report.json", JSON.stringify({ items, stored: stored.entities.length }));
console.log(\`\${items.length} action items stored; checksum \${JSON.stringify(sum)}\`);
return { owners: items.map((i) => i.owner), stored: stored.entities.length };`,
});
console.log("first task:", first.status, JSON.stringify(first.data), first.logs);
assert.equal(first.status, "completed", first.error?.message);
assert.deepEqual(first.data, { owners: ["Ada", "Bram", "Elif"], stored: 3 });

const second = await orch.executeTask({
  ...TASK,
  id: "read-report",
  requiredTools: [],
  workspace: "example-03",
  code: `
const report = JSON.parse(await Deno.readTextFile("report.json"));
return report.items.filter((i) => i.owner === "Ada").map((i) => i.what);`,
});
console.log("second task:", second.status, JSON.stringify(second.data));
assert.equal(second.status, "completed", second.error?.message);
assert.deepEqual(second.data, [
  "measure warm task start on the CI machine and record it in docs/benchmarks.md.",
]);
assert.deepEqual(second.stats.toolsCalled, []);
console.log(
  `tokens: ${first.stats.tokensUsed} used, ${first.stats.tokensDirect} with classic tool calling`,
);
console.log("ok");
