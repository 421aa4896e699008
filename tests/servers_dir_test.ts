import assert from "node:assert/strict";
import { join } from "node:path";
import { generateClientModule, generateServerModules } from "../runtime/codegen/mod.ts";

const root = new URL("..", import.meta.url).pathname;

async function readTree(dir: string, prefix = ""): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory) {
      for (const [k, v] of await readTree(join(dir, entry.name), path)) files.set(k, v);
    } else files.set(path, await Deno.readTextFile(join(dir, entry.name)));
  }
  return files;
}

Deno.test("the checked-in servers/ is what the generator makes from the embedded default's recorded servers", async () => {
  const expected = new Map<string, string>([["_client.ts", generateClientModule()]]);
  for (const key of ["memory", "filesystem", "everything"]) {
    const fixture = JSON.parse(
      await Deno.readTextFile(join(root, `tests/fixtures/tools_list/${key}.json`)),
    );
    const files = generateServerModules({
      name: key,
      version: fixture.serverInfo.version,
      tools: fixture.tools,
    });
    for (const [path, content] of files) expected.set(path, content);
  }
  const actual = await readTree(join(root, "servers"));
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [path, content] of expected) {
    assert.equal(actual.get(path), content, `servers/${path} differs`);
  }
});
