import assert from "node:assert/strict";
import { freshDatabase, PG_URL } from "../../tests/helpers/postgres.ts";
import { PostgresStateStore } from "./mod.ts";

Deno.test({
  name: "session events: read back only through their own session, dropped per stream and by age",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    await using store = await PostgresStateStore.open(db.url);
    const rows = store.events;
    const primed = await rows.store("s1", "a", "r1", {}, [1, 2]);
    await rows.store("s1", "a", "r1", { jsonrpc: "2.0", method: "notifications/progress" });
    await rows.store("s1", "a", "r1", { jsonrpc: "2.0", id: 1, result: {} });
    const other = await rows.store("s2", "b", "r1", {}, [1]);

    const replay = await rows.replay("s1", primed);
    assert.ok(replay !== undefined);
    assert.equal(replay.stream, "a");
    assert.equal(replay.replica, "r1");
    assert.deepEqual(replay.requestIds, [1, 2]);
    assert.deepEqual(replay.answered, [1]);
    assert.equal(replay.events.length, 2);
    // Another session's event id, or one that is not an id, finds nothing.
    assert.equal(await rows.replay("s1", other), undefined);
    assert.equal(await rows.replay("s2", primed), undefined);
    assert.equal(await rows.replay("s1", "1; DROP TABLE x"), undefined);

    await rows.dropStream("s1", "a");
    assert.equal(await rows.replay("s1", primed), undefined);
    assert.ok(await rows.replay("s2", other));
    assert.equal(await rows.sweep(3_600_000), 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await rows.sweep(1), 1);
    assert.equal(await rows.replay("s2", other), undefined);
  },
});

Deno.test({
  name:
    "session events: ids follow the order of stores in a process, and a fresh id is above every replica's",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    await using r1 = await PostgresStateStore.open(db.url);
    await using r2 = await PostgresStateStore.open(db.url);
    // r1 opens a stream (its ids come from a block taken first), then r2 takes a block of its own.
    const primed = await r1.events.store("s1", "a", "r1", {}, [1]);
    const progress = await r1.events.store("s1", "a", "r1", { jsonrpc: "2.0", method: "x" });
    const elsewhere = await r2.events.store("s2", "b", "r2", {}, [1]);
    assert.ok(BigInt(primed) < BigInt(progress));
    assert.ok(BigInt(progress) < BigInt(elsewhere), "r2's block comes after r1's");
    // The opening event, not waited for by the store, is there for a read that follows.
    assert.deepEqual((await r1.events.replay("s1", primed))?.requestIds, [1]);
    // r1 dies; r2 adds the lost call's error to r1's stream under a fresh id: above r1's ids, so found after them.
    const lost = await r2.events.store(
      "s1",
      "a",
      "r2",
      { jsonrpc: "2.0", id: 1, error: {} },
      undefined,
      {
        fresh: true,
      },
    );
    assert.ok(BigInt(lost) > BigInt(elsewhere));
    const replay = await r2.events.replay("s1", progress);
    assert.deepEqual(replay?.events.map((e) => e.id), [lost]);
    assert.deepEqual(replay?.answered, [1]);
  },
});
