/**
 * Example 2, why code mode saves tokens: the same work done by a program in the sandbox, with the cost counted for
 * both ways on this very run (o200k_base, a real tokenizer).
 *
 * Classic tool calling puts every connected server's tool definitions in the model's context, then every call's
 * arguments and every raw result. Code mode spends a search, the program and its small result.
 *
 * Run: `deno run -A examples/02-token-efficiency.ts`. It checks its own result and exits non-zero when it is wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import { countTokens } from "../runtime/mod.ts";
import { exampleOrchestrator, TASK } from "./_example.ts";

await using orch = await exampleOrchestrator();

// What the agent reads to find its tools: a search at the "description" level, one line a hit.
const discovery = orch.searchToolsText("read a text file", { detail: "description", limit: 3 }) +
  orch.searchToolsText("list a directory", { detail: "description", limit: 2 });

const result = await orch.executeTask({
  ...TASK,
  id: "token-efficiency",
  requiredTools: ["filesystem"],
  code: `
// Every file of examples/data, read in parallel; only a summary goes back.
const listing = await filesystem.listDirectory({ path: "." });
const files = listing.content.split("\\n").filter((l) => l.startsWith("[FILE]")).map((l) => l.slice(7));
const texts = await Promise.all(files.map((path) => filesystem.readTextFile({ path })));
const team = JSON.parse(texts[files.indexOf("team.json")].content);
const notes = texts[files.indexOf("meeting-notes.md")].content;
const owners = [...notes.matchAll(/^- (\\w+): /gm)].map((m) => m[1]);
return {
  files: files.length,
  engineers: team.filter((p) => p.role === "engineer").length,
  actionOwners: team.filter((p) => owners.includes(p.name.split(" ")[0])).map((p) => p.email),
};`,
});
assert.equal(result.status, "completed", result.error?.message);

const s = result.stats;
const definitions = orch.toolDefinitionTokens();
const discoveryTokens = countTokens(discovery);
const codeMode = s.tokensUsed + discoveryTokens;
const rows: [string, number, number][] = [
  ["tool definitions in context", definitions, 0],
  ["tool calls and raw results", s.tokensDirect - definitions, 0],
  ["search results read", 0, discoveryTokens],
  ["program, result and logs", 0, s.tokensUsed],
];
const total: [string, number, number] = ["total", s.tokensDirect, codeMode];
const width = Math.max(...rows.map((r) => r[0].length));
const line = ([what, classic, code]: [string, number, number]) =>
  `  ${what.padEnd(width)}  ${String(classic).padStart(7)}  ${String(code).padStart(9)}`;
console.log(`${s.toolsCalled.length} tool calls: ${[...new Set(s.toolsCalled)].join(", ")}\n`);
console.log(
  `  ${"tokens (o200k_base)".padEnd(width)}  ${"classic".padStart(7)}  ${"code mode".padStart(9)}`,
);
for (const row of rows) console.log(line(row));
console.log(line(total));
const saved = 1 - codeMode / s.tokensDirect;
console.log(`\ncode mode spent ${(saved * 100).toFixed(1)} % fewer tokens on this run`);
console.log("result:", JSON.stringify(result.data));

assert.deepEqual(result.data, {
  files: 3,
  engineers: 4,
  actionOwners: ["ada.moreau@example.com", "bram.osei@example.com", "elif.sato@example.com"],
});
assert.ok(
  s.tokensDirect > definitions,
  "classic tool calling counts the calls on top of the definitions",
);
assert.ok(
  saved > 0.5,
  `code mode should save more than half here, saved ${(saved * 100).toFixed(1)} %`,
);
console.log("ok");
