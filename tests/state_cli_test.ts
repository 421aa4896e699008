/**
 * `mcpx state migrate` and `mcpx state export <dir>` as real processes against a real PostgreSQL: migrate names
 * the migrations it ran, then says there is nothing to do; export writes the skills saved through the store as
 * folders that an orchestrator without a database reads and runs; `mcpx skills rm --state-url` removes a shared
 * skill's rows. Ignored without `MCPX_TEST_PG_URL`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { PostgresStateStore } from "../runtime/state/mod.ts";
import { mcpx } from "./helpers/mcpx.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";

Deno.test({
  name: "mcpx state migrate names the migrations it ran, then has nothing to do",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const dir = await Deno.makeTempDir();
    try {
      const first = await mcpx(dir, "state", "migrate", "--state-url", db.url);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^Applied 1 \(audit\), 2 \(skills and search usage\)/);
      const again = await mcpx(dir, "state", "migrate", "--state-url", db.url);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^Nothing to migrate: the schema is at version \d+/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("mcpx state: a missing subcommand or export folder is a usage mistake (exit 2)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await mcpx(dir, "state")).code, 2);
    const noDir = await mcpx(dir, "state", "export", "--state-url", "postgres://u@127.0.0.1:1/x");
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /Name the folder to export to/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "mcpx state export writes shared and private skills as folders the embedded store reads back; skills rm --state-url removes rows",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    {
      await using store = await PostgresStateStore.open(db.url);
      await using f = await startOrchestrator({ servers: "none", state: store });
      await f.orch.saveSkill("add-numbers", {
        description: "Adds two numbers",
        code: "return args.a + args.b;",
      });
      await f.orch.saveSkill("add-numbers", {
        description: "Adds two numbers, plus one",
        code: "return args.a + args.b + 1;",
      });
      await f.orch.saveSkill("secret-word", {
        description: "Returns the secret word",
        code: 'return "swordfish";',
      }, {
        principal: { id: "alice", scopes: ["mcpx:execute", "mcpx:skills"] },
      });
    }
    const out = await Deno.makeTempDir();
    try {
      const run = await mcpx(out, "state", "export", "exported", "--state-url", db.url);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Exported 1 shared and 1 private skills to .*exported/);
      const dir = join(out, "exported");
      // An orchestrator with no state store on the exported folders.
      await using embedded = await startOrchestrator({
        servers: "none",
        skillsDir: join(dir, "skills"),
      });
      const listed = embedded.orch.listSkills();
      assert.deepEqual(listed.map((s) => [s.name, s.version]), [["add-numbers", 2]]);
      assert.deepEqual((await embedded.orch.loadSkill("add-numbers")).versions, [1, 2]);
      assert.equal((await embedded.orch.executeSkill("add-numbers", { a: 1, b: 2 })).data, 4);
      assert.equal(
        (await embedded.orch.executeSkill("add-numbers", { a: 1, b: 2 }, { version: 1 })).data,
        3,
      );
      const secret = await embedded.orch.executeSkill("secret-word", {}, { principal: "alice" });
      assert.equal(secret.data, "swordfish");
      assert.ok(
        await Deno.stat(join(dir, "principal-skills", "alice", "secret-word", "SKILL.md")).then(
          () => true,
        ),
      );
      // mcpx skills rm --state-url removes the folder and the shared skill's rows.
      await Deno.writeTextFile(join(out, "mcp.json"), JSON.stringify({ mcpServers: {} }));
      const rm = await mcpx(
        out,
        "skills",
        "rm",
        "add-numbers",
        "--dir",
        join(dir, "skills"),
        "--state-url",
        db.url,
      );
      assert.equal(rm.code, 0, rm.stderr);
      await using store = await PostgresStateStore.open(db.url, { migrate: false });
      assert.deepEqual(await store.skills.heads(), [{
        principal: "alice",
        name: "secret-word",
        version: 1,
      }]);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
