/**
 * The project's own `skills/` folder: each skill reads as Agent Skills, matches the generated modules of its server (the recorded `tools/list` in tests/fixtures/), and
 * runs against the real server it was written for.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { SkillStore } from "../runtime/skills/mod.ts";
import { agentSkillsErrors } from "./helpers/agent_skills.ts";
import { deno } from "./helpers/mcpx.ts";
import { memoryOrchestratorOptions } from "./helpers/servers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SKILLS = join(ROOT, "skills");

async function copyFolder(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyFolder(join(from, entry.name), join(to, entry.name));
    else await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

Deno.test("skills/ holds Agent Skills whose tool hashes match the golden generated manifests", () => {
  const store = new SkillStore(SKILLS);
  assert.ok(store.names().length > 0);
  for (const name of store.names()) {
    assert.deepEqual(agentSkillsErrors(join(SKILLS, name), name), [], name);
    const record = store.read(name);
    assert.equal(record?.problem, undefined, name);
    for (const [tool, hash] of Object.entries(record!.metadata!.toolHashes)) {
      const [server, toolName] = tool.split(".");
      const manifest = JSON.parse(
        Deno.readTextFileSync(
          join(ROOT, "tests", "fixtures", "generated", server!, "_manifest.json"),
        ),
      );
      assert.equal(
        manifest.tools.find((t: { name: string }) => t.name === toolName)?.sha256,
        hash,
        tool,
      );
    }
  }
});

Deno.test("skills/entities-mentioning runs against server-memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skills-folder-" });
  const orch = new MCPOrchestrator(memoryOrchestratorOptions(dir));
  try {
    await orch.initialize();
    // A copy, so that its run statistics do not change the committed folder.
    await Deno.mkdir(join(dir, "skills"));
    const source = join(SKILLS, "entities-mentioning");
    const target = join(dir, "skills", "entities-mentioning");
    await copyFolder(source, target);
    const setup = await orch.executeTask({
      id: "setup",
      description: "people",
      code: `await memory.createEntities({ entities: [
  { name: "Ada", entityType: "person", observations: ["Senior engineer"] },
  { name: "Bo", entityType: "person", observations: ["Designer"] },
] });`,
      requiredTools: ["memory"],
      status: "pending",
    });
    assert.equal(setup.status, "completed", JSON.stringify(setup.error));
    assert.equal(orch.listSkills()[0]?.health, "ok");
    const result = await orch.executeSkill("entities-mentioning", { word: "engineer" });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, ["Ada"]);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("skills/ type-check against the generated modules of their servers", async () => {
  // servers/ is generated per installation and not committed, so `deno check .` leaves skills/ out; here each skill
  // is checked beside the golden generated tree, as it sits beside servers/ in a checkout after `deno task gen`.
  const dir = await Deno.makeTempDir({ prefix: "skills-check-" });
  try {
    await copyFolder(join(ROOT, "tests", "fixtures", "generated"), join(dir, "servers"));
    await copyFolder(SKILLS, join(dir, "skills"));
    const files = new SkillStore(SKILLS).names().map((name) =>
      join(dir, "skills", name, "skill.ts")
    );
    const check = (...paths: string[]) =>
      deno(dir, ["check", "--config", join(ROOT, "deno.json"), "--quiet", ...paths]);
    const out = await check(...files);
    assert.equal(out.code, 0, out.stderr);
    // The check can fail: a skill calling a tool with a wrong argument type is refused.
    const wrong = join(dir, "skills", "entities-mentioning", "skill.ts");
    const source = await Deno.readTextFile(wrong);
    assert.ok(source.includes("memory.readGraph()"));
    await Deno.writeTextFile(wrong, source.replace("memory.readGraph()", "memory.readGraph(42)"));
    const refused = await check(wrong);
    assert.match(refused.stderr, /not assignable to parameter of type .ReadGraphInput/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
