/**
 * The daemon's HTTP security claims, against a real daemon subprocess: no token beyond loopback refuses to start,
 * a missing or wrong token gets 401 before anything else, forbidden Host and Origin headers get 403, and a session
 * id another client opened (or an unknown one) is refused with 404.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { daemonDir, httpClient, httpDaemon, SERVE } from "./_daemon.ts";

const ALPHA = "alpha-token-1-0123456789abcdefghij";
const BETA = "beta-token-2-0123456789abcdefghijk";
const ENV_TOKEN = "env-token-3-0123456789abcdefghijkl";

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

function mcpHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...extra,
  };
}

/** Sends a raw HTTP/1.1 request, so that the Host header is exactly what the test says. */
async function rawRequest(port: number, host: string, path: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(buffer.subarray(0, n ?? 0)));
    return Number(status?.[1]);
  } finally {
    conn.close();
  }
}

Deno.test("daemon refuses to listen beyond loopback without a bearer token, and says why", async () => {
  await using dir = await daemonDir();
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
    ],
    env: { MCPX_TOKEN: "" },
    clearEnv: true,
    stdin: "null",
  }).output();
  assert.equal(output.code, 1);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.match(
    stderr,
    /Refusing to listen on 0\.0\.0\.0: .*bearer token.*MCPX_TOKEN.*--token-file/,
  );
});

Deno.test("daemon HTTP checks: 401 without the right token, 403 for a foreign Host or Origin, 404 for another principal's session", async (t) => {
  await using dir = await daemonDir();
  const tokenFile = join(dir.dir, "tokens");
  await Deno.writeTextFile(tokenFile, `# principal token [scopes]\nalpha ${ALPHA}\nbeta ${BETA}\n`);
  await using daemon = await httpDaemon(dir.config, {
    args: ["--token-file", tokenFile],
    token: ALPHA,
  });
  const port = Number(new URL(daemon.base).port);

  await t.step("a missing or wrong token gets 401 on every route", async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: ALPHA },
    ];
    for (const headers of variants) {
      for (
        const request of [
          new Request(`${daemon.base}/healthz`, { headers }),
          new Request(daemon.url, {
            method: "POST",
            headers: mcpHeaders(headers),
            body: INITIALIZE,
          }),
        ]
      ) {
        const response = await fetch(request);
        await response.body?.cancel();
        assert.equal(response.status, 401);
        assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
    }
    const ok = await fetch(`${daemon.base}/healthz`, {
      headers: { authorization: `Bearer ${BETA}` },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  await t.step("a foreign Host header gets 403 (DNS rebinding)", async () => {
    // Raw requests: the token is not sent, so a foreign Host with a token needs its own header line.
    assert.equal(await rawRequest(port, `127.0.0.1:${port}`, "/healthz"), 401);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(
      `GET /healthz HTTP/1.1\r\nHost: attacker.example:${port}\r\n` +
        `Authorization: Bearer ${ALPHA}\r\nConnection: close\r\n\r\n`,
    ));
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    conn.close();
    assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 403/);
  });

  await t.step("a foreign Origin gets 403", async () => {
    const response = await fetch(daemon.url, {
      method: "POST",
      headers: mcpHeaders({
        authorization: `Bearer ${ALPHA}`,
        origin: "https://attacker.example",
      }),
      body: INITIALIZE,
    });
    assert.equal(response.status, 403);
    const body = await response.json();
    assert.match(body.error, /Origin "https:\/\/attacker\.example" is not allowed/);
  });

  await t.step("a session id another principal opened, or an unknown one, gets 404", async () => {
    await using alpha = await httpClient(daemon.url, ALPHA);
    const sessionId = alpha.transport.sessionId!;
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    for (
      const [token, id] of [[BETA, sessionId], [ALPHA, crypto.randomUUID()]]
    ) {
      const response = await fetch(daemon.url, {
        method: "POST",
        headers: mcpHeaders({
          authorization: `Bearer ${token}`,
          "mcp-session-id": id!,
          "mcp-protocol-version": "2025-11-25",
        }),
        body: list,
      });
      assert.equal(response.status, 404);
      await response.body?.cancel();
    }
    assert.equal((await alpha.client.listTools()).tools.length, 4);
  });
});

Deno.test("daemon listens beyond loopback when a token is given in the environment", async () => {
  await using dir = await daemonDir();
  await using daemon = await httpDaemon(dir.config, {
    args: ["--host", "0.0.0.0"],
    env: { MCPX_TOKEN: ENV_TOKEN },
    token: ENV_TOKEN,
  });
  await using client = await httpClient(daemon.url, ENV_TOKEN);
  assert.equal((await client.client.listTools()).tools.length, 4);
});
