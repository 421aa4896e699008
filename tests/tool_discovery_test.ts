import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions } from "../runtime/mod.ts";
import { memoryOrchestratorOptions } from "./helpers/servers.ts";

let taskCounter = 0;

async function start(
  dir: string,
  options: Partial<OrchestratorOptions> = {},
): Promise<MCPOrchestrator> {
  const orch = new MCPOrchestrator(memoryOrchestratorOptions(dir, {
    ...options,
  }));
  await orch.initialize();
  return orch;
}

function run(orch: MCPOrchestrator, code: string, extra: Record<string, unknown> = {}) {
  return orch.executeTask({
    id: `discovery-${++taskCounter}`,
    description: "test task",
    code,
    requiredTools: ["memory"],
    status: "pending",
    ...extra,
  });
}

Deno.test("agent code reads the catalog through tools.search and tools.list", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    await using orch = await start(dir);
    const result = await run(
      orch,
      `const hits = await tools.search("read the whole knowledge graph", { limit: 2 });
const listed = await tools.list("memory");
const everything = await tools.list();
const none = await tools.list("nope");
return { first: hits[0], count: listed.length, all: everything.length, none };`,
      { requiredTools: [] },
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const value = result.data as Record<string, unknown>;
    assert.deepEqual(value.first, {
      name: "memory.read_graph",
      server: "memory",
      tool: "read_graph",
      functionName: "readGraph",
      description: "Read the entire knowledge graph",
    });
    assert.equal(value.count, 9);
    assert.equal(value.all, 9);
    assert.deepEqual(value.none, []);
    // Reading the catalog is discovery: a call still needs requiredTools.
    const call = await run(
      orch,
      `const [hit] = await tools.search("read graph", { limit: 1 });
try {
  await globalThis[Symbol.for("mcp-executor.bridge")].callTool(hit.server, hit.tool, {});
} catch (e) {
  return e.code;
}`,
      { requiredTools: [] },
    );
    assert.equal(call.data, "not_allowed");
    assert.deepEqual(call.stats.toolsCalled, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a search followed by a task of the same session teaches the ranking, kept beside the state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    const query = "jot down facts about a colleague";
    {
      await using orch = await start(dir);
      assert.notEqual(
        orch.searchTools(query, { session: "s1" })[0]?.name,
        "memory.add_observations",
      );
      orch.searchTools("add observations alice@example.org 555-0100", { session: "s1" });
      const result = await run(
        orch,
        `await memory.createEntities({ entities: [{ name: "Ada", entityType: "person", observations: [] }] });
await memory.addObservations({ observations: [{ entityName: "Ada", contents: ["likes tea"] }] });
return 1;`,
        { session: "s1" },
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.equal(orch.searchTools(query, { session: "s2" })[0]?.name, "memory.add_observations");
    }
    // The usage file holds terms only, and a new orchestrator on the same state starts with them.
    const text = await Deno.readTextFile(join(dir, "state", "search_usage.json"));
    for (const value of ["alice", "example.org", "555", "Ada", "tea", "s1"]) {
      assert.ok(!text.includes(value), `usage file holds "${value}"`);
    }
    await using again = await start(dir);
    assert.equal(again.searchTools(query)[0]?.name, "memory.add_observations");
    await using off = await start(dir, { learnFromUse: false });
    assert.notEqual(off.searchTools(query)[0]?.name, "memory.add_observations");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findTools() blends the embed option's ranking into BM25", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    const seen: string[] = [];
    // A deterministic embedding that knows one thing: "remember" is close to observations.
    const embed = (texts: string[]) => {
      seen.push(...texts);
      return Promise.resolve(texts.map((t) => /remember|observation/i.test(t) ? [1, 0] : [0, 1]));
    };
    await using orch = await start(dir, { embed });
    const hits = await orch.findTools("remember this", { detail: "name", limit: 3 });
    assert.ok(hits.some((h) => h.name === "memory.add_observations"), JSON.stringify(hits));
    assert.ok(seen.includes("remember this"));
    assert.deepEqual(
      orch.searchTools("read graph", { detail: "name", limit: 1 }).map((h) => h.name),
      ["memory.read_graph"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing embed leaves tools.search on BM25 and its error on the host", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    const embed = () =>
      Promise.reject(new Error("POST https://embed.internal/v1?key=sk-secret failed"));
    await using orch = await start(dir, { embed });
    const result = await run(
      orch,
      `return (await tools.search("read graph", { limit: 1 })).map((hit) => hit.name);`,
      { requiredTools: [] },
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, ["memory.read_graph"]);
    assert.ok(!JSON.stringify(result).includes("sk-secret"));
    await assert.rejects(() => orch.findTools("read graph"), /sk-secret/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with embed, tool texts are embedded at startup, so a search embeds only its query", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    const calls: string[][] = [];
    const embed = (texts: string[]) => {
      calls.push(texts);
      return Promise.resolve(texts.map((t) => [t.length % 7, 1]));
    };
    await using orch = await start(dir, { embed });
    await orch.findTools("remember this", { detail: "name" });
    const tools = orch.listTools("memory").length;
    assert.equal(tools, 9);
    // One call per tool text ahead of the search, then the query alone.
    assert.deepEqual(calls.map((texts) => texts.length), [...new Array(tools).fill(1), 1]);
    assert.deepEqual(calls.at(-1), ["remember this"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shutdown stops embedding tool texts ahead of searches", async () => {
  const dir = await Deno.makeTempDir({ prefix: "discovery-test-" });
  try {
    let calls = 0;
    const embed = async (texts: string[]) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return texts.map(() => [1, 0]);
    };
    const orch = await start(dir, { embed });
    await orch.shutdown();
    const atShutdown = calls;
    assert.ok(atShutdown < 9, `embedded ${atShutdown} of 9 tool texts before shutdown returned`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(calls, atShutdown, "no embedding after shutdown");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
