/**
 * Who may call the daemon over HTTP, against a real daemon subprocess: OAuth access tokens from a real
 * `oidc-provider`, static tokens from a token file, the generated token, and `--no-auth`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { freePort } from "../helpers/servers.ts";
import { noUnhandledRejections } from "../helpers/no_unhandled.ts";
import { startOidcServer } from "../helpers/oidc_server.ts";
import { daemonDir, httpClient, httpDaemon, SERVE } from "./_daemon.ts";

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
});

function post(url: URL, token: string | undefined, body: string, session?: string) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(session === undefined
        ? {}
        : { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }),
    },
    body,
  });
}

function data(result: unknown): unknown {
  return (result as { structuredContent: { data: unknown } }).structuredContent.data;
}

Deno.test(
  "daemon with auth.issuer: 401 points at the metadata, alice works, bob cannot use her session, no mcpx:execute gets 403",
  noUnhandledRejections(async (t) => {
    const port = freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    await using idp = await startOidcServer({
      resource,
      clients: [
        { id: "alice", scopes: ["mcpx:execute", "mcpx:skills"] },
        { id: "bob", scopes: ["mcpx:execute"] },
        { id: "carol", scopes: ["mcpx:skills"] },
      ],
    });
    await using dir = await daemonDir({ auth: { issuer: idp.issuer } });
    await using daemon = await httpDaemon(dir.config, { port, noAuth: false });
    const alice = await idp.token("alice");
    const bob = await idp.token("bob");

    await t.step("no token: 401 whose resource_metadata names the issuer", async () => {
      const refused = await post(daemon.url, undefined, INITIALIZE);
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
      const header = refused.headers.get("www-authenticate")!;
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(header)?.[1];
      assert.equal(
        metadataUrl,
        `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`,
      );
      assert.match(header, /scope="mcpx:execute mcpx:skills"/);
      const metadata = await fetch(metadataUrl!, { headers: { origin: "https://app.example" } });
      assert.equal(metadata.headers.get("access-control-allow-origin"), "*");
      const document = await metadata.json();
      assert.equal(document.resource, resource);
      assert.deepEqual(document.authorization_servers, [idp.issuer]);
      const root = await fetch(`${daemon.base}/.well-known/oauth-protected-resource`);
      assert.equal((await root.json()).resource, resource);
    });

    let aliceSession = "";
    await t.step(
      "alice's access token opens a session and runs execute_code; bob's token with her session id gets 404",
      async () => {
        const session = await httpClient(daemon.url, alice);
        await using _ = session;
        const result = await session.client.callTool({
          name: "execute_code",
          arguments: { code: "return 1" },
        });
        assert.equal(data(result), 1);
        aliceSession = session.transport.sessionId!;
        const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
        // Bob, signed in himself, sends alice's session id while her session is open.
        const response = await post(daemon.url, bob, list, aliceSession);
        assert.equal(response.status, 404);
        await response.body?.cancel();
        const hers = await post(daemon.url, alice, list, aliceSession);
        assert.equal(hers.status, 200);
        await hers.body?.cancel();
      },
    );

    await t.step("a token without mcpx:execute: 403 insufficient_scope", async () => {
      const response = await post(daemon.url, await idp.token("carol"), INITIALIZE);
      assert.equal(response.status, 403);
      await response.body?.cancel();
      assert.match(
        response.headers.get("www-authenticate")!,
        /error="insufficient_scope".*scope="mcpx:execute"/,
      );
    });

    await t.step("a token of the same issuer for another resource: 401 invalid_token", async () => {
      const other = await idp.token("alice", { resource: "http://127.0.0.1:1/mcp" });
      const response = await post(daemon.url, other, INITIALIZE);
      assert.equal(response.status, 401);
      await response.body?.cancel();
      assert.match(response.headers.get("www-authenticate")!, /error="invalid_token"/);
    });

    await t.step("/metrics needs mcpx:admin", async () => {
      const response = await fetch(`${daemon.base}/metrics`, {
        headers: { authorization: `Bearer ${alice}` },
      });
      assert.equal(response.status, 403);
      await response.body?.cancel();
    });

    await daemon[Symbol.asyncDispose]();
    const log = await daemon.output;
    assert.ok(log.includes(`Session ${aliceSession} opened for ${idp.issuer}#alice`), log);
    assert.ok(log.includes(`Session ${aliceSession} closed for ${idp.issuer}#alice`), log);
    assert.ok(!log.includes(alice), "the access token never reaches the log");
  }),
);

Deno.test(
  "daemon with auth.introspectionUrl: opaque tokens of a real oidc-provider are introspected, with the same scopes and audience rules",
  noUnhandledRejections(async () => {
    const port = freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    await using idp = await startOidcServer({
      resource,
      accessTokenFormat: "opaque",
      clients: [
        { id: "alice", scopes: ["mcpx:execute"] },
        { id: "carol", scopes: ["mcpx:skills"] },
      ],
    });
    await using dir = await daemonDir({
      http: { publicUrl: `http://127.0.0.1:${port}` },
      auth: {
        issuer: idp.issuer,
        introspectionUrl: idp.introspection.url,
        introspectionClientId: idp.introspection.clientId,
      },
    });
    await using daemon = await httpDaemon(dir.config, {
      port,
      noAuth: false,
      env: { MCPX_INTROSPECTION_SECRET: idp.introspection.clientSecret },
    });
    const alice = await idp.token("alice");
    assert.doesNotMatch(alice, /\./, "an opaque token, not a JWT");
    {
      await using session = await httpClient(daemon.url, alice);
      const result = await session.client.callTool({
        name: "execute_code",
        arguments: { code: "return 1" },
      });
      assert.equal(data(result), 1);
    }
    const carol = await post(daemon.url, await idp.token("carol"), INITIALIZE);
    assert.equal(carol.status, 403);
    await carol.body?.cancel();
    const elsewhere = await idp.token("alice", { resource: "http://127.0.0.1:1/mcp" });
    const foreign = await post(daemon.url, elsewhere, INITIALIZE);
    assert.equal(foreign.status, 401);
    await foreign.body?.cancel();
    const made = await post(daemon.url, "not-a-token-the-issuer-knows", INITIALIZE);
    assert.equal(made.status, 401);
    await made.body?.cancel();
    await daemon[Symbol.asyncDispose]();
    assert.ok((await daemon.output).includes(`opened for ${idp.issuer}#alice`));
  }),
);

Deno.test(
  "daemon with a token file: each line is a principal with its scopes; a bad line stops the start naming it",
  noUnhandledRejections(async () => {
    await using dir = await daemonDir();
    const file = join(dir.dir, "tokens.txt");
    const alice = "alice-0123456789abcdefghijklmnopqrstuvwxyz";
    const ops = "ops-0123456789abcdefghijklmnopqrstuvwxyz";
    await Deno.writeTextFile(file, `# who\nalice ${alice}\n\nops ${ops} mcpx:admin\n`);
    {
      await using daemon = await httpDaemon(dir.config, {
        args: ["--token-file", file],
        token: alice,
      });
      await using session = await httpClient(daemon.url, alice);
      const result = await session.client.callTool({
        name: "execute_code",
        arguments: { code: "return 1" },
      });
      assert.equal(data(result), 1);
      const metrics = (token: string) =>
        fetch(`${daemon.base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      const denied = await metrics(alice);
      assert.equal(denied.status, 403);
      await denied.body?.cancel();
      const allowed = await metrics(ops);
      assert.equal(allowed.status, 200);
      assert.match(await allowed.text(), /mcp_executor_/);
      const opsSession = await post(daemon.url, ops, INITIALIZE);
      assert.equal(opsSession.status, 403);
      await opsSession.body?.cancel();
    }
    await Deno.writeTextFile(file, `alice ${alice}\nbob short\n`);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        SERVE,
        "--config",
        dir.config,
        "--http",
        "--port",
        "0",
        "--token-file",
        file,
      ],
      stdin: "null",
    }).output();
    assert.equal(output.code, 1);
    assert.match(
      new TextDecoder().decode(output.stderr),
      new RegExp(`Invalid token file ${file.replaceAll(".", "\\.")}, line 2: .*5 characters`),
    );
  }),
);

Deno.test(
  "daemon with no token makes one: a 0600 file in the state folder, the claude mcp add line, the same token next start",
  noUnhandledRejections(async () => {
    await using dir = await daemonDir();
    const state = join(dir.dir, "state");
    const tokenFile = join(state, "http-token");
    const start = () =>
      httpDaemon(dir.config, { noAuth: false, env: { MCPX_STATE_DIR: state, MCPX_TOKEN: "" } });
    let first: string;
    {
      await using daemon = await start();
      const refused = await fetch(`${daemon.base}/healthz`);
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
      first = (await Deno.readTextFile(tokenFile)).trim();
      assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);
      await using session = await httpClient(daemon.url, first);
      assert.equal((await session.client.listTools()).tools.length, 4);
      await daemon[Symbol.asyncDispose]();
      const log = await daemon.output;
      assert.ok(
        log.includes(
          `claude mcp add --transport http mcp-executor ${daemon.url.href} --header ` +
            `"Authorization: Bearer ${first}"`,
        ),
        log,
      );
      assert.match(log, /bearer token made and kept in .*http-token/);
    }
    {
      await using daemon = await start();
      await using session = await httpClient(daemon.url, first);
      assert.equal((await session.client.listTools()).tools.length, 4);
      await daemon[Symbol.asyncDispose]();
      assert.match(await daemon.output, /bearer token read in .*http-token/);
    }
    assert.equal((await Deno.readTextFile(tokenFile)).trim(), first);
  }),
);

Deno.test(
  "serve --no-auth: loopback only, with a warning at every start",
  noUnhandledRejections(async () => {
    await using dir = await daemonDir();
    {
      await using daemon = await httpDaemon(dir.config, { noAuth: true });
      const open = await fetch(`${daemon.base}/healthz`);
      assert.equal(open.status, 200);
      await open.body?.cancel();
      await daemon[Symbol.asyncDispose]();
      assert.match(await daemon.output, /warning: --no-auth: any program or user on this machine/);
    }
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        SERVE,
        "--config",
        dir.config,
        "--http",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--no-auth",
      ],
      stdin: "null",
    }).output();
    assert.equal(output.code, 1);
    assert.match(
      new TextDecoder().decode(output.stderr),
      /Refusing --no-auth on 0\.0\.0\.0: it is allowed on loopback only/,
    );
  }),
);
