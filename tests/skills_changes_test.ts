/**
 * A skill saved against the real server-memory, then checked against recorded tool lists of a changed server-memory
 * (tests/fixtures/skills/): one with breaking changes, one with compatible ones.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BreakingChangePolicy,
  MCPOrchestrator,
  SkillManager,
  type TaskResult,
  writeServerModule,
} from "../runtime/mod.ts";
import type { Tool } from "../runtime/sdk.ts";
import { memoryOrchestratorOptions } from "./helpers/servers.ts";

const FIXTURES = new URL("./fixtures/skills/", import.meta.url);

async function fixtureTools(name: string): Promise<Tool[]> {
  return JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES))).tools;
}

const CODE =
  `await memory.createEntities({ entities: args.people.map((name) => ({ name, entityType: "person", observations: [] })) });
return (await memory.readGraph()).entities.length;`;

/** A skills manager over the orchestrator's skills folder that sees `tools` as server-memory's current tool list. */
function managerSeeing(
  orch: MCPOrchestrator,
  tools: Tool[],
  onBreakingChange: BreakingChangePolicy,
): SkillManager {
  return new SkillManager({
    serversDir: orch.serversDir,
    servers: () => [{
      name: "memory",
      identifier: "memory",
      dirName: "memory",
      tools: tools.map((t) => t.name),
    }],
    currentTools: (server) => server === "memory" ? tools : undefined,
    runTask: (task) => orch.executeTask(task),
    refuse: (task, error): Promise<TaskResult> =>
      Promise.resolve({
        id: task.id,
        status: "failed",
        logs: [],
        error,
        stats: {
          duration: 0,
          tokensUsed: 0,
          tokensDirect: 0,
          tokensSaved: 0,
          memoryUsed: 0,
          toolsCalled: [],
        },
      }),
  }, { dir: orch.skills.dir, onBreakingChange });
}

Deno.test("a tool schema changed under a skill: breaking changes refuse or warn by policy, compatible ones run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skills-changes-" });
  await using orch = new MCPOrchestrator(memoryOrchestratorOptions(dir));
  try {
    await orch.initialize();
    const saved = await orch.saveSkill("add-people", {
      description: "Adds people to the graph and returns how many entities it holds",
      code: CODE,
      params: {
        type: "object",
        properties: { people: { type: "array", items: { type: "string" } } },
      },
    });
    assert.deepEqual(saved.tools, ["memory.create_entities", "memory.read_graph"]);
    // The hashes a skill records are the generated manifest's.
    const manifestPath = join(orch.serversDir, "memory", "_manifest.json");
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    const hash = (m: typeof manifest, tool: string) =>
      m.tools.find((t: { name: string }) => t.name === tool)?.sha256;
    assert.equal(saved.toolHashes["memory.read_graph"], hash(manifest, "read_graph"));
    assert.equal(saved.toolHashes["memory.create_entities"], hash(manifest, "create_entities"));
    assert.deepEqual(orch.listSkills()[0]?.health, "ok");

    // Breaking: create_entities requires a new parameter, read_graph is gone.
    const breaking = await fixtureTools("memory_tools_breaking.json");
    const changedDir = join(dir, "changed-servers");
    await writeServerModule(changedDir, { name: "memory", version: "changed", tools: breaking });
    const changed = JSON.parse(
      await Deno.readTextFile(join(changedDir, "memory", "_manifest.json")),
    );
    assert.notEqual(hash(changed, "create_entities"), saved.toolHashes["memory.create_entities"]);

    const strict = managerSeeing(orch, breaking, "fail");
    const [listed] = strict.list();
    assert.equal(listed?.health, "breaking");
    assert.deepEqual(listed?.changes, [
      {
        tool: "memory.create_entities",
        kind: "breaking",
        change: 'new required parameter "namespace"',
      },
      { tool: "memory.read_graph", kind: "breaking", change: "removed tool" },
    ]);
    const refused = await strict.execute("add-people", { people: ["Ada"] });
    assert.equal(refused.status, "failed");
    assert.equal(refused.error?.code, "skill_incompatible");
    assert.match(
      refused.error?.message ?? "",
      /memory\.create_entities: new required parameter "namespace"; memory\.read_graph: removed tool/,
    );
    assert.equal(strict.list()[0]?.stats.failures.skill_incompatible, 1);

    // The "warn" policy runs it (the real server has not changed) and says what changed.
    const lenient = managerSeeing(orch, breaking, "warn");
    const warned = await lenient.execute("add-people", { people: ["Ada"] });
    assert.equal(warned.status, "completed", JSON.stringify(warned.error));
    assert.equal(warned.data, 1);
    assert.match(warned.warnings?.join("\n") ?? "", /memory\.read_graph: removed tool/);

    // Compatible: read_graph takes a new optional parameter, create_entities has a new description.
    const compatible = managerSeeing(
      orch,
      await fixtureTools("memory_tools_compatible.json"),
      "fail",
    );
    const [ok] = compatible.list();
    assert.equal(ok?.health, "changed");
    assert.deepEqual(ok?.changes, [
      { tool: "memory.create_entities", kind: "compatible", change: "changed description" },
      { tool: "memory.read_graph", kind: "compatible", change: 'new optional parameter "limit"' },
    ]);
    const ran = await compatible.execute("add-people", { people: ["Bob"] });
    assert.equal(ran.status, "completed", JSON.stringify(ran.error));
    assert.equal(ran.data, 2);
    assert.equal(ran.warnings, undefined);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run that calls a tool the skill was not saved with adds it to the skill's tools", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skills-calls-" });
  await using orch = new MCPOrchestrator(memoryOrchestratorOptions(dir));
  try {
    // A computed call: the code does not name the tool, so only a run shows which one it uses.
    const saved = await orch.saveSkill("call-by-name", {
      description: "Calls a memory tool chosen by its arguments",
      code: `return await memory[args.fn]({});`,
    });
    assert.deepEqual(saved.tools, ["memory"]);
    const result = await orch.executeSkill("call-by-name", { fn: "readGraph" });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const [listed] = orch.listSkills();
    assert.deepEqual(listed?.tools, ["memory", "memory.read_graph"]);
    assert.deepEqual(listed?.stats.toolsCalled, ["memory.read_graph"]);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
