import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { listServerModules } from "./pool_settings.ts";

Deno.test("listServerModules() maps each server's index.ts to its _module.js, where there is one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pool_settings_test_" });
  try {
    for (const server of ["memory", "old"]) {
      await Deno.mkdir(join(dir, server));
      await Deno.writeTextFile(join(dir, server, "index.ts"), "export {};\n");
    }
    await Deno.writeTextFile(join(dir, "memory", "_module.js"), "export {};\n");
    await Deno.mkdir(join(dir, "notes")); // no index.ts: not a server module
    const url = (path: string) => pathToFileURL(join(dir, path)).href;
    assert.deepEqual(await listServerModules(dir), [
      { index: url("memory/index.ts"), load: url("memory/_module.js") },
      { index: url("old/index.ts"), load: url("old/index.ts") },
    ]);
    assert.deepEqual(await listServerModules(join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
