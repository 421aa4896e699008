/**
 * The main job on the embedded default: connects the three reference servers of `mcp.json` (server-memory,
 * server-filesystem over examples/data/, server-everything), generates `servers/`, runs a handful of agent programs
 * in sandboxes and prints what happened. Every task checks its own result; the script exits 1 if one is wrong.
 *
 * Run: `deno task demo`
 *
 * @module
 */

import { MCPOrchestrator, type TaskResult, type ToolProgressEvent } from "../runtime/mod.ts";

const configPath = new URL("../mcp.json", import.meta.url).pathname;
const progress: ToolProgressEvent[] = [];
const approved: string[] = [];
const orch = new MCPOrchestrator({
  config: configPath,
  maxConcurrentTasks: 4,
  onProgress: (event) => progress.push(event),
  // Tools annotated destructive (memory.delete_entities here) are asked about before they go out. A daemon asks
  // the client; this script approves deletions in memory and nothing else.
  approve: (call) => {
    approved.push(`${call.server}.${call.tool} (rule "${call.rule}")`);
    return call.server === "memory" && call.tool === "delete_entities";
  },
});

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function brief(value: unknown, max = 70): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "undefined";
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

let failures = 0;
function check(ok: boolean, what: string): void {
  if (!ok) {
    failures++;
    console.log(`  ✗ ${what}`);
  }
}

console.log("mcp-executor demo: code execution with MCP on real servers\n");
const started = performance.now();
await orch.initialize();
const stats = orch.getStats();
console.log(
  `Connected in ${
    (performance.now() - started).toFixed(0)
  } ms; servers/ generated in ${orch.serversDir}\n`,
);
console.log(table(
  ["server", "transport", "state", "tools", "note"],
  stats.servers.map((s) => [
    s.name,
    s.transport,
    s.state,
    String(s.toolCount),
    s.error === undefined
      ? `${s.serverInfo?.name ?? ""} ${s.serverInfo?.version ?? ""}`
      : brief(s.error, 60),
  ]),
));

const tasks = [
  {
    id: "people",
    shows:
      "agent code chains several calls of one server and filters the data in the sandbox: only the names reach the model",
    description: "write three people into memory, read the graph back, keep only engineers",
    requiredTools: ["memory"],
    code: `
await memory.deleteEntities({ entityNames: ["Ada Moreau", "Bram Osei", "Elif Sato"] });
await memory.createEntities({ entities: [
  { name: "Ada Moreau", entityType: "person", observations: ["engineer", "runtime team"] },
  { name: "Bram Osei", entityType: "person", observations: ["engineer", "sandbox team"] },
  { name: "Elif Sato", entityType: "person", observations: ["manager", "runtime team"] },
] });
await memory.createRelations({ relations: [{ from: "Elif Sato", to: "Ada Moreau", relationType: "manages" }] });
const graph = await memory.readGraph();
console.log(\`graph holds \${graph.entities.length} entities and \${graph.relations.length} relations\`);
return graph.entities
  .filter((e) => e.entityType === "person")
  .map((e) => e.name)
  .sort();`,
    expect: (r: TaskResult) =>
      JSON.stringify(r.data) === JSON.stringify(["Ada Moreau", "Bram Osei", "Elif Sato"]),
  },
  {
    id: "team-report",
    shows:
      "one task reads files through a server and computes the summary itself, instead of the model reading them",
    description: "list examples/data and count engineers per team from team.json",
    requiredTools: [
      "filesystem.list_allowed_directories",
      "filesystem.list_directory",
      "filesystem.read_text_file",
    ],
    code: `
const [root] = (await filesystem.listAllowedDirectories()).content.split("\\n").slice(1);
const listing = await filesystem.listDirectory({ path: root });
const team = JSON.parse((await filesystem.readTextFile({ path: root + "/team.json" })).content);
const perTeam = {};
for (const person of team) if (person.role === "engineer") perTeam[person.team] = (perTeam[person.team] ?? 0) + 1;
return { files: listing.content.split("\\n").length, engineersPerTeam: perTeam };`,
    expect: (r: TaskResult) =>
      JSON.stringify((r.data as { engineersPerTeam: unknown })?.engineersPerTeam) ===
        JSON.stringify({ runtime: 2, sandbox: 1, codegen: 1 }),
  },
  {
    id: "parallel-sums",
    shows: "Promise.all runs tool calls concurrently inside one task",
    description: "five get-sum calls at once with Promise.all",
    requiredTools: ["everything.get-sum"],
    code: `
const sums = await Promise.all([1, 2, 3, 4, 5].map((n) => everything.getSum({ a: n, b: n * 10 })));
// Each answer reads "The sum of 1 and 10 is 11.": keep the number after "is".
return sums.map((s) => Number(String(s).match(/is (-?[\\d.]+?)\\.?$/)?.[1]));`,
    expect: (r: TaskResult) => JSON.stringify(r.data) === JSON.stringify([11, 22, 33, 44, 55]),
  },
  {
    id: "progress",
    shows: "a server's progress notifications reach the host (onProgress) while the task runs",
    description: "a long-running server operation that reports progress",
    requiredTools: ["everything.trigger-long-running-operation"],
    code: `return await everything.triggerLongRunningOperation({ duration: 1, steps: 4 });`,
    expect: (r: TaskResult) => r.status === "completed",
  },
  {
    id: "refused",
    shows: "a call outside the task's requiredTools is refused with a ToolError the code can catch",
    description: "a call to a tool the task did not ask for is refused",
    requiredTools: ["memory.read_graph"],
    code: `
try {
  await memory.deleteEntities({ entityNames: ["Ada Moreau"] });
  return "deleted";
} catch (error) {
  return \`\${error.name} (\${error.code})\`;
}`,
    expect: (r: TaskResult) => r.data === "ToolError (not_allowed)",
  },
  {
    id: "no-escape",
    shows: "the sandbox has no permission to read the host's files: the task fails, as it should",
    description: "agent code cannot read the host's files",
    requiredTools: [],
    code: `return await Deno.readTextFile("/etc/passwd");`,
    expected: "fails",
    expect: (r: TaskResult) => r.status === "failed" && r.error?.name === "NotCapable",
  },
  {
    id: "runaway",
    shows: "an endless loop is killed at the task's deadline: the task times out, as it should",
    description: "an endless loop is killed at its deadline",
    requiredTools: [],
    timeoutMs: 500,
    code: `while (true) {}`,
    expected: "times out",
    expect: (r: TaskResult) => r.status === "timeout",
  },
];

console.log(`\nRunning ${tasks.length} tasks, at most ${stats.maxConcurrentTasks} at once:\n`);
const results = await Promise.all(
  tasks.map(({ expect: _, shows: _shows, expected: _expected, ...task }) =>
    orch.executeTask({ ...task, status: "pending" })
  ),
);
const rows: string[][] = [];
for (const [i, task] of tasks.entries()) {
  const r = results[i]!;
  const ok = task.expect(r);
  check(ok, `${task.id}: unexpected result ${brief(r.data ?? r.error)}`);
  rows.push([
    ok ? "as expected" : "WRONG",
    task.id,
    task.expected ?? "completes",
    r.status,
    `${r.stats.duration.toFixed(0)} ms`,
    String(r.stats.toolsCalled.length),
    String(r.stats.tokensUsed),
    String(r.stats.tokensDirect),
    brief(r.status === "completed" ? r.data : `${r.error?.name}: ${r.error?.message}`, 60),
  ]);
}
console.log(
  table(
    ["outcome", "task", "should", "status", "time", "calls", "tokens", "classic", "result"],
    rows,
  ),
);
console.log(
  '\n  outcome: "as expected" when the task did what it should (for no-escape and runaway that is failing and',
);
console.log(
  "  timing out: the sandbox stopped them), WRONG when it did not; should: the expected status.",
);
console.log(
  "  tokens: what reaches the model in code mode (code, result, logs); classic: the same work with classic",
);
console.log(
  "  tool calling (all 36 tool definitions, every call's arguments and raw result), both o200k_base.",
);

console.log("\nWhat each task shows:");
for (const task of tasks) console.log(`  ${task.id.padEnd(14)} ${task.shows}`);

const people = results[0]!;
if (people.logs.length > 0) console.log(`\nconsole output of "people": ${people.logs.join(" | ")}`);
const steps = progress.filter((p) => p.taskId === "progress").map((p) =>
  `${p.progress}/${p.total ?? "?"}`
);
console.log(`progress notifications of "progress": ${steps.join(", ") || "none"}`);
console.log(`approved before they went out: ${approved.join(", ") || "none"}`);
check(approved.length === 1, "people: expected one approval for memory.delete_entities");
check(steps.length >= 3, "progress: expected progress notifications");

const after = orch.getStats();
console.log(
  `\n${after.tools} tools on ${
    after.servers.filter((s) => s.state === "connected").length
  } servers; ` +
    `tasks: ${Object.entries(after.completedTasks).map(([k, v]) => `${v} ${k}`).join(", ")}`,
);
await orch.shutdown();
if (failures > 0) {
  console.log(`\n${failures} task(s) did not do what they should`);
  Deno.exit(1);
}
console.log("\nEvery task did what it should.");
