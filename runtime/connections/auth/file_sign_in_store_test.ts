import assert from "node:assert/strict";
import { join } from "node:path";
import { FileSignInStore } from "./file_sign_in_store.ts";

const URL_ = "https://mcp.linear.app/mcp";
const tokens = (access: string) => ({ access_token: access, token_type: "Bearer" });

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("FileSignInStore reads a version 1 file as the default principal's sign-ins and keeps other principals apart", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tokens.json");
  // A file as written before principals existed.
  const before = {
    version: 1,
    servers: { linear: { url: URL_, tokens: tokens("own"), savedAt: "2026-11-01T00:00:00.000Z" } },
  };
  await Deno.writeTextFile(path, JSON.stringify(before), { mode: 0o600 });
  const store = new FileSignInStore(path);
  assert.equal((await store.get("linear", URL_))?.tokens?.access_token, "own");
  assert.equal(
    (await store.get({ principal: "default", server: "linear" }, URL_))?.tokens?.access_token,
    "own",
  );
  assert.equal(await store.get({ principal: "alice", server: "linear" }, URL_), undefined);

  await store.update(
    { principal: "alice", server: "linear" },
    URL_,
    (e) => ({ ...e, tokens: tokens("a") }),
  );
  await store.update(
    { principal: "bob", server: "linear" },
    URL_,
    (e) => ({ ...e, tokens: tokens("b") }),
  );
  assert.equal(
    (await store.get({ principal: "alice", server: "linear" }, URL_))?.tokens?.access_token,
    "a",
  );
  assert.equal(
    (await store.get({ principal: "bob", server: "linear" }, URL_))?.tokens?.access_token,
    "b",
  );
  assert.equal((await store.get("linear", URL_))?.tokens?.access_token, "own");
  const file = await readJson(path);
  assert.equal(file.version, 2);
  assert.deepEqual(
    file.servers,
    before.servers,
    "the default principal's entries are left as they were",
  );
  assert.deepEqual(Object.keys(file.principals as object), ["alice", "bob"]);
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

  const listed = await store.list();
  assert.deepEqual(listed.map((s) => [s.principal, s.server, s.signedIn]), [
    ["default", "linear", true],
    ["alice", "linear", true],
    ["bob", "linear", true],
  ]);
  assert.ok(!JSON.stringify(listed).includes('"a"'), "a summary holds no token");

  assert.equal(await store.remove({ principal: "alice", server: "linear" }), true);
  assert.equal(await store.remove({ principal: "alice", server: "linear" }), false);
  assert.equal(
    (await store.get("linear", URL_))?.tokens?.access_token,
    "own",
    "removing alice's keeps the user's",
  );
  assert.equal(await store.remove({ principal: "bob", server: "linear" }), true);
  assert.deepEqual(
    await readJson(path),
    before,
    "with only the default principal left the file is version 1 again",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("FileSignInStore treats principal and server names such as __proto__ as plain names", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileSignInStore(join(dir, "tokens.json"));
  for (const principal of ["__proto__", "constructor", "default "]) {
    await store.update(
      { principal, server: "__proto__" },
      URL_,
      (e) => ({ ...e, tokens: tokens(principal) }),
    );
  }
  assert.equal(
    (await store.get({ principal: "__proto__", server: "__proto__" }, URL_))?.tokens?.access_token,
    "__proto__",
  );
  assert.equal(
    (await store.get({ principal: "constructor", server: "__proto__" }, URL_))?.tokens
      ?.access_token,
    "constructor",
  );
  assert.equal(await store.get({ principal: "toString", server: "__proto__" }, URL_), undefined);
  assert.equal(
    await store.get("__proto__", URL_),
    undefined,
    "none of them is the default principal's",
  );
  assert.deepEqual((await store.list()).map((s) => s.principal), [
    "__proto__",
    "constructor",
    "default ",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("FileSignInStore refuses a file whose principals are not an object", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tokens.json");
  await Deno.writeTextFile(path, JSON.stringify({ version: 2, servers: {}, principals: [] }));
  await assert.rejects(new FileSignInStore(path).list(), /is not a sign-in file of mcp-executor/);
  await Deno.remove(dir, { recursive: true });
});
