import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { SharedSignInStore } from "../runtime/connections/auth/mod.ts";
import { PostgresStateStore, StateCipher } from "../runtime/state/mod.ts";
import { actAsBrowser, startOAuthServer } from "../tests/helpers/oauth_server.ts";
import { freshDatabase, PG_URL } from "../tests/helpers/postgres.ts";

const AUTH = fileURLToPath(new URL("./auth.ts", import.meta.url));

Deno.test({
  name:
    "auth --state-url signs in into the shared state store, encrypted; --list and --logout read it there",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const dir = await Deno.makeTempDir();
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const keyFile = join(dir, "state.key");
    await Deno.writeTextFile(keyFile, key);
    await using server = startOAuthServer({ account: "alice" });
    const config = join(dir, "mcp.json");
    const tokenFile = join(dir, "tokens.json");
    await Deno.writeTextFile(
      config,
      JSON.stringify({ mcpServers: { linear: { type: "http", url: server.url } } }),
    );
    const env = { MCPX_STATE_URL: db.url, MCPX_STATE_KEY: key, MCP_EXECUTOR_TOKEN_FILE: tokenFile };
    const run = async (args: string[]) => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", AUTH, ...args],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", AUTH, "linear", "--config", config, "--no-browser"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let stdout = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!/Waiting for the browser/.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const url = stdout.match(/^ {2}(http\S+)$/m)?.[1];
    assert.ok(url !== undefined, stdout);
    const redirect = stdout.match(/come back to (http:\/\/127\.0\.0\.1:\d+\/callback)/)?.[1]!;
    await actAsBrowser({ url: new URL(url), redirectUrl: redirect });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      stdout += chunk.value;
    }
    assert.equal((await child.status).code, 0, stdout + (await stderr));
    assert.match(
      stdout,
      /The sign-in is stored in the state store \(PostgreSQL table mcpx_sign_ins\)\./,
    );
    await assert.rejects(() => Deno.stat(tokenFile), Deno.errors.NotFound);

    {
      await using state = await PostgresStateStore.open(db.url, {
        cipher: await StateCipher.load({ keyFile }),
      });
      const entry = await new SharedSignInStore(state.signIns).get("linear", server.url);
      assert.ok(server.accepts(entry?.tokens?.access_token ?? ""));
    }
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ sealed: Uint8Array }[]>`SELECT sealed FROM mcpx_sign_ins`;
      const text = new TextDecoder().decode(row!.sealed);
      for (const secret of server.secrets) assert.ok(!text.includes(secret));
    } finally {
      await sql.end();
    }

    const listed = await run(["--list", "--state-url", db.url, "--state-key-file", keyFile]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^Sign-ins in the state store/);
    assert.match(
      listed.stdout,
      new RegExp(`^  default  linear  ${server.url}  \\(signed in, refreshes, `, "m"),
    );
    const out = await run(["--logout", "linear"]);
    assert.match(out.stdout, /its sign-in was removed from the state store/);
    assert.match((await run(["--list"])).stdout, /^No stored sign-ins in the state store/);
    const noKey = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", AUTH, "--list", "--state-url", db.url],
      env: { MCPX_STATE_KEY: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(noKey.code, 1);
    assert.match(new TextDecoder().decode(noKey.stderr), /MCPX_STATE_KEY nor state\.keyFile/);
    await Deno.remove(dir, { recursive: true });
  },
});
