import assert from "node:assert/strict";
import postgres from "postgres";
import type { McpConfig } from "../runtime/config.ts";
import { SharedSignInStore } from "../runtime/connections/auth/mod.ts";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import { PostgresStateStore, StateCipher } from "../runtime/state/mod.ts";
import { actAsBrowser, startOAuthServer } from "./helpers/oauth_server.ts";
import { freshDatabase, PG_URL } from "./helpers/postgres.ts";

function randomKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

function configOf(url: string): McpConfig {
  return { servers: { s: { type: "http", url, headers: {} } } };
}

async function openShared(url: string, key: string): Promise<PostgresStateStore> {
  return await PostgresStateStore.open(url, { cipher: await StateCipher.fromBase64(key) });
}

/** A replica process (tests/helpers/sign_in_replica.ts) started and waiting for its go. */
async function startReplica(
  dbUrl: string,
  key: string,
  serverUrl: string,
): Promise<{ go(): Promise<void>; result(): Promise<Record<string, unknown>> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./helpers/sign_in_replica.ts", import.meta.url).pathname,
      serverUrl,
    ],
    env: { MCPX_STATE_URL: dbUrl, MCPX_STATE_KEY: key },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The replica ended before it was ready: ${text}`);
    text += value;
  }
  const writer = child.stdin.getWriter();
  return {
    go: () => writer.write(new Uint8Array([10])),
    async result() {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      await writer.close();
      const status = await child.status;
      const stderr = new TextDecoder().decode(
        await new Response(child.stderr).arrayBuffer(),
      );
      assert.equal(status.code, 0, stderr);
      return JSON.parse(text.split("\n").filter((l) => l.startsWith("{")).at(-1)!);
    },
  };
}

Deno.test({
  name:
    "shared sign-ins: two replica processes racing a refresh spend the rotating refresh token once",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const key = randomKey();
    // Access tokens live 60 s: a refresh is due once less than half of that is left.
    await using server = startOAuthServer({ account: "alice", accessTtlSeconds: 60 });
    {
      await using state = await openShared(db.url, key);
      const signInStore = new SharedSignInStore(state.signIns);
      await using signIn = new ConnectionManager(configOf(server.url), {
        signInStore,
        onAuthorizationUrl: actAsBrowser,
      });
      const [status] = await signIn.connectAll();
      assert.equal(status?.state, "connected", status?.error);
      // 10 s left: both replicas find a refresh due; the new tokens have 60 s, not due again during the test.
      await signInStore.update(
        "s",
        server.url,
        (entry) => ({ ...entry, expiresAt: Date.now() + 10_000 }),
      );
    }
    assert.equal(server.signIns, 1);
    assert.equal(server.refreshes, 0);
    const replicas = await Promise.all([1, 2].map(() => startReplica(db.url, key, server.url)));
    await Promise.all(replicas.map((r) => r.go()));
    const results = await Promise.all(replicas.map((r) => r.result()));
    assert.equal(server.refreshes, 1, "one refresh request reached the authorization server");
    for (const result of results) assert.equal(result.state, "connected", String(result.error));
    assert.equal(results[0]!.access, results[1]!.access, "both replicas use the one new token");
    assert.ok(server.accepts(String(results[0]!.access)));
  },
});

Deno.test({
  name:
    "shared sign-ins: tokens and client are encrypted at rest, the key is not in the database, another key cannot read them",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const key = randomKey();
    const url = "https://mcp.example.com/mcp";
    const secrets = ["at-secret-1", "rt-secret-1", "cs-secret-1"];
    {
      await using state = await openShared(db.url, key);
      const store = new SharedSignInStore(state.signIns);
      await store.update({ principal: "alice", server: "s" }, url, (entry) => ({
        ...entry,
        client: { client_id: "client-1", client_secret: secrets[2]! },
        tokens: { access_token: secrets[0]!, token_type: "Bearer", refresh_token: secrets[1]! },
        expiresAt: Date.now() + 60_000,
      }));
      assert.equal(
        (await store.get({ principal: "alice", server: "s" }, url))?.tokens?.access_token,
        secrets[0],
      );
      assert.equal(
        await store.get("s", url),
        undefined,
        "another principal's sign-in is not the default's",
      );
      assert.equal(await store.get({ principal: "alice", server: "s" }, `${url}/other`), undefined);
      const [summary] = await store.list();
      assert.deepEqual([
        summary?.principal,
        summary?.server,
        summary?.signedIn,
        summary?.canRefresh,
      ], [
        "alice",
        "s",
        true,
        true,
      ]);
      assert.ok(!secrets.some((s) => JSON.stringify(summary).includes(s)));
    }
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const dump = JSON.stringify(
        await sql`SELECT t.* FROM mcpx_sign_ins t`.then((rows) =>
          rows.map((r) => ({ ...r, sealed: new TextDecoder().decode(r.sealed as Uint8Array) }))
        ),
      );
      for (const secret of [...secrets, key, "client-1"]) assert.ok(!dump.includes(secret), secret);
      // A row moved onto another principal's place does not open.
      await sql`UPDATE mcpx_sign_ins SET principal = 'bob'`;
    } finally {
      await sql.end();
    }
    await using other = await openShared(db.url, randomKey());
    await assert.rejects(
      () => new SharedSignInStore(other.signIns).get({ principal: "bob", server: "s" }, url),
      /Cannot decrypt/,
    );
    await using same = await openShared(db.url, key);
    await assert.rejects(
      () => new SharedSignInStore(same.signIns).get({ principal: "bob", server: "s" }, url),
      /Cannot decrypt/,
    );
  },
});
