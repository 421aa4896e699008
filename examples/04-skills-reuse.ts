/**
 * Example 4, skills: a program that worked once is saved as a skill, found later by what it does (not by its name),
 * run with new arguments, improved as version 2 while version 1 stays runnable, and reused from another task.
 *
 * Run: `deno run -A examples/04-skills-reuse.ts`. It checks its own result and exits non-zero when it is wrong.
 * The skills go to a temporary folder, so the project's own skills/ stays as it is.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { exampleOrchestrator, TASK } from "./_example.ts";

const scratch = await Deno.makeTempDir({ prefix: "mcpx-example-04-" });
await using orch = await exampleOrchestrator({ skillsDir: join(scratch, "skills") });
try {
  // 1. An agent solves a task once: count the team members per role in examples/data/team.json.
  const first = await orch.executeTask({
    ...TASK,
    id: "count-roles-once",
    requiredTools: ["filesystem"],
    code: `
const { content } = await filesystem.readTextFile({ path: "team.json" });
const counts = {};
for (const person of JSON.parse(content)) counts[person.role] = (counts[person.role] ?? 0) + 1;
return counts;`,
  });
  assert.equal(first.status, "completed", first.error?.message);

  // 2. It saves the program as a skill, with its arguments made explicit (`args` is in scope).
  const saved = await orch.saveSkill("people-per-role", {
    description: "Count the people of a JSON team file per role",
    tags: ["team"],
    params: {
      type: "object",
      properties: { file: { type: "string" } },
      required: ["file"],
    },
    code: `
const { content } = await filesystem.readTextFile({ path: args.file });
const counts = {};
for (const person of JSON.parse(content)) counts[person.role] = (counts[person.role] ?? 0) + 1;
return counts;`,
  });
  console.log(`saved ${saved.name} v${saved.version}; tools: ${saved.tools.join(", ")}`);

  // 3. Later, an agent searches by what it needs, in other words than the name.
  const hits = orch.searchSkills("count the members of a team file");
  console.log("search:", hits.map((h) => `${h.name} v${h.version}`).join(", "));
  assert.equal(hits[0]?.name, "people-per-role");

  // 4. It runs the skill with new arguments: no code written, only the small result comes back.
  const run = await orch.executeSkill("people-per-role", { file: "team.json" });
  console.log("run v1:", JSON.stringify(run.data));
  assert.deepEqual(run.data, first.data);

  // Arguments are checked against the skill's schema before anything runs.
  await assert.rejects(() => orch.executeSkill("people-per-role", { file: 7 }), /file/);

  // 5. An improved version: sorted, with a total. Version 1 stays runnable.
  await orch.saveSkill("people-per-role", {
    description: "Count the people of a JSON team file per role, most common first, with a total",
    params: saved.params,
    code: `
const { content } = await filesystem.readTextFile({ path: args.file });
const people = JSON.parse(content);
const counts = {};
for (const person of people) counts[person.role] = (counts[person.role] ?? 0) + 1;
const roles = Object.entries(counts).sort((a, b) => b[1] - a[1]);
return { total: people.length, roles };`,
  });
  const v2 = await orch.executeSkill("people-per-role", { file: "team.json" });
  const v1 = await orch.executeSkill("people-per-role", { file: "team.json" }, { version: 1 });
  console.log("run v2:", JSON.stringify(v2.data));
  assert.deepEqual(v1.data, first.data);
  assert.equal((v2.data as { total: number }).total, 6);

  // 6. Another task composes it: a skill is also a module with `run(args)`.
  const composed = await orch.executeTask({
    ...TASK,
    id: "compose",
    requiredTools: ["filesystem"],
    code: `
import { run } from "skills/people-per-role/skill.ts";
const { roles } = await run({ file: "team.json" });
return roles[0][0];`,
  });
  console.log("most common role:", composed.data);
  assert.equal(composed.status, "completed", composed.error?.message);
  assert.equal(composed.data, "engineer");

  const [summary] = orch.listSkills();
  console.log(
    `${summary?.name}: v${summary?.version}, ${summary?.health}, ${summary?.stats.runs} runs recorded`,
  );
  assert.equal(summary?.health, "ok");
  console.log("ok");
} finally {
  await Deno.remove(scratch, { recursive: true });
}
