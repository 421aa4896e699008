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
