import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SkillStore } from "./skill_store.ts";
import { SKILL_HEADER_RE } from "./skill_code.ts";

const CHILD = fileURLToPath(new URL("./testdata/save_skill_child.ts", import.meta.url));
const NO_SERVERS = {
  servers: [],
  serversDir: "/nonexistent/servers",
  currentTools: () => undefined,
};

async function tempSkills(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "skill-store-" });
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function child(dir: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, dir, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The token a file's content carries (`Returns token X` in SKILL.md, `return "X";` in skill.ts). */
function tokens(
  folder: string,
): { md: string | undefined; ts: string | undefined; header: number } {
  const md = Deno.readTextFileSync(join(folder, "SKILL.md"));
  const ts = Deno.readTextFileSync(join(folder, "skill.ts"));
  return {
    md: /Returns token ([0-9a-f-]+)/.exec(md)?.[1],
    ts: /return "([0-9a-f-]+)";/.exec(ts)?.[1],
    header: Number(SKILL_HEADER_RE.exec(ts)?.[2]),
  };
}

/** Every stored version and the current files are whole: each folder's files belong to one save. */
async function assertWhole(dir: string, name: string): Promise<number> {
  const store = new SkillStore(dir);
  const loaded = await store.load(name);
  const current = tokens(join(dir, name));
  assert.ok(current.md !== undefined && current.md === current.ts, JSON.stringify(current));
  assert.equal(current.header, loaded.metadata.version);
  assert.equal(loaded.metadata.version, loaded.versions.at(-1));
  for (const version of loaded.versions) {
    const stored = tokens(join(dir, name, "versions", String(version)));
    assert.ok(stored.md !== undefined && stored.md === stored.ts, `version ${version}`);
    assert.equal(stored.header, version);
  }
  assert.deepEqual(
    loaded.versions,
    Array.from({ length: loaded.versions.length }, (_, i) => i + 1),
  );
  return loaded.metadata.version;
}

Deno.test("SkillStore.save() killed with SIGKILL midway leaves whole versions, and the next save goes on", async () => {
  await using tmp = await tempSkills();
  const store = new SkillStore(tmp.dir);
  await store.save("token", { description: "Returns token 0", code: 'return "0";' }, NO_SERVERS);
  for (let round = 0; round < 20; round++) {
    const process = child(tmp.dir, ["token", "loop"]);
    const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("saved")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    // Somewhere inside one of the next saves.
    await new Promise((r) => setTimeout(r, Math.random() * 30));
    process.kill("SIGKILL");
    await process.status;
    await reader.cancel();
    await process.stderr.cancel();
    await assertWhole(tmp.dir, "token");
  }
  // The dead process's lock is taken over; the next version follows the last whole one.
  const before = await assertWhole(tmp.dir, "token");
  const saved = await store.save(
    "token",
    { description: "Returns token 1", code: 'return "1";' },
    NO_SERVERS,
  );
  assert.equal(saved.version, before + 1);
  assert.equal(await assertWhole(tmp.dir, "token"), before + 1);
  const leftovers = [...Deno.readDirSync(join(tmp.dir, "token"))].map((e) => e.name)
    .filter((name) => name.includes(".tmp-") || name.startsWith(".lock"));
  assert.deepEqual(leftovers, []);
});

Deno.test("SkillStore.save() twice at once, in two processes or in one, gives two whole versions", async () => {
  await using tmp = await tempSkills();
  const barrier = join(tmp.dir, "go");
  const saved = [crypto.randomUUID(), crypto.randomUUID()];
  const processes = saved.map((token) => child(tmp.dir, ["race", "once", token, barrier]));
  await new Promise((r) => setTimeout(r, 300));
  await Deno.writeTextFile(barrier, "");
  const outputs = await Promise.all(processes.map((p) => p.output()));
  const results = outputs.map((o) => JSON.parse(new TextDecoder().decode(o.stdout)));
  assert.deepEqual(results.map((r) => r.version).sort(), [1, 2], JSON.stringify(results));
  await assertWhole(tmp.dir, "race");
  for (const [i, result] of results.entries()) {
    assert.equal(tokens(join(tmp.dir, "race", "versions", String(result.version))).md, saved[i]);
  }

  const store = new SkillStore(tmp.dir);
  const both = await Promise.all(
    ["a", "b"].map((t) =>
      store.save("same", { description: `Returns token ${t}`, code: `return "${t}";` }, NO_SERVERS)
    ),
  );
  assert.deepEqual(both.map((m) => m.version).sort(), [1, 2]);
});

Deno.test("SkillStore.save() refuses bad names, code that does not parse and what a skill may not import", async () => {
  await using tmp = await tempSkills();
  const store = new SkillStore(tmp.dir);
  const save = (name: string, code: string, extra: Record<string, unknown> = {}) =>
    store.save(name, { description: "A skill", code, ...extra }, NO_SERVERS);
  for (const name of ["", "Upper", "a--b", "-a", "a-", "a_b", "x".repeat(65)]) {
    await assert.rejects(save(name, "return 1;"), /Invalid skill name/, name);
  }
  await assert.rejects(
    save("bad-syntax", "const a = 1;\nconst b = (;\n"),
    /Cannot save skill "bad-syntax": Cannot parse skill code at line 2, column 12/,
  );
  await assert.rejects(
    save("exports", "export const a = 1;"),
    /export declarations are not allowed/,
  );
  await assert.rejects(
    save("imports", 'import x from "npm:left-pad";\nreturn x;'),
    /may import only/,
  );
  await assert.rejects(
    save("redeclares", "const x = 1;\nconst args = 1;\nreturn args;"),
    /at line 2, column 1: "args" is already declared/,
  );
  await assert.rejects(
    save("params", "return 1;", { params: { type: "string" } }),
    /must describe an object/,
  );
  // A schema nested thousands deep (it would overflow the stack of a recursive validator) is refused by name.
  let deep: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < 3000; i++) deep = { type: "object", properties: { x: deep } };
  await assert.rejects(
    save("deep", "return 1;", { params: deep }),
    /Cannot save skill "deep": "params" nests deeper than 64 levels/,
  );
  await assert.rejects(save("desc", "return 1;", { description: "" }), /"description"/);
  await assert.rejects(
    save("desc", "return 1;", { description: "a --- b" }),
    /must not contain "---"/,
  );
  await assert.rejects(save("tags", "return 1;", { tags: ["two words"] }), /"tags"/);
  await assert.rejects(
    save("tools", "return 1;", { tools: ["memory.read_graph"] }),
    /server "memory" is not connected/,
  );
  assert.deepEqual(store.names(), []);
});

Deno.test("SkillStore.read() finishes reading a save cut short after its version was complete", async () => {
  await using tmp = await tempSkills();
  const store = new SkillStore(tmp.dir);
  await store.save("cut", { description: "Returns token 1", code: 'return "1";' }, NO_SERVERS);
  await store.save("cut", { description: "Returns token 2", code: 'return "2";' }, NO_SERVERS);
  // As if the process died after versions/2 was renamed into place but before SKILL.md was replaced.
  const folder = join(tmp.dir, "cut");
  await Deno.copyFile(join(folder, "versions", "1", "SKILL.md"), join(folder, "SKILL.md"));
  const record = new SkillStore(tmp.dir).read("cut");
  assert.equal(record?.metadata?.version, 2);
  assert.equal(record?.stale, true);
  const loaded = await new SkillStore(tmp.dir).load("cut");
  assert.equal(loaded.metadata.version, 2);
  assert.equal(tokens(folder).md, "2");
  assert.match(loaded.files["skill.ts"], /from "\.\.\/|return "2"/);
});

Deno.test("SkillStore.save() refuses code that uses a server that is not connected, naming it", async () => {
  await using tmp = await tempSkills();
  const store = new SkillStore(tmp.dir);
  const context = {
    ...NO_SERVERS,
    servers: [{ name: "memory", identifier: "memory", dirName: "memory", tools: [] }],
  };
  await assert.rejects(
    store.save("down", { description: "Reads", code: "return await memory.readGraph();" }, context),
    /Cannot save skill "down": server "memory" is not connected/,
  );
});
