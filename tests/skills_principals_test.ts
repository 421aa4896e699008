/**
 * Skills per principal, through the orchestrator and the real sandbox: private skills stay their principal's (in
 * listings, search, runs, imports from agent code and resources), shared ones are everyone's, one's own private skill
 * wins over a shared one of the same name, and only a shared skill's author or an admin saves a new version of it.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import type { Principal, TaskResult } from "../runtime/mod.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";

const alice: Principal = { id: "alice", scopes: ["mcpx:execute", "mcpx:skills"] };
const bob: Principal = { id: "bob", scopes: ["mcpx:execute", "mcpx:skills"] };
const admin: Principal = { id: "root", scopes: ["mcpx:skills", "mcpx:admin"] };

function returning(value: string): { description: string; code: string } {
  return { description: `Returns the word ${value}`, code: `return ${JSON.stringify(value)};` };
}

function data(result: TaskResult): unknown {
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  return result.data;
}

/** The private skills folder of an orchestrator fixture: `principal-skills/` beside its `skills/`. */
function privateDir(f: { skillsDir: string }): string {
  return join(dirname(f.skillsDir), "principal-skills");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("skills per principal: two principals keep separate private skills and both see a shared one", async (t) => {
  await using f = await startOrchestrator({ servers: "none" });
  const { orch } = f;
  await orch.saveSkill("greet", returning("alice"), { principal: alice });
  await orch.saveSkill("greet", returning("bob"), { principal: bob });
  await orch.saveSkill("motto", returning("shared"));

  await t.step(
    "the layout: private skills under principal-skills/<id>/ beside skills/, shared ones in skills/",
    async () => {
      assert.ok(await exists(join(privateDir(f), "alice", "greet", "SKILL.md")));
      assert.ok(await exists(join(privateDir(f), "bob", "greet", "SKILL.md")));
      assert.ok(await exists(join(f.skillsDir, "motto", "SKILL.md")));
      assert.ok(!(await exists(join(f.skillsDir, "greet"))));
    },
  );

  await t.step(
    "each lists its own private skill and the shared one; the default principal only shared ones",
    () => {
      const names = (principal?: string) =>
        orch.listSkills(principal === undefined ? {} : { principal }).map((s) =>
          `${s.name}${s.private ? " (private)" : ""}`
        );
      assert.deepEqual(names("alice"), ["greet (private)", "motto"]);
      assert.deepEqual(names("bob"), ["greet (private)", "motto"]);
      assert.deepEqual(names("carol"), ["motto"]);
      assert.deepEqual(names(), ["motto"]);
    },
  );

  await t.step(
    "run_skill runs the caller's own; another principal's private skill is unknown",
    async () => {
      assert.equal(data(await orch.executeSkill("greet", {}, { principal: "alice" })), "alice");
      assert.equal(data(await orch.executeSkill("greet", {}, { principal: "bob" })), "bob");
      assert.equal(data(await orch.executeSkill("motto", {}, { principal: "bob" })), "shared");
      await assert.rejects(
        orch.executeSkill("greet", {}, { principal: "carol" }),
        /Unknown skill "greet"/,
      );
      await assert.rejects(orch.executeSkill("greet", {}), /Unknown skill "greet"/);
    },
  );

  await t.step("search finds one's own private skills and shared ones, never another's", () => {
    assert.deepEqual(orch.searchSkills("word alice", { principal: "alice" }).map((h) => h.name), [
      "greet",
      "motto",
    ]);
    assert.deepEqual(
      orch.searchSkills("returns the word", { principal: "carol" }).map((h) => h.name),
      ["motto"],
    );
    assert.equal(
      orch.skills.searchText("returns the word", { principal: "carol" }).includes("greet"),
      false,
    );
  });

  await t.step("skill:// resources list and read one's own and shared skills only", async () => {
    const uris = (principal: string) => orch.skills.listResources({ principal }).map((r) => r.uri);
    assert.ok(uris("alice").includes("skill://greet/skill.ts"));
    assert.ok(!uris("carol").includes("skill://greet/skill.ts"));
    const own = await orch.skills.readResource("skill://greet/skill.ts", { principal: "alice" });
    assert.match(own.text, /return "alice";/);
    await assert.rejects(
      orch.skills.readResource("skill://greet/skill.ts", { principal: "carol" }),
      /there is no skill "greet"/,
    );
    const index = JSON.parse(
      (await orch.skills.readResource("skill://index.json", { principal: "carol" })).text,
    );
    assert.deepEqual(index.skills.map((s: { name: string }) => s.name), ["motto"]);
  });

  await t.step(
    "agent code imports its principal's private skill, and cannot reach another's",
    async () => {
      const code = `import { run } from "skills/greet/skill.ts";\nreturn await run({});`;
      assert.equal(data(await f.run(code, [], { principal: "alice" })), "alice");
      assert.equal(data(await f.run(code, [], { principal: "bob" })), "bob");
      const carol = await f.run(code, [], { principal: "carol" });
      assert.equal(carol.status, "failed");
      const hidden = await f.run(
        `import { run } from "skills/.principals/alice/greet/skill.ts";\nreturn await run({});`,
        [],
        { principal: "bob" },
      );
      assert.equal(hidden.status, "failed");
      assert.doesNotMatch(JSON.stringify(hidden), /"alice"$/);
    },
  );

  await t.step("saveSkillFromTask keeps only the saver's own task", async () => {
    await f.run(`return 7;`, [], { id: "alice-task", principal: "alice" });
    await assert.rejects(
      orch.saveSkillFromTask("alice-task", "seven", { description: "Seven", principal: "bob" }),
      /no completed task with that id/,
    );
    const saved = await orch.saveSkillFromTask("alice-task", "seven", {
      description: "Seven",
      principal: "alice",
    });
    assert.equal(saved.version, 1);
  });
});

Deno.test("skills per principal: one's own private skill wins over a shared one of the same name", async () => {
  await using f = await startOrchestrator({ servers: "none" });
  const { orch } = f;
  await orch.saveSkill("motto", returning("shared"));
  await orch.saveSkill("motto", returning("mine"), { principal: "alice" });
  assert.equal(data(await orch.executeSkill("motto", {}, { principal: "alice" })), "mine");
  assert.equal(data(await orch.executeSkill("motto", {}, { principal: "bob" })), "shared");
  const code = `import { run } from "skills/motto/skill.ts";\nreturn await run({});`;
  assert.equal(data(await f.run(code, [], { principal: "alice" })), "mine");
  assert.equal(data(await f.run(code, [], { principal: "bob" })), "shared");
  assert.equal(
    (await orch.loadSkill("motto", { principal: "alice" })).metadata.description,
    "Returns the word mine",
  );
});

Deno.test("skills per principal: skills import private ones of their owner and shared ones; shared ones only shared", async () => {
  await using f = await startOrchestrator({ servers: "none" });
  const { orch } = f;
  await orch.saveSkill("base", returning("shared base"));
  await orch.saveSkill("secret", returning("alice's secret"), { principal: "alice" });
  await orch.saveSkill("combo", {
    description: "Joins the base and the secret",
    code: `import { run as base } from "skills/base/skill.ts";
import { run as secret } from "skills/secret/skill.ts";
return [await base({}), await secret({})].join(" + ");`,
  }, { principal: "alice" });
  assert.equal(
    data(await orch.executeSkill("combo", {}, { principal: "alice" })),
    "shared base + alice's secret",
  );
  await assert.rejects(
    orch.saveSkill("leak", {
      description: "Shares a private skill",
      code: `import { run } from "skills/secret/skill.ts";\nreturn await run({});`,
    }, { principal: alice, shared: true }),
    /it imports skill "secret", which does not exist or is broken/,
  );
});

Deno.test("skills per principal: a non-author is refused overwriting a shared skill; its author and an admin are not", async () => {
  await using f = await startOrchestrator({ servers: "none" });
  const { orch } = f;
  const saved = await orch.saveSkill("team-report", returning("v1"), {
    principal: alice,
    shared: true,
  });
  assert.equal(saved.author, "alice");
  assert.match(
    await Deno.readTextFile(join(f.skillsDir, "team-report", "SKILL.md")),
    /author: alice/,
  );

  await assert.rejects(
    orch.saveSkill("team-report", returning("bob's"), { principal: bob, shared: true }),
    /Cannot save skill "team-report": another principal saved the shared skill of that name; only its author or a principal with the "mcpx:admin" scope may save a new version/,
  );
  await assert.rejects(
    orch.saveSkill("team-report", returning("x"), {
      principal: { id: "eve", scopes: ["mcpx:execute"] },
      shared: true,
    }),
    /sharing a skill needs the "mcpx:skills" scope/,
  );
  // Bob may still keep a private one of that name, which wins for him.
  await orch.saveSkill("team-report", returning("bob's"), { principal: bob });
  assert.equal(data(await orch.executeSkill("team-report", {}, { principal: "bob" })), "bob's");

  assert.equal(
    (await orch.saveSkill("team-report", returning("v2"), { principal: alice, shared: true }))
      .version,
    2,
  );
  const fixed = await orch.saveSkill("team-report", returning("v3"), {
    principal: admin,
    shared: true,
  });
  assert.deepEqual([fixed.version, fixed.author], [3, "alice"]);
  // The library's own calls hold every right.
  assert.equal((await orch.saveSkill("team-report", returning("v4"))).version, 4);
  assert.equal(data(await orch.executeSkill("team-report", {}, { principal: "carol" })), "v4");
});

Deno.test("skills per principal: principal ids from OAuth issuers get a safe, reversible folder", async () => {
  await using f = await startOrchestrator({ servers: "none" });
  const id = "https://issuer.example/#Ann:../x";
  await f.orch.saveSkill("note", returning("ann"), { principal: id });
  const folder = join(
    privateDir(f),
    "https%3a%2f%2fissuer%2eexample%2f%23%41nn%3a%2e%2e%2fx",
  );
  assert.ok(await exists(join(folder, "note", "SKILL.md")));
  assert.equal(f.orch.skills.dirOf(id), folder);
  assert.equal(data(await f.orch.executeSkill("note", {}, { principal: id })), "ann");
  const code = `import { run } from "skills/note/skill.ts";\nreturn await run({});`;
  assert.equal(data(await f.run(code, [], { principal: id })), "ann");
});

Deno.test("a task cannot read another principal's private skill files, even by their host path", async (t) => {
  await using f = await startOrchestrator({ servers: "none" });
  await f.orch.saveSkill("greet", returning("alice"), { principal: "alice" });
  await f.orch.saveSkill("greet", returning("bob"), { principal: "bob" });
  await f.orch.saveSkill("motto", returning("shared"));
  const alicePath = join(privateDir(f), "alice", "greet", "skill.ts");
  const read = (path: string) => `return await Deno.readTextFile(${JSON.stringify(path)});`;

  await t.step("a pooled task of another principal, or of none, is refused", async () => {
    for (const principal of ["bob", undefined]) {
      const result = await f.run(read(alicePath), [], principal === undefined ? {} : { principal });
      assert.equal(result.status, "failed");
      assert.match(result.error?.message ?? "", /NotCapable|Requires read access/);
    }
  });

  await t.step(
    "a task that imports its own private skill still cannot read another principal's",
    async () => {
      const code = `import { run } from "skills/greet/skill.ts";
const own = await run({});
try { await Deno.readTextFile(${
        JSON.stringify(alicePath)
      }); return "read"; } catch (e) { return [own, e.name]; }`;
      const result = await f.run(code, [], { principal: "bob" });
      assert.deepEqual(data(result), ["bob", "NotCapable"]);
    },
  );

  await t.step("the shared skills folder holds no private skill", async () => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(f.skillsDir)) names.push(entry.name);
    assert.deepEqual(names, ["motto"]);
  });
});
