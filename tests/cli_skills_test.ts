/**
 * `mcpx skills` as a user runs it: skills saved through the library, then listed, shown, run and removed by a real
 * `deno run cli.ts` process against the starter servers of `mcpx init`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator } from "../runtime/mod.ts";

import { mcpx } from "./helpers/mcpx.ts";

Deno.test("mcpx skills lists, shows, runs and removes the skills beside the config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-skills-" });
  try {
    assert.equal((await mcpx(dir, "init")).code, 0);
    const empty = await mcpx(dir, "skills", "list");
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /No skills in .*skills/);

    {
      await using orch = new MCPOrchestrator({ config: join(dir, "mcp.json"), poolSize: 0 });
      await orch.initialize();
      await orch.saveSkill("count-entities", {
        description: "Counts the entities of the memory graph whose type is given",
        code: `const graph = await memory.readGraph();
return graph.entities.filter((e) => e.entityType === args.type).length;`,
        params: { type: "object", properties: { type: { type: "string" } }, required: ["type"] },
      });
      await orch.saveSkill("count-people", {
        description: "Counts the people in the memory graph",
        code: `import { run } from "skills/count-entities/skill.ts";
return await run({ type: "person" });`,
      });
    }

    const list = await mcpx(dir, "skills", "list", "--json");
    assert.equal(list.code, 0, list.stderr);
    const skills = JSON.parse(list.stdout) as Array<
      { name: string; version: number; health: string }
    >;
    assert.deepEqual(
      skills.map((s) => [s.name, s.version, s.health]),
      [["count-entities", 1, "ok"], ["count-people", 1, "ok"]],
    );

    const show = await mcpx(dir, "skills", "show", "count-entities");
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /name: count-entities/);
    assert.match(show.stdout, /entityType === args\.type/);

    const run = await mcpx(dir, "skills", "run", "count-people", "--json");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout).data, 0);
    const badArgs = await mcpx(dir, "skills", "run", "count-entities", "--args", "{}");
    assert.equal(badArgs.code, 1);
    assert.match(badArgs.stderr, /argument "type" is required/);
    const notJson = await mcpx(dir, "skills", "run", "count-entities", "--args", "{type}");
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /--args is not JSON/);

    const refused = await mcpx(dir, "skills", "rm", "count-entities");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"count-people" imports it; remove those first, or force it/);
    assert.equal((await mcpx(dir, "skills", "rm", "count-people")).code, 0);
    const removed = await mcpx(dir, "skills", "rm", "count-entities");
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Removed skill "count-entities" \(1 version\(s\)\)/);
    assert.deepEqual([...Deno.readDirSync(join(dir, "skills"))].map((e) => e.name), []);
    const missing = await mcpx(dir, "skills", "rm", "count-entities");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no skill "count-entities"/);
    const usage = await mcpx(dir, "skills", "frob");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown subcommand "frob"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
