import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { MCPOrchestrator, type TaskResult, type VaultRecord } from "../runtime/mod.ts";
import { PostgresStateStore, StateCipher } from "../runtime/state/mod.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";
import { npmServer } from "./helpers/servers.ts";

const EMAILS = ["ann.lee@example.com", "bob.stone@example.org", "cy.north@example.net"];

/** One replica: an orchestrator with privacy on, its vaults in the shared store. */
async function replica(
  dbUrl: string,
  key: string,
  data: string,
): Promise<
  & { orch: MCPOrchestrator; run(code: string, session: string): Promise<TaskResult> }
  & AsyncDisposable
> {
  const state = await PostgresStateStore.open(dbUrl, { cipher: await StateCipher.fromBase64(key) });
  const dir = await Deno.makeTempDir({ prefix: "shared-vaults-" });
  const orch = new MCPOrchestrator({
    config: { servers: { filesystem: npmServer("server-filesystem", [data]) } },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    pii: { enabled: true },
    approvals: { filesystem: "allow" },
    piiVaultStore: state.piiVaults<VaultRecord>(),
  });
  await orch.initialize();
  let n = 0;
  return {
    orch,
    run: (code, session) =>
      orch.executeTask({
        id: `vault-${crypto.randomUUID().slice(0, 8)}-${++n}`,
        description: "shared vault test",
        code,
        requiredTools: ["filesystem"],
        status: "pending",
        session,
      }),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await state.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function read(path: string): string {
  return `return (await filesystem.readTextFile({ path: ${JSON.stringify(path)} })).content;`;
}

function write(path: string, content: string): string {
  return `await filesystem.writeFile({ path: ${JSON.stringify(path)}, content: ${
    JSON.stringify(content)
  } }); return "written";`;
}

Deno.test({
  name:
    "shared PII vaults: a token issued on one replica is restored on another for the same session, never for another session",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const data = await Deno.makeTempDir({ prefix: "shared-vaults-data-" });
    await Deno.writeTextFile(join(data, "a.txt"), `${EMAILS[0]}, ${EMAILS[1]}`);
    await Deno.writeTextFile(join(data, "c.txt"), EMAILS[2]!);
    await using one = await replica(db.url, key, data);
    await using two = await replica(db.url, key, data);

    const first = await one.run(read(join(data, "a.txt")), "s1");
    assert.equal(first.status, "completed", JSON.stringify(first.error));
    assert.equal(first.data, "[EMAIL_1], [EMAIL_2]");

    // The same session on the other replica: its tokens are restored in a call's arguments.
    const written = await two.run(write(join(data, "out.txt"), "to [EMAIL_2]"), "s1");
    assert.equal(written.status, "completed", JSON.stringify(written.error));
    assert.equal(await Deno.readTextFile(join(data, "out.txt")), `to ${EMAILS[1]}`);
    // New tokens there are numbered past the ones issued on the first replica.
    const third = await two.run(read(join(data, "c.txt")), "s1");
    assert.equal(third.data, "[EMAIL_3]");
    const back = await one.run(write(join(data, "out.txt"), "[EMAIL_3]"), "s1");
    assert.equal(back.status, "completed", JSON.stringify(back.error));
    assert.equal(await Deno.readTextFile(join(data, "out.txt")), EMAILS[2]);

    // Another session, on either replica: the token was not issued there.
    for (const r of [one, two]) {
      const other = await r.run(write(join(data, "other.txt"), "[EMAIL_1]"), "s2");
      assert.equal(other.status, "failed");
      assert.match(String(other.error?.message), /was not issued in this session/);
    }
    await assert.rejects(() => Deno.stat(join(data, "other.txt")), Deno.errors.NotFound);

    // A session ended on one replica: its tokens no longer resolve on the other.
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      assert.equal((await one.run(read(join(data, "c.txt")), "s3")).data, "[EMAIL_1]");
      await two.orch.endSession("s3");
      for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
        const [row] = await sql`SELECT 1 FROM mcpx_pii_vaults WHERE session = 's3'`;
        if (row === undefined) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const ended = await one.run(write(join(data, "other.txt"), "[EMAIL_1]"), "s3");
      assert.equal(ended.status, "failed");
      assert.match(String(ended.error?.message), /was not issued in this session/);

      // At rest: no real value in the table.
      const rows = await sql<{ session: string; sealed: Uint8Array }[]>`
        SELECT session, sealed FROM mcpx_pii_vaults ORDER BY session`;
      assert.deepEqual(rows.map((r) => r.session), ["s1", "s2", "s3"]);
      const dump = rows.map((r) => new TextDecoder().decode(r.sealed)).join("\n");
      for (const email of EMAILS) assert.ok(!dump.includes(email), email);
      // A vault row moved onto another session's place does not open there.
      await sql`DELETE FROM mcpx_pii_vaults WHERE session = 's2'`;
      await sql`UPDATE mcpx_pii_vaults SET session = 's2' WHERE session = 's1'`;
    } finally {
      await sql.end();
    }
    const moved = await two.run(write(join(data, "other.txt"), "[EMAIL_1]"), "s2");
    assert.equal(moved.status, "failed");
    await assert.rejects(() => Deno.stat(join(data, "other.txt")), Deno.errors.NotFound);

    // A replica that stops (its shutdown closes its sessions) leaves their vaults for the one that takes them over.
    {
      await using three = await replica(db.url, key, data);
      assert.equal((await three.run(read(join(data, "c.txt")), "s4")).data, "[EMAIL_1]");
      await three.orch.shutdown({ drainTimeoutMs: 0 });
      three.orch.privacyVaults?.drop("s4");
    }
    const takenOver = await two.run(write(join(data, "out.txt"), "[EMAIL_1]"), "s4");
    assert.equal(takenOver.status, "completed", JSON.stringify(takenOver.error));
    assert.equal(await Deno.readTextFile(join(data, "out.txt")), EMAILS[2]);
    await Deno.remove(data, { recursive: true });
  },
});
