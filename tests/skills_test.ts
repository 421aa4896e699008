/**
 * Skills against the real server-memory: saved from a task, found, run with new arguments, versioned, composed,
 * broken by hand, and checked against a changed tool list.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions, type TaskResult } from "../runtime/mod.ts";
import { npmServer } from "./helpers/servers.ts";

interface Fixture extends AsyncDisposable {
  orch: MCPOrchestrator;
  dir: string;
  skillsDir: string;
  run(code: string, requiredTools?: string[]): Promise<TaskResult>;
}

let counter = 0;

async function start(options: Partial<OrchestratorOptions> = {}): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "skills-test-" });
  const orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    ...options,
  });
  await orch.initialize();
  return {
    orch,
    dir,
    skillsDir: join(dir, "skills"),
    run: (code, requiredTools = ["memory"]) =>
      orch.executeTask({
        id: `task-${++counter}`,
        description: "test",
        code,
        requiredTools,
        status: "pending",
      }),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const COUNT_DOMAIN = `
const email = (e) => e.observations.find((o) => o.startsWith("email:"))?.slice(6) ?? "";
const graph = await memory.readGraph();
return graph.entities.filter((e) => email(e).endsWith("@" + args.domain)).length;`;

const DOMAIN_PARAMS = {
  type: "object",
  properties: { domain: { type: "string", description: "The email domain, e.g. example.org" } },
  required: ["domain"],
  additionalProperties: false,
};

function assertCompleted(result: TaskResult): void {
  assert.equal(result.status, "completed", JSON.stringify(result.error));
}

Deno.test("a task that wrote and read server-memory is saved, found by meaning and run with new args", async () => {
  await using f = await start();
  const task = await f.run(`
await memory.createEntities({ entities: [
  { name: "Ada", entityType: "person", observations: ["email:ada@example.org"] },
  { name: "Bob", entityType: "person", observations: ["email:bob@example.com"] },
  { name: "Cy", entityType: "person", observations: ["email:cy@example.org"] },
] });
const args = { domain: "example.org" };
${COUNT_DOMAIN}`);
  assertCompleted(task);
  assert.equal(task.data, 2);

  // The task declared its own args; the saved skill gets them from executeSkill instead.
  const saved = await f.orch.saveSkill("count-domain", {
    description: "Counts the contacts whose email address is at a given domain",
    code: COUNT_DOMAIN,
    tags: ["crm"],
    params: DOMAIN_PARAMS,
    tools: task.stats.toolsCalled,
  });
  assert.equal(saved.version, 1);
  assert.deepEqual(saved.tools, ["memory.create_entities", "memory.read_graph"]);
  assert.match(saved.toolHashes["memory.read_graph"]!, /^[0-9a-f]{64}$/);

  // No word of "count-domain" in the query.
  const [hit] = f.orch.searchSkills("how many people per mail address");
  assert.equal(hit?.name, "count-domain");

  const other = await f.orch.executeSkill("count-domain", { domain: "example.com" });
  assertCompleted(other);
  assert.equal(other.data, 1);
  assert.deepEqual(other.stats.toolsCalled, ["memory.read_graph"]);

  const [listed] = f.orch.listSkills();
  assert.equal(listed?.health, "ok");
  assert.equal(listed?.stats.runs, 1);
  assert.equal(listed?.stats.successes, 1);
});

Deno.test("saveSkillFromTask() promotes a completed task with the tools it called", async () => {
  await using f = await start();
  const task = await f.run(`
await memory.createEntities({ entities: [{ name: "Dee", entityType: "person", observations: [] }] });
return (await memory.readGraph()).entities.map((e) => e.name);`);
  assertCompleted(task);
  const saved = await f.orch.saveSkillFromTask(task.id, "add-dee", {
    description: "Adds Dee to the graph and lists every name",
  });
  assert.deepEqual(saved.tools, ["memory.create_entities", "memory.read_graph"]);
  const run = await f.orch.executeSkill("add-dee", {});
  assertCompleted(run);
  assert.deepEqual(run.data, ["Dee"]);
  await assert.rejects(
    f.orch.saveSkillFromTask("no-such-task", "x", { description: "x" }),
    /no completed task with that id/,
  );
});
