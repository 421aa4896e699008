/**
 * Server names with a dot, read by the one `"server.tool"` parser everywhere: two real server-memory processes named
 * `acme` and `acme.crm`; a skill using `acme.crm` saves (its tools recorded against the right server) and runs, and
 * approval rules keyed `acme.crm.<tool>` match `acme.crm`'s tool, never `acme`'s.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { npmServer } from "./helpers/servers.ts";

Deno.test("a skill using a server named with a dot saves and runs, and approval rules on it match", async (t) => {
  const data = await Deno.makeTempDir({ prefix: "dotted-" });
  try {
    await using f = await startOrchestrator({
      servers: "none",
      config: {
        servers: {
          acme: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(data, "acme.jsonl") }),
          "acme.crm": npmServer("server-memory", [], { MEMORY_FILE_PATH: join(data, "crm.jsonl") }),
        },
      },
      approvals: { "acme.crm.delete_entities": "deny", "acme.crm": "allow", acme: "allow" },
    });
    const { orch } = f;

    await t.step("the skill records acme.crm's tools and runs against acme.crm", async () => {
      const saved = await orch.saveSkill("add-contact", {
        description: "Adds a contact to the CRM and counts them",
        code:
          `await acme_crm.createEntities({ entities: [{ name: args.name, entityType: "person", observations: [] }] });
return (await acme_crm.readGraph()).entities.length;`,
        params: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      });
      assert.deepEqual(saved.tools, ["acme.crm.create_entities", "acme.crm.read_graph"]);
      assert.deepEqual(Object.keys(saved.toolHashes).sort(), saved.tools);
      const result = await orch.executeSkill("add-contact", { name: "Ada" });
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.equal(result.data, 1);
      assert.deepEqual(result.stats.toolsCalled, [
        "acme.crm.create_entities",
        "acme.crm.read_graph",
      ]);
      assert.deepEqual(orch.listSkills()[0]?.changes, []);
      assert.equal(orch.listSkills()[0]?.health, "ok");
      const acme = await f.run(`return (await acme.readGraph()).entities.length;`, [
        "acme.read_graph",
      ]);
      assert.equal(acme.data, 0, "the skill wrote to acme");
    });

    await t.step(
      "a private skill on acme.crm finds servers/ from its deeper folder, old versions too",
      async () => {
        const save = (version: number) =>
          orch.saveSkill("crm-size", {
            description: `Counts the CRM's entities, version ${version}`,
            code: `return [${version}, (await acme_crm.readGraph()).entities.length];`,
          }, { principal: "team:sales/eu" });
        await save(1);
        await save(2);
        const now = await orch.executeSkill("crm-size", {}, { principal: "team:sales/eu" });
        assert.deepEqual(now.data, [2, 1], JSON.stringify(now.error));
        const old = await orch.executeSkill("crm-size", {}, {
          principal: "team:sales/eu",
          version: 1,
        });
        assert.deepEqual(old.data, [1, 1], JSON.stringify(old.error));
        const imported = await f.run(
          `import { run } from "skills/crm-size/versions/1/skill.ts";\nreturn await run({});`,
          ["acme.crm"],
          { principal: "team:sales/eu" },
        );
        assert.deepEqual(imported.data, [1, 1], JSON.stringify(imported.error));
      },
    );

    await t.step(
      "rule \"acme.crm.delete_entities\" denies acme.crm's tool, not acme's",
      async () => {
        const crm = await f.run(
          `try { await acme_crm.deleteEntities({ entityNames: ["Ada"] }); return "deleted"; } catch (e) { return e.message; }`,
          ["acme.crm.delete_entities"],
        );
        assert.equal(
          crm.data,
          'Cannot call tool "delete_entities" on server "acme.crm": not approved: rule "acme.crm.delete_entities" ("deny") refuses it',
        );
        const plain = await f.run(
          `await acme.deleteEntities({ entityNames: ["Nobody"] }); return "deleted";`,
          ["acme.delete_entities"],
        );
        assert.equal(plain.data, "deleted", JSON.stringify(plain.error));
      },
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
