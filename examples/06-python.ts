/**
 * Example 6, Python agent code: the same sandbox, bridge and limits as TypeScript, with the servers as Python
 * modules (`from servers.memory import create_entities`, `await filesystem.read_text_file(path=...)`). The program
 * reads two files in parallel through server-filesystem (`asyncio.gather`), counts engineers per team with the
 * standard library, stores the counts in server-memory (a destructive call approved by the host), catches a refused
 * call as `ToolError`, and returns a dict.
 *
 * Run: `deno run -A examples/06-python.ts`. It checks its own result and exits non-zero when it is wrong. The first
 * Python task of an orchestrator makes Pyodide's memory snapshot (a few seconds, once).
 *
 * @module
 */

import assert from "node:assert/strict";
import { exampleOrchestrator, TASK } from "./_example.ts";

// Approvals apply to Python's calls as to TypeScript's: this program approves memory.delete_entities only.
const asked: string[] = [];
await using orch = await exampleOrchestrator({
  approve: (call) => {
    asked.push(`${call.server}.${call.tool}`);
    return call.server === "memory" && call.tool === "delete_entities";
  },
});

// 1. Find the tools as Python: `from servers.memory import create_entities`, with TypedDict hints at "full".
const hits = await orch.findTools("create entities", { detail: "name", limit: 1 });
assert.equal(hits[0]?.name, "memory.create_entities");

// 2. The program: a module body with top-level await; its last expression is the task's result.
const result = await orch.executeTask({
  ...TASK,
  id: "python",
  language: "python",
  requiredTools: ["filesystem.read_text_file", "memory"],
  code: `import asyncio, json
from collections import Counter
from servers.memory import create_entities, delete_entities

# Parallel calls: asyncio.gather is Promise.all's twin.
listing, notes = await asyncio.gather(
    filesystem.read_text_file(path="team.json"),
    filesystem.read_text_file(path="meeting-notes.md"),
)
team = json.loads(listing["content"])
engineers = Counter(p["team"] for p in team if p["role"] == "engineer")
print("engineers per team:", dict(engineers))
print("meeting notes:", len(notes["content"].splitlines()), "lines")

names = [f"Python team {t}" for t in engineers]
await delete_entities(entityNames=names)
await create_entities(entities=[
    {"name": f"Python team {t}", "entityType": "team", "observations": [f"{n} engineers"]}
    for t, n in engineers.items()
])

try:
    await filesystem.write_file(path="x.txt", content="no")
    refused = None
except ToolError as error:
    refused = error.code

graph = await memory.search_nodes(query="Python team")
{"teams": sorted(e["name"] for e in graph["entities"]), "refused": refused,
 "most": engineers.most_common(1)[0][0]}`,
});

console.log("status:", result.status, "data:", result.data, "logs:", result.logs);
assert.equal(result.status, "completed", JSON.stringify(result.error));
const data = result.data as { teams: string[]; refused: string; most: string };
assert.equal(data.refused, "not_allowed");
assert.equal(data.most, "runtime");
assert.deepEqual(data.teams, ["Python team codegen", "Python team runtime", "Python team sandbox"]);
assert.match(result.logs[0] ?? "", /^engineers per team: \{/);
assert.deepEqual(asked, ["memory.delete_entities"]);
console.log("ok");
