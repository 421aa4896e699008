import assert from "node:assert/strict";
import { freshDatabase, PG_URL } from "../../tests/helpers/postgres.ts";
import { type CancelBus, type CancelNotice, MemoryCancelBus, PostgresStateStore } from "./mod.ts";

/** Both engines of the cancel bus: a notice is heard with its id, and found stored by `recent`. */
const ENGINES: {
  name: string;
  ignore: boolean;
  open(): Promise<{ bus: CancelBus } & AsyncDisposable>;
}[] = [
  {
    name: "memory",
    ignore: false,
    open: () => {
      const bus = new MemoryCancelBus();
      return Promise.resolve({ bus, [Symbol.asyncDispose]: () => Promise.resolve() });
    },
  },
  {
    name: "postgres",
    ignore: PG_URL === undefined,
    async open() {
      const db = await freshDatabase();
      const store = await PostgresStateStore.open(db.url);
      return {
        bus: store.cancels,
        async [Symbol.asyncDispose]() {
          await store.close();
          await db[Symbol.asyncDispose]();
        },
      };
    },
  },
];

for (const engine of ENGINES) {
  Deno.test({
    name: `${engine.name} CancelBus: a notice is heard with its id and stored for recent()`,
    ignore: engine.ignore,
    async fn() {
      await using opened = await engine.open();
      const { bus } = opened;
      const heard: CancelNotice[] = [];
      let connects = 0;
      const stop = await bus.listen((notice) => heard.push(notice), () => connects++);
      await bus.publish({ session: "s1", requestIds: [4], from: "r2" });
      await bus.publish({ session: "s2", requestIds: [], end: true, from: "r2" });
      for (const deadline = Date.now() + 5_000; heard.length < 2;) {
        assert.ok(Date.now() < deadline, "both notices are heard");
        await new Promise((r) => setTimeout(r, 20));
      }
      await stop();
      assert.ok(connects >= 1, "onConnect is called when the subscription is established");
      assert.ok(heard.every((notice) => typeof notice.id === "string"));
      const stored = await bus.recent(["s1", "s3"]);
      assert.deepEqual(stored, [{ session: "s1", requestIds: [4], from: "r2", id: heard[0]!.id }]);
      assert.deepEqual(await bus.recent([]), []);
      assert.equal((await bus.recent(["s2"]))[0]?.end, true);
    },
  });
}

Deno.test("MemoryCancelBus refuses a ttlMs under 1000, naming it", () => {
  assert.throws(() => new MemoryCancelBus({ ttlMs: 10 }), /cancel ttlMs 10/);
});
