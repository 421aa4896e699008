/**
 * The project's own `skills/` folder: each skill reads as Agent Skills, matches the committed `servers/` modules, and
 * runs against the real server it was written for.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { SkillStore } from "../runtime/skills/mod.ts";
import { agentSkillsErrors } from "./helpers/agent_skills.ts";
import { npmServer } from "./helpers/servers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SKILLS = join(ROOT, "skills");

async function copyFolder(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyFolder(join(from, entry.name), join(to, entry.name));
    else await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

Deno.test("skills/ holds Agent Skills whose tool hashes match the committed servers/ manifests", () => {
  const store = new SkillStore(SKILLS);
  assert.ok(store.names().length > 0);
  for (const name of store.names()) {
    assert.deepEqual(agentSkillsErrors(join(SKILLS, name), name), [], name);
    const record = store.read(name);
    assert.equal(record?.problem, undefined, name);
    for (const [tool, hash] of Object.entries(record!.metadata!.toolHashes)) {
      const [server, toolName] = tool.split(".");
      const manifest = JSON.parse(
        Deno.readTextFileSync(join(ROOT, "servers", server!, "_manifest.json")),
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
  const orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
  });
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
