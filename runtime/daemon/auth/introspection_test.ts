import assert from "node:assert/strict";
import { InvalidTokenError } from "../../sdk.ts";
import { introspectionVerifier } from "./introspection.ts";

const AUDIENCE = "http://127.0.0.1:8787/mcp";

Deno.test("introspectionVerifier() asks the endpoint as a client and checks active, iss, aud and exp", async () => {
  const now = Math.floor(Date.now() / 1000);
  const answers: Record<string, Record<string, unknown>> = {
    good: {
      active: true,
      iss: "",
      aud: AUDIENCE,
      sub: "carol",
      scope: "mcpx:execute",
      exp: now + 60,
    },
    inactive: { active: false },
    foreign: { active: true, aud: "http://elsewhere/mcp", sub: "carol", exp: now + 60 },
    expired: { active: true, aud: [AUDIENCE], sub: "carol", exp: now - 1 },
    noExp: { active: true, aud: AUDIENCE, sub: "carol" },
    client: { active: true, aud: AUDIENCE, client_id: "ci", exp: now + 60 },
  };
  const seen: string[] = [];
  let issuer = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request): Promise<Response> => {
      seen.push(request.headers.get("authorization") ?? "");
      const form = new URLSearchParams(await request.text());
      const answer = answers[form.get("token") ?? ""] ?? { active: false };
      return Response.json(answer.iss === "" ? { ...answer, iss: issuer } : answer);
    },
  );
  issuer = `http://127.0.0.1:${server.addr.port}`;
  try {
    const verifier = introspectionVerifier({
      url: `${issuer}/introspect`,
      issuer,
      audience: AUDIENCE,
      clientId: "mcp executor",
      clientSecret: "s3cret",
    });
    const info = await verifier.verifyAccessToken("good");
    assert.equal(info.extra?.principal, `${issuer}#carol`);
    assert.deepEqual(info.scopes, ["mcpx:execute"]);
    assert.equal(seen[0], `Basic ${btoa("mcp+executor:s3cret")}`);
    const client = await verifier.verifyAccessToken("client");
    assert.equal(client.extra?.principal, `${issuer}#ci`, "without sub, client_id names it");
    for (
      const [token, reason] of [
        ["inactive", /not active/],
        ["foreign", /"aud"/],
        ["expired", /expired/],
        ["noExp", /"exp" is missing/],
      ] as const
    ) {
      await assert.rejects(verifier.verifyAccessToken(token), InvalidTokenError, token);
      await assert.rejects(verifier.verifyAccessToken(token), reason);
    }
  } finally {
    await server.shutdown();
  }
});
