import assert from "node:assert/strict";
import { join } from "node:path";
import { placeholderPattern } from "../privacy/mod.ts";
import { LruCache } from "../lru_cache.ts";
import { type CachedRecord, SkillStore } from "./skill_store.ts";
import type { SaveContext } from "./skill_store.ts";

const CONTEXT: SaveContext = {
  servers: [],
  serversDir: "/nonexistent/servers",
  currentTools: () => undefined,
  placeholders: placeholderPattern(["EMAIL", "PHONE", "EMPLOYEE_ID"]),
};

async function tempDir(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "skill-limits-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("SkillStore.save() refuses a vault placeholder in code, description, tags or params, naming it and where", async (t) => {
  await using tmp = await tempDir();
  const store = new SkillStore(tmp.dir);
  const base = { description: "Sends a note", code: "return args.to;" };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "code",
      { code: 'const a = 1;\nreturn "[EMAIL_1]";' },
      /"code" holds the privacy placeholder \[EMAIL_1\] at line 2/,
    ],
    [
      "description",
      { description: "Mails [EMAIL_2] weekly" },
      /"description" holds the privacy placeholder \[EMAIL_2\]/,
    ],
    [
      "tags",
      { tags: ["crm", "[PHONE_1]"] },
      /"tags\[1\]" holds the privacy placeholder \[PHONE_1\]/,
    ],
    [
      "a params default",
      {
        params: { type: "object", properties: { to: { type: "string", default: "to [EMAIL_3]" } } },
      },
      /"params\.properties\.to\.default" holds the privacy placeholder \[EMAIL_3\]/,
    ],
    ["a custom kind", { code: "return '[EMPLOYEE_ID_4]';" }, /\[EMPLOYEE_ID_4\]/],
  ];
  for (const [what, change, message] of cases) {
    await t.step(what, async () => {
      await assert.rejects(store.save("note", { ...base, ...change } as never, CONTEXT), message);
    });
  }
  assert.deepEqual(store.names(), []);
  // Text shaped like a placeholder of an unknown kind, or an index expression, is not one.
  const saved = await store.save("note", {
    ...base,
    code: "const a = [1]; return a[0] + '[NOTE_1]';",
  }, CONTEXT);
  assert.equal(saved.version, 1);
});

Deno.test("SkillStore.save() refuses code over maxCodeBytes, naming the limit and the option", async () => {
  await using tmp = await tempDir();
  const store = new SkillStore(tmp.dir, { maxCodeBytes: 64 });
  await assert.rejects(
    store.save("big", { description: "Big", code: `return "${"é".repeat(40)}";` }, CONTEXT),
    (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(
        error.message,
        /Cannot save skill "big": its code is 90 bytes, over the limit of 64 \(option maxCodeBytes/,
      );
      return true;
    },
  );
  assert.throws(() => new SkillStore(tmp.dir, { maxCodeBytes: 0 }), /maxCodeBytes/);
  // The default is 256 KiB.
  const code = `return 1;\n${"//".padEnd(200, "x")}\n`.repeat(1_400);
  await assert.rejects(
    new SkillStore(tmp.dir).save("big", { description: "Big", code }, CONTEXT),
    /over the limit of 262,144/,
  );
});

Deno.test("SkillStore.save() keeps the last maxVersions versions, never removing the current one", async () => {
  await using tmp = await tempDir();
  const store = new SkillStore(tmp.dir, { maxVersions: 3 });
  for (let i = 1; i <= 5; i++) {
    await store.save("counter", { description: `Version ${i}`, code: `return ${i};` }, CONTEXT);
  }
  const loaded = await store.load("counter");
  assert.deepEqual(loaded.versions, [3, 4, 5]);
  assert.equal(loaded.metadata.version, 5);
  assert.equal((await store.load("counter", { version: 3 })).metadata.description, "Version 3");
  await assert.rejects(
    store.load("counter", { version: 1 }),
    /no version 1 \(versions: 3, 4, 5\): older versions are removed, the last 3 are kept \(option maxVersions/,
  );
  const left = [...Deno.readDirSync(join(tmp.dir, "counter", "versions"))].map((e) => e.name)
    .sort();
  assert.deepEqual(left, ["3", "4", "5"]);
  // With one version kept, the current one stays.
  const one = new SkillStore(tmp.dir, { maxVersions: 1 });
  await one.save("counter", { description: "Version 6", code: "return 6;" }, CONTEXT);
  assert.deepEqual((await one.load("counter")).versions, [6]);
});

Deno.test("SkillStore.read() caches at most cacheEntries skills and never names that do not exist", async () => {
  await using tmp = await tempDir();
  const cache = new LruCache<string, CachedRecord>(2);
  const store = new SkillStore(tmp.dir, { cache });
  for (let i = 0; i < 1_000; i++) assert.equal(store.read(`missing-${i}`), undefined);
  assert.equal(cache.size, 0);
  for (const name of ["a", "b", "c"]) {
    await store.save(name, { description: name, code: "return 1;" }, CONTEXT);
    store.read(name);
  }
  assert.equal(cache.size, 2);
  assert.equal(store.read("a")?.metadata?.name, "a");
  assert.throws(() => new SkillStore(tmp.dir, { cacheEntries: 0 }), /cacheEntries/);
});
