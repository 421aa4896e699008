import assert from "node:assert/strict";
import { ConfigError } from "../../config.ts";
import { loadTokenFile, parseTokenFile, staticTokenLookup } from "./static_tokens.ts";

const A = "a".repeat(32);
const B = "b".repeat(40);

Deno.test("parseTokenFile() reads principals, tokens and scopes, skipping blank lines and comments", () => {
  const tokens = parseTokenFile(
    `# the team\n\nalice ${A}\n  bob   ${B}   mcpx:execute,mcpx:approve,mcpx:admin  \n`,
    "tokens.txt",
  );
  assert.deepEqual(tokens, [
    { principal: "alice", token: A, scopes: ["mcpx:execute", "mcpx:skills"] },
    { principal: "bob", token: B, scopes: ["mcpx:execute", "mcpx:approve", "mcpx:admin"] },
  ]);
});

Deno.test("parseTokenFile() stops at a bad line, naming the file and the line", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["a token alone (the old format)", `# c\n${A}\n`, /line 2: expected "<principal> <token>/],
    ["too many fields", `alice ${A} mcpx:execute extra`, /line 1: expected .*found 4 fields/],
    ["a short token", `\nalice ${"s".repeat(31)}`, /line 2: .*31 characters; it needs at least 32/],
    ["an unknown scope", `alice ${A} mcpx:execute,mcpx:root`, /line 1: unknown scope "mcpx:root"/],
    ["an empty scope list", `alice ${A} ,`, /line 1: unknown scope ","/],
    ["a duplicate token", `alice ${A}\nbob ${A}`, /line 2: the token is the same as on line 1/],
    [
      "a duplicate principal",
      `alice ${A}\nalice ${B}`,
      /line 2: principal "alice" is already on line 1/,
    ],
    ["no token at all", "# nobody\n\n", /tokens\.txt: it holds no token/],
  ];
  for (const [name, text, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => parseTokenFile(text, "/etc/mcpx/tokens.txt"),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.code, "invalid_config");
          assert.match(error.message, /^Invalid token file \/etc\/mcpx\/tokens\.txt/);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

Deno.test("loadTokenFile() names a file it cannot read", async () => {
  await assert.rejects(
    loadTokenFile("/nonexistent/tokens.txt"),
    /Cannot read the token file \/nonexistent\/tokens\.txt/,
  );
});

Deno.test("staticTokenLookup() finds the principal of a token and nothing for a near miss", async () => {
  const lookup = staticTokenLookup(parseTokenFile(`alice ${A}\nbob ${B}`, "t"));
  assert.equal((await lookup(B))?.principal, "bob");
  assert.equal(await lookup(A.slice(0, 31)), undefined);
  assert.equal(await lookup(`${A}a`), undefined);
});
