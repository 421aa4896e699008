import assert from "node:assert/strict";
import { join } from "node:path";
import { GENERATED_TOKEN_FILE, generatedToken } from "./generated_token.ts";

Deno.test("generatedToken() makes a 0600 token in a 0700 folder once, then reads it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "state", "mcp-executor");
    const first = await generatedToken(dir);
    assert.equal(first.created, true);
    assert.ok(first.token.length >= 43, first.token);
    assert.equal((await Deno.stat(first.file)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    const second = await generatedToken(dir);
    assert.deepEqual(second, { ...first, created: false });
    const other = await generatedToken(join(root, "elsewhere"));
    assert.notEqual(other.token, first.token);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("generatedToken() refuses a token file others may read, or one without a token", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, GENERATED_TOKEN_FILE);
    await Deno.writeTextFile(file, "t".repeat(43));
    await Deno.chmod(file, 0o644);
    await assert.rejects(generatedToken(dir), /other users may read it \(mode 644\)/);
    await Deno.chmod(file, 0o600);
    await Deno.writeTextFile(file, "short\n");
    await assert.rejects(generatedToken(dir), /does not hold one token/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
