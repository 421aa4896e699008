/**
 * Python skills (issue 21): saved with `language: "python"` into `skill.py` beside SKILL.md, run with their
 * arguments, imported by another Python skill, versioned; a TypeScript import of one says what to do instead.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";

Deno.test("Python skills save to skill.py, run, import each other and refuse TypeScript callers", async (t) => {
  await using f = await startOrchestrator({ servers: "memory", pythonPoolSize: 1 });

  await t.step("save_skill with language python writes skill.py and runs with args", async () => {
    const saved = await f.orch.saveSkill("count-people", {
      description: "Counts the person entities whose name starts with a prefix",
      language: "python",
      code: `graph = await memory.read_graph()
len([e for e in graph["entities"] if e["entityType"] == "person" and e["name"].startswith(args["prefix"])])`,
    });
    assert.equal(saved.version, 1);
    assert.deepEqual(saved.tools, ["memory"]);
    const file = await Deno.readTextFile(join(f.skillsDir, "count-people", "skill.py"));
    assert.match(file, /^graph = await memory\.read_graph\(\)/);
    const md = await Deno.readTextFile(join(f.skillsDir, "count-people", "SKILL.md"));
    assert.match(md, /from skills\.count_people import run/);
    await f.run(
      `await memory.create_entities(entities=[
    {"name": "Ada", "entityType": "person", "observations": []},
    {"name": "Alan", "entityType": "person", "observations": []},
    {"name": "Bram", "entityType": "person", "observations": []},
])
None`,
      ["memory"],
      { language: "python" },
    );
    const result = await f.orch.executeSkill("count-people", { prefix: "A" });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, 2);
  });

  await t.step("a Python skill imports another Python skill", async () => {
    await f.orch.saveSkill("greet-people", {
      description: "Greets the people counted by count-people",
      language: "python",
      code: `from skills.count_people import run
n = await run({"prefix": args.get("prefix", "")})
f"hello, {n} people"`,
      tools: ["memory"],
    });
    const result = await f.orch.executeSkill("greet-people", { prefix: "B" });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, "hello, 1 people");
    const direct = await f.run(
      `from skills.count_people import run\nawait run({"prefix": ""})`,
      ["memory"],
      { language: "python" },
    );
    assert.equal(direct.data, 3, JSON.stringify(direct.error));
  });

  await t.step("a second save is version 2; the old version still runs", async () => {
    const saved = await f.orch.saveSkill("count-people", {
      description: "Counts every entity",
      language: "python",
      code: `len((await memory.read_graph())["entities"]) + 100`,
    });
    assert.equal(saved.version, 2);
    assert.equal((await f.orch.executeSkill("count-people", {})).data, 103);
    const old = await f.orch.executeSkill("count-people", { prefix: "A" }, { version: 1 });
    assert.equal(old.data, 2, JSON.stringify(old.error));
  });

  await t.step("cross-language imports fail with a message that says so", async () => {
    const fromTs = await f.run(
      `import { run } from "skills/count-people/skill.ts";\nreturn await run({});`,
      ["memory"],
    );
    assert.equal(fromTs.status, "failed");
    assert.match(
      fromTs.error?.message ?? "",
      /it is a Python skill.*cross-language imports are out of scope/,
    );
    await f.orch.saveSkill("ts-one", { description: "Returns one", code: "return 1;" });
    const fromPy = await f.run(`from skills.ts_one import run\nawait run({})`, [], {
      language: "python",
    });
    assert.equal(fromPy.status, "failed");
    assert.match(
      fromPy.error?.message ?? "",
      /it is a TypeScript skill; cross-language imports are out of scope/,
    );
  });
});
