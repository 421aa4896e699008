/**
 * Skills against the real server-memory: saved from a task, found, run with new arguments, versioned, composed,
 * broken by hand, and checked against a changed tool list.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { OrchestratorOptions, TaskResult } from "../runtime/mod.ts";
import { type OrchestratorFixture, startOrchestrator } from "./helpers/orchestrator_fixture.ts";

function start(options: Partial<OrchestratorOptions> = {}): Promise<OrchestratorFixture> {
  return startOrchestrator({ servers: "memory", tools: ["memory"], ...options });
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

Deno.test("executeSkill() refuses bad args naming the field, and runs an old version on request", async () => {
  await using f = await start();
  await f.orch.saveSkill("count-domain", {
    description: "Counts the contacts whose email address is at a given domain",
    code: COUNT_DOMAIN,
    params: DOMAIN_PARAMS,
  });
  await assert.rejects(f.orch.executeSkill("count-domain", {}), /argument "domain" is required/);
  await assert.rejects(
    f.orch.executeSkill("count-domain", { domain: 42 }),
    /argument "domain": .*Expected "string"/,
  );
  await assert.rejects(f.orch.executeSkill("count-domain", { domain: "a", extra: 1 }), /"extra"/);
  await assert.rejects(f.orch.executeSkill("no-such-skill", {}), /Unknown skill "no-such-skill"/);

  const v2 = await f.orch.saveSkill("count-domain", {
    description: "Counts the contacts whose email address is at a given domain, as text",
    code: `return "count: " + (await memory.readGraph()).entities.length;`,
    params: DOMAIN_PARAMS,
  });
  assert.equal(v2.version, 2);
  const loaded = await f.orch.loadSkill("count-domain");
  assert.deepEqual(loaded.versions, [1, 2]);
  assert.match(loaded.files["skill.ts"], /"count: "/);
  const current = await f.orch.executeSkill("count-domain", { domain: "example.org" });
  assertCompleted(current);
  assert.equal(current.data, "count: 0");
  const old = await f.orch.executeSkill("count-domain", { domain: "example.org" }, { version: 1 });
  assertCompleted(old);
  assert.equal(old.data, 0);
  await assert.rejects(
    f.orch.executeSkill("count-domain", { domain: "x" }, { version: 7 }),
    /has no version 7 \(versions: 1, 2\)/,
  );
});

Deno.test("a skill imports another skill; a task imports a skill; both run with the tools they need", async () => {
  await using f = await start();
  await f.run(`await memory.createEntities({ entities: [
    { name: "Ada", entityType: "person", observations: ["email:ada@example.org"] },
    { name: "Bob", entityType: "person", observations: ["email:bob@example.com"] },
  ] });`);
  await f.orch.saveSkill("count-domain", {
    description: "Counts the contacts whose email address is at a given domain",
    code: COUNT_DOMAIN,
    params: DOMAIN_PARAMS,
  });
  const both = await f.orch.saveSkill("count-two-domains", {
    description: "Counts contacts at example.org and at example.com",
    code: `import { run as countDomain } from "skills/count-domain/skill.ts";
return { org: await countDomain({ domain: "example.org" }), com: await countDomain({ domain: "example.com" }) };`,
  });
  assert.deepEqual(both.skills, ["count-domain"]);
  assert.deepEqual(both.tools, []);
  const result = await f.orch.executeSkill("count-two-domains", {});
  assertCompleted(result);
  assert.deepEqual(result.data, { org: 1, com: 1 });
  assert.deepEqual(result.stats.toolsCalled, ["memory.read_graph", "memory.read_graph"]);

  const task = await f.run(
    `import { run } from "skills/count-domain/skill.ts";
return await run({ domain: "example.com" });`,
    ["memory.read_graph"],
  );
  assertCompleted(task);
  assert.equal(task.data, 1);

  await assert.rejects(
    f.orch.saveSkill("uses-missing", {
      description: "Imports a skill that does not exist",
      code: `import { run } from "skills/not-there/skill.ts";\nreturn await run({});`,
    }),
    /imports skill "not-there", which does not exist/,
  );
});

Deno.test("a hand-edited skill that no longer parses is listed as broken; the others still load and run", async () => {
  await using f = await start();
  for (const name of ["good-one", "bad-code", "bad-front-matter"]) {
    await f.orch.saveSkill(name, {
      description: `Returns the name ${name}`,
      code: `return "${name}";`,
    });
  }
  await Deno.writeTextFile(
    join(f.skillsDir, "bad-code", "skill.ts"),
    `export async function run(args: any) {\n  return (;\n}\n`,
  );
  const md = join(f.skillsDir, "bad-front-matter", "SKILL.md");
  await Deno.writeTextFile(
    md,
    (await Deno.readTextFile(md)).replace(/^name: .*$/m, "name: [unclosed"),
  );

  const skills = new Map(f.orch.listSkills().map((s) => [s.name, s]));
  assert.equal(skills.get("good-one")?.health, "ok");
  assert.equal(skills.get("bad-code")?.health, "broken");
  assert.equal(skills.get("bad-code")?.problem?.file, "bad-code/skill.ts");
  assert.match(skills.get("bad-code")?.problem?.reason ?? "", /line 2, column 11/);
  assert.equal(skills.get("bad-front-matter")?.health, "broken");
  assert.equal(skills.get("bad-front-matter")?.problem?.file, "bad-front-matter/SKILL.md");
  assert.match(skills.get("bad-front-matter")?.problem?.reason ?? "", /Invalid YAML/);

  await assert.rejects(
    f.orch.executeSkill("bad-code", {}),
    /bad-code\/skill\.ts: Cannot parse skill\.ts at line 2/,
  );
  assert.deepEqual(f.orch.searchSkills("returns the name").map((hit) => hit.name), ["good-one"]);
  const good = await f.orch.executeSkill("good-one", {});
  assertCompleted(good);
  assert.equal(good.data, "good-one");
  // An older version of a broken skill still runs.
  await f.orch.saveSkill("bad-code", { description: "Fixed", code: `return "fixed";` });
  assert.equal((await f.orch.executeSkill("bad-code", {}, { version: 1 })).data, "bad-code");
});

Deno.test("searchSkills() ranks a skill that keeps failing below one that works", async () => {
  await using f = await start();
  await f.orch.saveSkill("weekly-report-a", {
    description: "Builds the weekly sales report",
    code: `throw new Error("the report source is gone");`,
  });
  await f.orch.saveSkill("weekly-report-b", {
    description: "Builds the weekly sales report",
    code: `return "report";`,
  });
  for (let i = 0; i < 3; i++) {
    assert.equal((await f.orch.executeSkill("weekly-report-a", {})).status, "failed");
    assertCompleted(await f.orch.executeSkill("weekly-report-b", {}));
  }
  const hits = f.orch.searchSkills("weekly sales report");
  assert.deepEqual(hits.map((hit) => hit.name), ["weekly-report-b", "weekly-report-a"]);
  const failing = f.orch.listSkills().find((s) => s.name === "weekly-report-a")!;
  assert.equal(failing.stats.runs, 3);
  assert.deepEqual(failing.stats.failures, { agent_error: 3 });
  assert.match(failing.stats.lastError?.message ?? "", /the report source is gone/);
  assert.ok(failing.stats.medianDurationMs > 0);
  assert.match(
    f.orch.skills.searchText("sales report"),
    /^import \{ run \} from "skills\/weekly-report-b\/skill\.ts"; \/\/ skill weekly-report-b v1/,
  );
});

Deno.test("skills are readable as skill:// resources with a discovery index", async () => {
  await using f = await start();
  await f.orch.saveSkill("count-domain", {
    description: "Counts the contacts whose email address is at a given domain",
    code: COUNT_DOMAIN,
    params: DOMAIN_PARAMS,
  });
  const uris = f.orch.skills.listResources().map((r) => r.uri);
  assert.deepEqual(uris, [
    "skill://index.json",
    "skill://count-domain/SKILL.md",
    "skill://count-domain/skill.ts",
  ]);
  const md = await f.orch.skills.readResource("skill://count-domain/SKILL.md");
  assert.equal(md.mimeType, "text/markdown");
  assert.match(md.text, /^---\nname: count-domain\n/);
  const code = await f.orch.skills.readResource("skill://count-domain/skill.ts");
  assert.match(code.text, /export async function run\(args: any\)/);
  const index = JSON.parse((await f.orch.skills.readResource("skill://index.json")).text);
  assert.deepEqual(index.skills[0], {
    name: "count-domain",
    type: "skill-md",
    description: "Counts the contacts whose email address is at a given domain",
    url: "skill://count-domain/SKILL.md",
  });
  await assert.rejects(
    f.orch.skills.readResource("skill://count-domain/stats.json"),
    /Unknown skill resource/,
  );
  await assert.rejects(f.orch.skills.readResource("skill://../SKILL.md"), /Unknown skill resource/);
});

Deno.test("agent code can read the skills folder but not change it; saveSkill screens code with the blocker", async () => {
  await using f = await start();
  await f.orch.saveSkill("plain", { description: "Returns one", code: "return 1;" });
  await f.orch.executeSkill("plain", {});
  const stats = JSON.stringify(join(f.skillsDir, "plain", "stats.json"));
  const read = await f.run(`return JSON.parse(await Deno.readTextFile(${stats})).runs;`, []);
  assertCompleted(read);
  assert.equal(read.data, 1);
  const skillTs = JSON.stringify(join(f.skillsDir, "plain", "skill.ts"));
  const write = await f.run(
    `await Deno.writeTextFile(${skillTs}, "export const run = () => 2;");`,
    [],
  );
  assert.equal(write.status, "failed");
  assert.match(write.error?.message ?? "", /write access/);
  assert.equal((await f.orch.executeSkill("plain", {})).data, 1);
  await assert.rejects(
    f.orch.saveSkill("evil", { description: "Evaluates", code: 'return eval("1 + 1");' }),
    /Cannot save skill "evil": .*eval/,
  );
});
