import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { InvalidTokenError } from "../../sdk.ts";
import { createAuthenticator, refusalResponse } from "./authenticator.ts";
import { jwtVerifier } from "./jwt_verifier.ts";

const AUDIENCE = "http://127.0.0.1:8787/mcp";

/** An issuer on a loopback port: its metadata and a JWKS whose keys the test can rotate. */
function localIssuer() {
  const keys: JWK[] = [];
  let jwksFetches = 0;
  let issuer = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request): Response => {
      const { pathname } = new URL(request.url);
      if (pathname === "/.well-known/oauth-authorization-server") {
        return Response.json({ issuer, jwks_uri: `${issuer}/jwks` });
      }
      if (pathname === "/jwks") {
        jwksFetches++;
        return Response.json({ keys });
      }
      return new Response("Not found", { status: 404 });
    },
  );
  issuer = `http://127.0.0.1:${server.addr.port}`;
  const addKey = async (kid: string) => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    keys.push({ ...await exportJWK(pair.publicKey), kid, alg: "RS256", use: "sig" });
    return (claims: JWTPayload, header: Record<string, unknown> = {}) =>
      new SignJWT({ scope: "mcpx:execute", ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid, ...header })
        .setIssuedAt()
        .sign(pair.privateKey);
  };
  return {
    issuer,
    addKey,
    get jwksFetches() {
      return jwksFetches;
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

function unsigned(claims: JWTPayload): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "none", typ: "at+jwt" })}.${part(claims)}.`;
}

Deno.test("jwtVerifier() accepts a token of the issuer for this audience and refuses every other", async (t) => {
  await using idp = localIssuer();
  const sign = await idp.addKey("k1");
  const verifier = jwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksCooldownMs: 0 });
  const now = Math.floor(Date.now() / 1000);
  const good = { iss: idp.issuer, aud: AUDIENCE, sub: "alice", exp: now + 300 };

  await t.step("a good token names the principal <iss>#<sub>, its scopes and expiry", async () => {
    const info = await verifier.verifyAccessToken(await sign(good));
    assert.equal(info.extra?.principal, `${idp.issuer}#alice`);
    assert.deepEqual(info.scopes, ["mcpx:execute"]);
    assert.equal(info.expiresAt, now + 300);
    assert.equal(info.resource?.href, AUDIENCE);
  });

  const refusals: [string, () => Promise<string>, RegExp][] = [
    ["wrong audience", () => sign({ ...good, aud: "http://127.0.0.1:9999/mcp" }), /"aud"/],
    ["wrong issuer", () => sign({ ...good, iss: "http://127.0.0.1:1" }), /"iss"/],
    ["expired", () => sign({ ...good, exp: now - 60 }), /expired/],
    ["no exp", () => sign({ iss: idp.issuer, aud: AUDIENCE, sub: "alice" }), /"exp" is missing/],
    ["alg none", () => Promise.resolve(unsigned(good)), /algorithm|well-formed/],
    ["an HS256 token (algorithm confusion)", async () => {
      const secret = new TextEncoder().encode("x".repeat(64));
      return await new SignJWT(good).setProtectedHeader({ alg: "HS256" }).sign(secret);
    }, /algorithm/],
    ["no sub", () => sign({ ...good, sub: undefined }), /no "sub" claim/],
    ["a forged signature", async () => {
      const [head, body] = (await sign(good)).split(".");
      const other = (await sign({ ...good, sub: "mallory" })).split(".")[2];
      return `${head}.${body}.${other}`;
    }, /signature/],
  ];
  for (const [name, make, reason] of refusals) {
    await t.step(`${name}: InvalidTokenError, a 401 invalid_token`, async () => {
      const token = await make();
      const error = await verifier.verifyAccessToken(token).then(
        () => assert.fail("accepted"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof InvalidTokenError, String(error));
      assert.match(error.message, reason);
      const authenticate = createAuthenticator({ verifier });
      const result = await authenticate(
        new Request(AUDIENCE, { headers: { authorization: `Bearer ${token}` } }),
      );
      assert.ok("refused" in result);
      const response = refusalResponse(result.refused, "http://127.0.0.1:8787/.well-known/x");
      assert.equal(response.status, 401);
      assert.match(
        response.headers.get("www-authenticate")!,
        /^Bearer realm="mcp-executor", resource_metadata="[^"]+", error="invalid_token"/,
      );
      await response.body?.cancel();
    });
  }

  await t.step("a token without a required scope: 403 insufficient_scope naming it", async () => {
    const authenticate = createAuthenticator({ verifier, requiredScopes: ["mcpx:execute"] });
    const token = await sign({ ...good, scope: "mcpx:skills" });
    const result = await authenticate(
      new Request(AUDIENCE, { headers: { authorization: `Bearer ${token}` } }),
    );
    assert.ok("refused" in result);
    const response = refusalResponse(result.refused);
    assert.equal(response.status, 403);
    assert.match(
      response.headers.get("www-authenticate")!,
      /error="insufficient_scope".*scope="mcpx:execute"/,
    );
    await response.body?.cancel();
  });

  await t.step("a new key (new kid) after rotation is fetched and accepted", async () => {
    const before = idp.jwksFetches;
    const signNew = await idp.addKey("k2");
    const info = await verifier.verifyAccessToken(await signNew({ ...good, sub: "bob" }));
    assert.equal(info.extra?.principal, `${idp.issuer}#bob`);
    assert.equal(idp.jwksFetches, before + 1);
  });
});

Deno.test("jwtVerifier() pins the algorithms it is given", async () => {
  await using idp = localIssuer();
  const sign = await idp.addKey("k1");
  const verifier = jwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, algorithms: ["ES256"] });
  const now = Math.floor(Date.now() / 1000);
  await assert.rejects(
    verifier.verifyAccessToken(
      await sign({ iss: idp.issuer, aud: AUDIENCE, sub: "a", exp: now + 60 }),
    ),
    InvalidTokenError,
  );
});

Deno.test("jwtVerifier() fails with a plain error, not a refusal, when the issuer cannot be reached", async () => {
  const verifier = jwtVerifier({ issuer: "http://127.0.0.1:9", audience: AUDIENCE });
  const error = await verifier.verifyAccessToken("a.b.c").catch((e: unknown) => e);
  assert.ok(error instanceof Error && !(error instanceof InvalidTokenError), String(error));
  assert.match(error.message, /Cannot discover the metadata of issuer http:\/\/127\.0\.0\.1:9/);
  const result = await createAuthenticator({ verifier })(
    new Request(AUDIENCE, { headers: { authorization: "Bearer a.b.c" } }),
  );
  assert.ok("refused" in result && result.refused.status === 503);
});
