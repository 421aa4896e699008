/**
 * The library used from a project of one's own, as README.md's library section says: a deno.json that links the
 * checkout (`"links"`) and maps `@mcp-executor/runtime` to its JSR name, and a program that imports it, type-checks
 * and runs a task against server-memory; the checkout is left as it was.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./helpers/checkout.ts";
import { deno } from "./helpers/mcpx.ts";

/** README.md's library example, with its import path rewritten as the section says. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Use it as a library"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined || !code.includes('from "./runtime/mod.ts"')) {
    throw new Error("README's library example should import ./runtime/mod.ts");
  }
  return code.replace('from "./runtime/mod.ts"', 'from "@mcp-executor/runtime"');
}

/** The deno.json README.md gives for a project of one's own, with the checkout's path filled in. */
async function readmeDenoJson(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Use it as a library"));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (json === undefined) throw new Error("README's library section should give a deno.json");
  return json.replaceAll("/path/to/mcp-executor", ROOT);
}

Deno.test("a project of one's own links the checkout, imports @mcp-executor/runtime, type-checks and runs a task", async () => {
  const project = await Deno.makeTempDir({ prefix: "mcpx-own-project-" });
  try {
    await Deno.writeTextFile(join(project, "deno.json"), await readmeDenoJson());
    await Deno.writeTextFile(join(project, "main.ts"), await readmeExample());
    for (const args of [["check", "main.ts"], ["run", "-A", "main.ts"]]) {
      const out = await deno(project, args);
      assert.equal(out.code, 0, `deno ${args.join(" ")}:\n${out.stdout}${out.stderr}`);
    }
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});
