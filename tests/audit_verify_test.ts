/**
 * The tamper-evident audit trail end to end: real `mcpx audit verify` processes on a chained file and on a real
 * PostgreSQL table, and two processes appending to one table at once.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { FileStateStore, PostgresStateStore } from "../runtime/state/mod.ts";
import { mcpx } from "./helpers/mcpx.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STATE_MOD = new URL("../runtime/state/mod.ts", import.meta.url).href;

Deno.test("mcpx audit verify: an intact file exits 0; one edited byte exits 1 naming the file and line", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "audit.jsonl");
  {
    await using store = new FileStateStore({ audit: { file } });
    for (let i = 1; i <= 5; i++) {
      await store.audit.append([{ type: "task", taskId: `t${i}`, durationMs: 10 + i }]);
    }
  }
  const intact = await mcpx(dir, "audit", "verify", file);
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /Intact: 5 lines, seq 1 to 5/);

  const text = await Deno.readTextFile(file);
  const at = text.indexOf('"durationMs":13');
  assert.ok(at > 0);
  // One byte: 13 becomes 10 on line 3.
  await Deno.writeTextFile(file, text.slice(0, at + 14) + "0" + text.slice(at + 15));
  const broken = await mcpx(dir, "audit", "verify", file);
  assert.equal(broken.code, 1, broken.stderr);
  assert.match(
    broken.stdout,
    /Broken at .*audit\.jsonl:3 \(seq 3\): its hash does not match its content/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mcpx audit verify: a line removed from the middle breaks the chain at the line after it", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "audit.jsonl");
  {
    await using store = new FileStateStore({ audit: { file } });
    await store.audit.append([1, 2, 3, 4].map((n) => ({ type: "task", n })));
  }
  const lines = (await Deno.readTextFile(file)).split("\n");
  lines.splice(1, 1);
  await Deno.writeTextFile(file, lines.join("\n"));
  const run = await mcpx(dir, "audit", "verify", file);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /audit\.jsonl:2 \(seq 3\): its seq 3 does not follow 1/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mcpx audit verify: bad arguments exit 2", async () => {
  const dir = await Deno.makeTempDir();
  for (
    const args of [
      ["audit"],
      ["audit", "check"],
      ["audit", "verify", "--bogus"],
      ["audit", "verify", join(dir, "missing.jsonl")],
      ["audit", "verify", "a.jsonl", "--state-url", "postgres://x"],
    ]
  ) {
    const run = await mcpx(dir, ...args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name:
    "PostgreSQL: 2 x 500 concurrent appends from two processes make one chain that verifies, no line lost",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    // Migrate first, so both writers start appending at once.
    await (await PostgresStateStore.open(db.url)).close();
    const writer = (name: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `import { PostgresStateStore } from ${JSON.stringify(STATE_MOD)};
          await using store = await PostgresStateStore.open(${JSON.stringify(db.url)});
          await Promise.all(Array.from({ length: 500 }, (_, i) =>
            store.audit.append([{ type: "task", writer: ${JSON.stringify(name)}, i }])));`,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const outputs = await Promise.all([writer("a"), writer("b")]);
    for (const out of outputs) assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));

    const run = await mcpx(ROOT, "audit", "verify", "--state-url", db.url);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Intact: 1000 lines, seq 1 to 1000/);
    const sql = postgres(db.url, { max: 1 });
    try {
      const rows = await sql<{ writer: string; n: string }[]>`
        SELECT line::jsonb->>'writer' AS writer, count(DISTINCT line::jsonb->>'i') AS n
        FROM mcpx_audit GROUP BY 1 ORDER BY 1`;
      assert.deepEqual(rows.map((r) => [r.writer, Number(r.n)]), [["a", 500], ["b", 500]]);
    } finally {
      await sql.end();
    }
  },
});

Deno.test({
  name: "PostgreSQL: one row changed by UPDATE makes mcpx audit verify exit 1 naming its seq",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    {
      await using store = await PostgresStateStore.open(db.url);
      await store.audit.append([1, 2, 3, 4, 5].map((n) => ({ type: "task", n })));
    }
    const intact = await mcpx(ROOT, "audit", "verify", "--state-url", db.url);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    const sql = postgres(db.url, { max: 1 });
    try {
      await sql`UPDATE mcpx_audit SET line = replace(line, '"n":4', '"n":40') WHERE seq = 4`;
    } finally {
      await sql.end();
    }
    const broken = await mcpx(ROOT, "audit", "verify", "--state-url", db.url);
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stdout, /Broken at seq 4: its hash does not match its content/);
  },
});
