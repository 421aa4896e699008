import assert from "node:assert/strict";
import { join } from "node:path";
import { freshDatabase, PG_URL } from "../../tests/helpers/postgres.ts";
import { FileStateStore, MIGRATIONS, PostgresStateStore, type StateStore } from "./mod.ts";

/** One engine under test: how to open a store on fresh state, and a second one on the same state. */
interface Engine {
  name: string;
  ignore: boolean;
  open(): Promise<{ store: () => Promise<StateStore>; [Symbol.asyncDispose](): PromiseLike<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: "files",
    ignore: false,
    async open() {
      const dir = await Deno.makeTempDir();
      return {
        store: () =>
          Promise.resolve(new FileStateStore({ audit: { file: join(dir, "audit.jsonl") } })),
        [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "postgres",
    ignore: PG_URL === undefined,
    async open() {
      const db = await freshDatabase();
      return {
        store: () => PostgresStateStore.open(db.url),
        [Symbol.asyncDispose]: () => db[Symbol.asyncDispose](),
      };
    },
  },
];

for (const engine of ENGINES) {
  Deno.test({
    name: `StateStore (${engine.name}) keeps one audit chain across appends and reopening`,
    ignore: engine.ignore,
    async fn(t) {
      await using state = await engine.open();
      await t.step("an empty store has an empty, intact chain", async () => {
        await using store = await state.store();
        assert.deepEqual(await store.audit.head(), { seq: 0, hash: null });
        const verdict = await store.audit.verify();
        assert.equal(verdict.intact, true);
        assert.equal(verdict.lines, 0);
        assert.equal((await store.health()).ok, true);
      });
      await t.step("appends chain seq, prev and hash; a reopened store goes on", async () => {
        {
          await using store = await state.store();
          await store.audit.append([{ type: "task", n: 1 }, { type: "task", n: 2 }]);
          await store.audit.append([{ type: "tool_call", n: 3, skipped: undefined }]);
          assert.equal((await store.audit.head()).seq, 3);
        }
        await using again = await state.store();
        const before = await again.audit.head();
        await again.audit.append([{ type: "task", n: 4, seq: 99, hash: "forged" }]);
        const verdict = await again.audit.verify();
        assert.equal(verdict.intact, true, JSON.stringify(verdict.break));
        assert.equal(verdict.lines, 4);
        assert.equal(verdict.first, 1);
        assert.equal(verdict.head.seq, 4);
        assert.notEqual(verdict.head.hash, before.hash);
      });
      await t.step("concurrent appends keep their order and lose none", async () => {
        await using store = await state.store();
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.audit.append([{ type: "task", i }])),
        );
        const verdict = await store.audit.verify();
        assert.equal(verdict.intact, true, JSON.stringify(verdict.break));
        assert.equal(verdict.lines, 54);
      });
    },
  });
}

Deno.test("FileAuditChain goes on across rotation: the new file's first line names the old file's last hash", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "audit.jsonl");
  {
    await using store = new FileStateStore({ audit: { file, maxBytes: 65_536, keep: 3 } });
    const pad = "x".repeat(500);
    for (let i = 0; i < 600; i++) await store.audit.append([{ type: "task", i, pad }]);
    const verdict = await store.audit.verify();
    assert.equal(verdict.intact, true, JSON.stringify(verdict.break));
    assert.ok(verdict.first > 1, "the oldest lines were rotated away");
    assert.equal(verdict.head.seq, 600);
  }
  const rotated = (await Deno.readTextFile(`${file}.1`)).trimEnd().split("\n").at(-1)!;
  const current = (await Deno.readTextFile(file)).split("\n")[0]!;
  assert.equal(JSON.parse(current).prev, JSON.parse(rotated).hash);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("FileAuditChain starts a chain after lines written before chaining existed", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "audit.jsonl");
  await Deno.writeTextFile(file, '{"type":"task","taskId":"old"}\n');
  {
    await using store = new FileStateStore({ audit: { file } });
    await store.audit.append([{ type: "task", taskId: "new" }]);
    const verdict = await store.audit.verify();
    assert.equal(verdict.intact, true);
    assert.equal(verdict.unchained, 1);
    assert.equal(verdict.lines, 1);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "PostgresStateStore: two stores opening at once on a new database migrate it once",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const stores = await Promise.all([
      PostgresStateStore.open(db.url),
      PostgresStateStore.open(db.url),
    ]);
    try {
      assert.deepEqual(
        stores.flatMap((s) => s.migrated).sort((x, y) => x - y),
        MIGRATIONS.map((m) => m.version),
      );
      await using third = await PostgresStateStore.open(db.url);
      assert.deepEqual(third.migrated, []);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  },
});

Deno.test("PostgresStateStore.open refuses a URL that is not postgres://", async () => {
  await assert.rejects(() => PostgresStateStore.open("mysql://x"), TypeError);
});
