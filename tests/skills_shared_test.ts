/**
 * Skills and search usage shared through the PostgreSQL state store: two orchestrators on one database stand for
 * two replicas. A skill saved through one is found by search and run through the other within 1 s, and runs on
 * both count in its statistics; a removal on one removes the other's copy; saves of one skill at once from both
 * keep every version; a private skill reaches only its principal's folder; usage counters from two stores add
 * up. Ignored without `MCPX_TEST_PG_URL` (`.ci/run` sets it).
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import type { Principal } from "../runtime/mod.ts";
import { PostgresStateStore } from "../runtime/state/mod.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";

const alice: Principal = { id: "alice", scopes: ["mcpx:execute", "mcpx:skills"] };
const bob: Principal = { id: "bob", scopes: ["mcpx:execute", "mcpx:skills"] };

/** Two orchestrators, each with its own folders and its own store, on one fresh database. */
async function twoReplicas() {
  const db = await freshDatabase();
  const stores = [await PostgresStateStore.open(db.url), await PostgresStateStore.open(db.url)];
  const replicas = [
    await startOrchestrator({ servers: "none", state: stores[0]! }),
    await startOrchestrator({ servers: "none", state: stores[1]! }),
  ];
  return {
    db,
    stores,
    one: replicas[0]!,
    two: replicas[1]!,
    async [Symbol.asyncDispose]() {
      for (const replica of replicas) await replica[Symbol.asyncDispose]();
      for (const store of stores) await store.close();
      await db[Symbol.asyncDispose]();
    },
  };
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
async function within(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

Deno.test({
  name:
    "shared skills: a skill saved through one replica is found by search and run through the other within 1 s",
  ignore: PG_URL === undefined,
  async fn(t) {
    await using cluster = await twoReplicas();
    const { one, two } = cluster;
    await t.step("a shared skill, and a new version of it saved on the other replica", async () => {
      await one.orch.saveSkill("add-numbers", {
        description: "Adds two numbers together",
        code: "return args.a + args.b;",
      });
      assert.ok(
        await within(
          1_000,
          () => two.orch.skills.searchText("add two numbers").includes("add-numbers v1"),
        ),
        "replica two finds the skill within 1 s",
      );
      const result = await two.orch.executeSkill("add-numbers", { a: 2, b: 3 });
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.equal(result.data, 5);
      const saved = await two.orch.saveSkill("add-numbers", {
        description: "Adds two numbers together, then doubles",
        code: "return 2 * (args.a + args.b);",
      });
      assert.equal(saved.version, 2);
      assert.ok(
        await within(
          1_000,
          () => one.orch.skills.searchText("add two numbers").includes("add-numbers v2"),
        ),
      );
      assert.equal((await one.orch.executeSkill("add-numbers", { a: 2, b: 3 })).data, 10);
      assert.equal(
        (await one.orch.executeSkill("add-numbers", { a: 2, b: 3 }, { version: 1 })).data,
        5,
      );
    });
    await t.step(
      "runs on both replicas add up in the shared statistics, seen by both",
      async () => {
        const runs = () => one.orch.listSkills().find((s) => s.name === "add-numbers")?.stats.runs;
        const before = runs() ?? 0;
        await Promise.all([
          one.orch.executeSkill("add-numbers", { a: 1, b: 1 }),
          two.orch.executeSkill("add-numbers", { a: 1, b: 1 }),
          two.orch.executeSkill("add-numbers", { a: 1, b: 1 }),
        ]);
        for (const replica of [one, two]) {
          assert.ok(
            await within(
              1_000,
              () =>
                replica.orch.listSkills().find((s) => s.name === "add-numbers")?.stats.runs ===
                  before + 3,
            ),
            `runs seen by ${replica === one ? "one" : "two"}`,
          );
        }
      },
    );
    await t.step(
      "a removal on one replica removes the rows and the other replica's copy",
      async () => {
        await one.orch.saveSkill("short-lived", { description: "Returns soon", code: "return 1;" });
        assert.ok(
          await within(1_000, () => two.orch.listSkills().some((s) => s.name === "short-lived")),
        );
        assert.deepEqual(await two.orch.removeSkill("short-lived"), [1]);
        assert.deepEqual(await cluster.stores[0]!.skills.versions("", "short-lived"), []);
        assert.ok(
          await within(1_000, () => !one.orch.listSkills().some((s) => s.name === "short-lived")),
        );
        assert.equal(one.orch.skills.searchText("returns soon"), "");
      },
    );
    await t.step(
      "a private skill reaches its principal's folder on the other replica, no one else's",
      async () => {
        await one.orch.saveSkill("secret-word", {
          description: "Returns the secret word",
          code: 'return "swordfish";',
        }, { principal: alice });
        assert.ok(
          await within(
            1_000,
            () =>
              two.orch.skills.searchText("secret word", { principal: "alice" }).includes(
                "secret-word",
              ),
          ),
        );
        assert.equal(two.orch.skills.searchText("secret word", { principal: "bob" }), "");
        assert.equal(two.orch.skills.searchText("secret word"), "");
        const result = await two.orch.executeSkill("secret-word", {}, { principal: "alice" });
        assert.equal(result.data, "swordfish");
        await assert.rejects(
          () => two.orch.executeSkill("secret-word", {}, { principal: "bob" }),
          TypeError,
        );
        const privateDir = join(dirname(two.skillsDir), "principal-skills");
        assert.ok(
          await Deno.stat(join(privateDir, "alice", "secret-word", "SKILL.md")).then(() => true),
        );
        assert.ok(
          !(await Deno.stat(join(two.skillsDir, "secret-word")).then(() => true, () => false)),
        );
      },
    );
  },
});

Deno.test({
  name: "shared skills: saves of one skill at once from two replicas keep every version",
  ignore: PG_URL === undefined,
  async fn() {
    await using cluster = await twoReplicas();
    const { one, two, stores } = cluster;
    const save = (replica: typeof one, i: number) =>
      replica.orch.saveSkill("count-up", {
        description: `Returns ${i}`,
        code: `return ${i};`,
      }, { principal: bob, shared: false });
    const saved = await Promise.all(
      // 12 a replica: more saves waiting for the skill's lock than a store has connections (10).
      Array.from({ length: 24 }, (_, i) => save(i % 2 === 0 ? one : two, i)),
    );
    const all = Array.from({ length: 24 }, (_, i) => i + 1);
    assert.deepEqual(saved.map((m) => m.version).sort((a, b) => a - b), all);
    const rows = await stores[0]!.skills.versions("bob", "count-up");
    assert.deepEqual(rows.map((r) => r.version), all);
    // Each version's code is the save that got that version.
    for (const meta of saved) {
      const row = rows.find((r) => r.version === meta.version)!;
      assert.equal(row.metadata.description, meta.description);
    }
    for (const replica of [one, two]) {
      assert.ok(
        await within(
          1_000,
          () =>
            replica.orch.listSkills({ principal: "bob" }).find((s) => s.name === "count-up")
              ?.version === 24,
        ),
      );
    }
  },
});

Deno.test({
  name: "shared search usage: counters from two stores add up, decayed as UsageMemory decays them",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    await using a = await PostgresStateStore.open(db.url);
    await using b = await PostgresStateStore.open(db.url);
    const halfLifeMs = 1_000;
    const nowMs = 1_000_000;
    await Promise.all([
      ...Array.from(
        { length: 30 },
        () => a.usage.add([["send", "mail.send"], ["mail", "mail.send"]], { nowMs, halfLifeMs }),
      ),
      ...Array.from(
        { length: 20 },
        () => b.usage.add([["mail", "mail.send"], ["send", "mail.send"]], { nowMs, halfLifeMs }),
      ),
    ]);
    const entries = await a.usage.entries({ limit: 10, nowMs, halfLifeMs });
    assert.deepEqual(entries.map(([term, tool, weight]) => [term, tool, weight]), [
      ["mail", "mail.send", 50],
      ["send", "mail.send", 50],
    ]);
    // One half-life later the old weight counts half, then the new use adds 1.
    await b.usage.add([["send", "mail.send"]], { nowMs: nowMs + halfLifeMs, halfLifeMs });
    const later = await b.usage.entries({ limit: 1, nowMs: nowMs + halfLifeMs, halfLifeMs });
    assert.deepEqual(later, [["send", "mail.send", 26, nowMs + halfLifeMs]]);
  },
});

Deno.test({
  name:
    "shared skills: a save while the state store is away fails naming the store, and leaves no folder",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const store = await PostgresStateStore.open(db.url);
    await using f = await startOrchestrator({ servers: "none", state: store });
    await store.close();
    await assert.rejects(
      () => f.orch.saveSkill("too-late", { description: "Never saved", code: "return 1;" }),
      /^Error: Cannot save skill "too-late": the state store failed: /,
    );
    assert.ok(!(await Deno.stat(join(f.skillsDir, "too-late")).then(() => true, () => false)));
  },
});
