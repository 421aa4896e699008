import assert from "node:assert/strict";
import { join } from "node:path";
import { ConnectionManager } from "./connection_manager.ts";

const REMOTE = {
  servers: { remote: { type: "http" as const, url: "http://127.0.0.1:9/mcp", headers: {} } },
};

Deno.test("ConnectionManager keeps sign-ins in signInFile, and reads the deprecated tokenFile when it is not given", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using named = new ConnectionManager(REMOTE, { signInFile: join(dir, "sign-ins.json") });
    assert.equal(named.signInFile, join(dir, "sign-ins.json"));
    await using old = new ConnectionManager(REMOTE, { tokenFile: join(dir, "old.json") });
    assert.equal(old.signInFile, join(dir, "old.json"));
    assert.equal(old.tokenFile, join(dir, "old.json"));
    await using both = new ConnectionManager(REMOTE, {
      signInFile: join(dir, "new.json"),
      tokenFile: join(dir, "old.json"),
    });
    assert.equal(both.signInFile, join(dir, "new.json"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
