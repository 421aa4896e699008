/**
 * The commands README.md documents for the checkout, run in a copy of it, leave `git status` as clean as they found
 * it: `deno task gen`, and the daemon started from the checkout with the checkout's own mcp.json, driven
 * by a client that declares elicitation (so server-everything lists more tools than it does for `gen`) through a
 * TypeScript task, a Python task and the committed skill. What they generate (`servers/`, the skill's run statistics)
 * is named in .gitignore; nothing tracked changes, deno.lock included. (tests/examples_test.ts does the same for the
 * demo and the examples.)
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, StdioClientTransport } from "../runtime/sdk.ts";
import { changes, copyOfCheckout, isCheckout } from "./helpers/checkout.ts";
import { deno } from "./helpers/mcpx.ts";

Deno.test({
  name: "deno task gen and the daemon run from a copy of the checkout leave its git status clean",
  ignore: !isCheckout(),
  async fn() {
    await using copy = await copyOfCheckout();
    const { dir, env } = copy;
    assert.deepEqual(changes(dir), [], "the copy starts clean");
    const gen = await deno(dir, ["task", "gen"], env);
    assert.equal(gen.code, 0, `deno task gen:\n${(gen.stdout + gen.stderr).slice(-3000)}`);
    await Deno.stat(join(dir, "servers", "memory", "index.ts")); // gen wrote servers/

    const client = new Client(
      { name: "checkout-test", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } },
    );
    await client.connect(
      new StdioClientTransport({
        command: Deno.execPath(),
        args: ["run", "-A", "cli.ts", "serve", "--config", "mcp.json"],
        cwd: dir,
        env: { ...Deno.env.toObject(), ...env },
        stderr: "ignore",
      }),
    );
    try {
      const run = async (name: string, args: Record<string, unknown>) => {
        const result = await client.callTool({ name, arguments: args }, undefined, {
          timeout: 120_000,
        });
        assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result.content)}`);
        return (result.structuredContent as { data: unknown }).data;
      };
      const created = await run("execute_code", {
        code:
          'await memory.createEntities({ entities: [{ name: "Zed Checkout", entityType: "person", ' +
          'observations: ["checkout-tester"] }] });\nreturn (await everything.getSum({ a: 2, b: 3 }));',
      });
      assert.match(JSON.stringify(created), /5/);
      const names = await run("execute_code", {
        language: "python",
        code:
          'graph = await memory.read_graph()\n[e["name"] for e in graph["entities"] if "Zed" in e["name"]]',
      });
      assert.deepEqual(names, ["Zed Checkout"]);
      const mentioning = await run("run_skill", {
        name: "entities-mentioning",
        args: { word: "checkout-tester" },
      });
      assert.deepEqual(mentioning, ["Zed Checkout"]);
    } finally {
      await client.close();
    }
    // The daemon's client declared elicitation, so server-everything listed more tools than it does for gen (whose
    // output is the golden tree): the daemon rewrote the generated folder, which is not a tracked file.
    const files = (folder: string) => [...Deno.readDirSync(folder)].map((e) => e.name).sort();
    const generated = files(join(dir, "servers", "everything"));
    const golden = files(join(dir, "tests", "fixtures", "generated", "everything"));
    assert.ok(generated.length > golden.length, `${generated} against ${golden}`);
    assert.deepEqual(changes(dir), [], "running the documented commands changed the checkout");
  },
});
