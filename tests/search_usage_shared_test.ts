/**
 * Learned search use shared through the PostgreSQL state store: a search and a task of one session on one
 * orchestrator teach the ranking of another orchestrator on the same database (two replicas), and the table holds
 * words and tool names only. Real server-memory. Ignored without `MCPX_TEST_PG_URL`.
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { PostgresStateStore } from "../runtime/state/mod.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";
import { memoryOrchestratorOptions } from "./helpers/servers.ts";

async function replica(dir: string, store: PostgresStateStore): Promise<MCPOrchestrator> {
  const orch = new MCPOrchestrator(memoryOrchestratorOptions(dir, {
    state: store,
  }));
  await orch.initialize();
  return orch;
}

Deno.test({
  name: "shared search usage: what one replica learns from a session ranks tools on the other",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
    const stores = [await PostgresStateStore.open(db.url), await PostgresStateStore.open(db.url)];
    const [one, two] = [await replica(dirs[0]!, stores[0]!), await replica(dirs[1]!, stores[1]!)];
    try {
      const query = "jot down facts about a colleague";
      assert.notEqual(two.searchTools(query)[0]?.name, "memory.add_observations");
      assert.notEqual(
        one.searchTools(query, { session: "s1" })[0]?.name,
        "memory.add_observations",
      );
      one.searchTools("add observations alice@example.org 555-0100", { session: "s1" });
      const result = await one.executeTask({
        id: "learn-1",
        description: "test task",
        code:
          `await memory.createEntities({ entities: [{ name: "Ada", entityType: "person", observations: [] }] });
await memory.addObservations({ observations: [{ entityName: "Ada", contents: ["likes tea"] }] });
return 1;`,
        requiredTools: ["memory"],
        status: "pending",
        session: "s1",
      });
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      // The other replica reloads the shared counters every 2 s.
      const deadline = Date.now() + 5_000;
      while (
        two.searchTools(query)[0]?.name !== "memory.add_observations" && Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(two.searchTools(query)[0]?.name, "memory.add_observations");
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql<
          { term: string; tool: string }[]
        >`SELECT term, tool FROM mcpx_search_usage`;
        const text = JSON.stringify(rows);
        assert.ok(rows.some((r) => r.tool === "memory.add_observations"));
        for (const value of ["alice", "example.org", "555", "Ada", "tea", "s1"]) {
          assert.ok(!text.includes(value), `the table holds "${value}"`);
        }
      } finally {
        await sql.end();
      }
    } finally {
      await one.shutdown({ drainTimeoutMs: 0 });
      await two.shutdown({ drainTimeoutMs: 0 });
      for (const store of stores) await store.close();
      for (const dir of dirs) await Deno.remove(dir, { recursive: true });
    }
  },
});
