/**
 * Running the project leaves the folder it runs in alone unless a config file there asks for it: an orchestrator
 * given its config as an object writes its generated servers/ and skills/ into its state folder, not into the
 * current folder (which, for the project's own tests, is the checkout). `.ci/run`
 * checks the whole suite the same way: `git status` is as clean after the run as before.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { npmServer } from "./helpers/servers.ts";

Deno.test("an orchestrator with an inline config writes servers/ into its state folder, nothing into the current folder", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "mcpx-cwd-" });
  const state = await Deno.makeTempDir({ prefix: "mcpx-state-" });
  try {
    const mod = new URL("../runtime/mod.ts", import.meta.url).href;
    const config = {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(state, "m.jsonl") }),
      },
    };
    const script = `
      import { MCPOrchestrator } from ${JSON.stringify(mod)};
      await using orch = new MCPOrchestrator({ config: ${JSON.stringify(config)}, stateDir: ${
      JSON.stringify(state)
    }, poolSize: 0 });
      await orch.initialize();
      console.log(JSON.stringify({ serversDir: orch.serversDir }));
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--config",
        fileURLToPath(new URL("../deno.json", import.meta.url)),
        "--ext=ts",
        script,
      ],
      cwd,
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    const { serversDir } = JSON.parse(decoder.decode(out.stdout).trim().split("\n").at(-1)!);
    assert.equal(serversDir, join(state, "servers"));
    await Deno.stat(join(state, "servers", "memory", "index.ts"));
    assert.deepEqual([...Deno.readDirSync(cwd)].map((e) => e.name), []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});
