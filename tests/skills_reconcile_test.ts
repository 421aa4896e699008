/**
 * A replica's skills folders reconciled with the PostgreSQL rows when announcements were missed: a replica that
 * was down while a skill was removed, another saved and a third given a new version catches up at start (the
 * removed copy goes, the others arrive); a removal whose announcement never reached a running replica (its
 * `LISTEN` connection was down) is caught up when the connection comes back. A skill folder the store never had
 * stays. Real PostgreSQL; ignored without `MCPX_TEST_PG_URL`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { removeSkill, SkillSpaces } from "../runtime/skills/mod.ts";
import { PostgresStateStore } from "../runtime/state/mod.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";

/** Saves a shared skill through a replica's mirror, as `save_skill` does. */
async function save(spaces: SkillSpaces, name: string, code: string): Promise<number> {
  const store = spaces.shared;
  const saved = await spaces.mirror!.save(
    "default",
    name,
    store,
    () =>
      store.save(name, { description: `Skill ${name}`, code }, {
        servers: [],
        serversDir: join(store.dir, "..", "servers"),
        currentTools: () => undefined,
      }),
  );
  return saved.version;
}

/** The version of a skill in a replica's folder, or `undefined` when the folder has none. */
function local(spaces: SkillSpaces, name: string): number | undefined {
  return spaces.shared.names().includes(name)
    ? spaces.shared.read(name)?.metadata?.version
    : undefined;
}

Deno.test({
  name:
    "skill mirror: a replica's folders are reconciled with the rows at start and on LISTEN reconnect",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const dir = await Deno.makeTempDir({ prefix: "mcpx-reconcile-" });
    const storeA = await PostgresStateStore.open(db.url);
    const storeB = await PostgresStateStore.open(db.url);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const a = new SkillSpaces(join(dir, "a", "skills"), { rows: storeA.skills });
      await using _a = await a.mirror!.start();
      const bDir = join(dir, "b", "skills");
      let b = new SkillSpaces(bDir, { rows: storeB.skills });
      const mirrorB = await b.mirror!.start();
      await save(a, "stays", "return 1;");
      await save(a, "goes", "return 2;");
      for (const deadline = Date.now() + 5_000; local(b, "goes") === undefined;) {
        assert.ok(Date.now() < deadline, "replica b copies both skills");
        await new Promise((r) => setTimeout(r, 20));
      }
      // A folder written by hand on b, never in the store.
      await b.shared.save("by-hand", { description: "Written on b only", code: "return 3;" }, {
        servers: [],
        serversDir: join(dir, "b", "servers"),
        currentTools: () => undefined,
      });

      // b goes down; meanwhile a removes one skill, updates another and saves a new one.
      await mirrorB.close();
      await removeSkill(a.shared.dir, "goes", { force: true });
      assert.deepEqual(await storeA.skills.remove("", "goes"), [1]);
      assert.equal(await save(a, "stays", "return 10;"), 2);
      await save(a, "fresh", "return 4;");
      assert.equal(local(b, "goes"), 1, "b's copy is still there while b is down");

      // b starts again on the same folders.
      b = new SkillSpaces(bDir, { rows: storeB.skills });
      await using _b = await b.mirror!.start();
      assert.equal(local(b, "goes"), undefined, "the copy of the removed skill is gone");
      assert.equal(local(b, "stays"), 2);
      assert.equal(local(b, "fresh"), 1);
      assert.equal(local(b, "by-hand"), 1, "a folder the store never had is left alone");

      // A removal whose NOTIFY b never hears (as while its LISTEN connection is down): rows and the removal note
      // written without an announcement, then b's listening connection is cut; on reconnect b catches up.
      await sql.begin(async (tx) => {
        await tx`DELETE FROM mcpx_skill_versions WHERE principal = '' AND name = 'fresh'`;
        await tx`INSERT INTO mcpx_skill_removals (principal, name) VALUES ('', 'fresh')`;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(local(b, "fresh"), 1, "nothing announced the removal");
      const cut = await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`;
      assert.ok(cut.length >= 1, "a listening connection was cut");
      for (const deadline = Date.now() + 10_000; local(b, "fresh") !== undefined;) {
        assert.ok(Date.now() < deadline, "b removes its copy once it listens again");
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(local(b, "stays"), 2);
    } finally {
      await sql.end();
      await storeA.close();
      await storeB.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
