import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BRIDGE_SYMBOL_KEY } from "../wire/mod.ts";
import { writeServerModules } from "./write_server_modules.ts";
import {
  GOLDEN_FIXTURES,
  KITCHEN_SINK_FILE,
  loadFixtureFile,
  loadFixtures,
} from "./_test_fixtures.ts";
import { RUNTIME_MODULE_FILE } from "./runtime_module.ts";
import { toServerDirName } from "./identifiers.ts";

type Call = [server: string, tool: string, args: unknown];

Deno.test("_module.js exports the functions of index.ts, and each calls the bridge as the tool's own file does", async () => {
  const servers = [
    ...await loadFixtures(GOLDEN_FIXTURES),
    await loadFixtureFile(KITCHEN_SINK_FILE),
  ];
  const dir = await Deno.makeTempDir({ prefix: "runtime_module_test_" });
  const calls: Call[] = [];
  const key = Symbol.for(BRIDGE_SYMBOL_KEY);
  (globalThis as Record<symbol, unknown>)[key] = {
    callTool: (server: string, tool: string, args: unknown) => {
      calls.push([server, tool, args]);
      return Promise.resolve("ok");
    },
  };
  try {
    await writeServerModules(dir, servers);
    let functions = 0;
    for (const server of servers) {
      const folder = join(dir, toServerDirName(server.name));
      const index = await import(pathToFileURL(join(folder, "index.ts")).href);
      const lean = await import(pathToFileURL(join(folder, RUNTIME_MODULE_FILE)).href);
      assert.deepEqual(Object.keys(lean).sort(), Object.keys(index).sort(), server.name);
      for (const name of Object.keys(index)) {
        for (const args of [[], [{ a: 1 }], [undefined]]) {
          calls.length = 0;
          assert.equal(await index[name](...args), "ok");
          assert.equal(await lean[name](...args), "ok");
          assert.equal(calls.length, 2);
          assert.deepEqual(calls[1], calls[0], `${server.name}.${name}(${JSON.stringify(args)})`);
        }
        assert.equal(lean[name].length, index[name].length, `${name}: the same parameter count`);
        functions++;
      }
    }
    assert.ok(functions > 40, `${functions} functions compared`);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[key];
    await Deno.remove(dir, { recursive: true });
  }
});
