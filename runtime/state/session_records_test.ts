import assert from "node:assert/strict";
import { freshDatabase, PG_URL } from "../../tests/helpers/postgres.ts";
import { MemorySessionRecords, PostgresStateStore, type SessionRecords } from "./mod.ts";

/** One engine under test: session records on fresh state, two views of the same state for two replicas. */
interface Engine {
  name: string;
  ignore: boolean;
  open(): Promise<{ a: SessionRecords; b: SessionRecords; [Symbol.asyncDispose](): Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: "memory",
    ignore: false,
    open() {
      const records = new MemorySessionRecords();
      return Promise.resolve({
        a: records,
        b: records,
        [Symbol.asyncDispose]: () => Promise.resolve(),
      });
    },
  },
  {
    name: "postgres",
    ignore: PG_URL === undefined,
    async open() {
      const db = await freshDatabase();
      const one = await PostgresStateStore.open(db.url);
      const two = await PostgresStateStore.open(db.url);
      return {
        a: one.sessions,
        b: two.sessions,
        async [Symbol.asyncDispose]() {
          await one.close();
          await two.close();
          await db[Symbol.asyncDispose]();
        },
      };
    },
  },
];

const alice = { id: "alice", scopes: ["mcpx:execute"] };
const initialize = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18" },
};

for (const engine of ENGINES) {
  Deno.test({
    name:
      `SessionRecords (${engine.name}) keep the session, its principal and initialize, and lease it`,
    ignore: engine.ignore,
    async fn() {
      await using state = await engine.open();
      await state.a.create({ id: "s1", principal: alice, owner: "r1", initialize }, 60_000);
      const record = await state.b.get("s1");
      assert.ok(record);
      assert.deepEqual(
        {
          principal: record.principal,
          owner: record.owner,
          live: record.leaseLive,
          init: record.initialize,
        },
        { principal: alice, owner: "r1", live: true, init: initialize },
      );
      assert.equal(await state.b.get("unknown"), undefined);
      assert.equal(await state.b.claim("s1", "r2", 60_000), undefined, "a live lease is not taken");
      assert.deepEqual(await state.a.renew("r1", ["s1", "gone"], 60_000), ["s1"]);
      assert.deepEqual(await state.b.renew("r2", ["s1"], 60_000), [], "r2 does not hold s1");
      await state.a.release("r1");
      assert.equal((await state.b.get("s1"))?.leaseLive, false);
      const claimed = await state.b.claim("s1", "r2", 60_000);
      assert.equal(claimed?.owner, "r2");
      assert.deepEqual(await state.a.renew("r1", ["s1"], 60_000), [], "r1 lost it");
      await state.b.delete("s1");
      assert.equal(await state.a.get("s1"), undefined);
    },
  });

  Deno.test({
    name:
      `SessionRecords (${engine.name}) lease claim is atomic: of many replicas claiming a lapsed lease, one wins`,
    ignore: engine.ignore,
    async fn() {
      await using state = await engine.open();
      await state.a.create({ id: "s2", principal: alice, owner: "dead", initialize }, 1);
      await new Promise((r) => setTimeout(r, 20));
      const claims = await Promise.all(
        Array.from(
          { length: 10 },
          (_, i) => (i % 2 ? state.a : state.b).claim("s2", `r${i}`, 60_000),
        ),
      );
      const winners = claims.filter((c) => c !== undefined);
      assert.equal(winners.length, 1);
      assert.equal((await state.a.get("s2"))?.owner, winners[0]!.owner);
    },
  });
}
