/**
 * The daemon with `state.url` uses the upstream sign-ins of the PostgreSQL state store: a sign-in made by another
 * replica serves this one, and no token file is written.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { SharedSignInStore } from "../../runtime/connections/auth/mod.ts";
import { ConnectionManager } from "../../runtime/connections/mod.ts";
import { PostgresStateStore, StateCipher } from "../../runtime/state/mod.ts";
import { actAsBrowser, startOAuthServer } from "../helpers/oauth_server.ts";
import { freshDatabase, PG_URL } from "../helpers/postgres.ts";
import { daemonDir, httpClient, httpDaemon } from "./_daemon.ts";

Deno.test({
  name:
    "daemon: with state.url, a sign-in stored by another replica serves this one and no token file is written",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await using server = startOAuthServer({ account: "alice" });
    {
      await using state = await PostgresStateStore.open(db.url, {
        cipher: await StateCipher.fromBase64(key),
      });
      await using elsewhere = new ConnectionManager(
        { servers: { s: { type: "http", url: server.url, headers: {} } } },
        { signInStore: new SharedSignInStore(state.signIns), onAuthorizationUrl: actAsBrowser },
      );
      const [status] = await elsewhere.connectAll();
      assert.equal(status?.state, "connected", status?.error);
    }
    await using dir = await daemonDir({ state: { url: db.url }, sessions: { dir: "sessions" } });
    const mcp = JSON.parse(await Deno.readTextFile(dir.config));
    mcp.mcpServers.s = { type: "http", url: server.url };
    await Deno.writeTextFile(dir.config, JSON.stringify(mcp));
    const tokenFile = join(dir.dir, "tokens.json");
    {
      await using daemon = await httpDaemon(dir.config, {
        env: { MCPX_STATE_KEY: key, MCP_EXECUTOR_TOKEN_FILE: tokenFile },
      });
      await using client = await httpClient(daemon.url);
      const result = await client.client.callTool({
        name: "execute_code",
        arguments: { code: "return await s.whoami({});" },
      }) as { isError?: boolean; content: { type: string; text: string }[] };
      assert.equal(result.isError ?? false, false, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), /alice/);
    }
    assert.equal(server.signIns, 1, "no second sign-in");
    await assert.rejects(() => Deno.stat(tokenFile), Deno.errors.NotFound);
  },
});
