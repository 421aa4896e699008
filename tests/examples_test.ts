/**
 * Every numbered example runs as a reader would run it, against the embedded default's real servers, and must exit
 * 0 (each checks its own result); then `deno task demo`. They run in a copy of the checkout, because they write
 * beside its mcp.json as they would for a reader (servers/, skills/); the last test checks that they left the copy's
 * `git status` clean.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { changes, type CheckoutCopy, copyOfCheckout, isCheckout } from "./helpers/checkout.ts";
import { deno, type ProcessRun } from "./helpers/mcpx.ts";

const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));
const names = [...Deno.readDirSync(EXAMPLES)]
  .map((e) => e.name)
  .filter((n) => /^\d\d-.+\.ts$/.test(n))
  .sort();
const ignore = !isCheckout();

/** The copy every test of this file runs in, made by the first. */
let shared: Promise<CheckoutCopy> | undefined;
function theCopy(): Promise<CheckoutCopy> {
  shared ??= copyOfCheckout();
  return shared;
}

/** Runs Deno in the copy, as a reader runs it in the checkout. */
async function inCopy(args: string[]): Promise<ProcessRun> {
  const { dir, env } = await theCopy();
  return await deno(dir, args, env);
}

Deno.test("the examples folder holds the numbered examples", () => {
  assert.ok(names.length >= 3, `found ${names.join(", ")}`);
});

for (const name of names) {
  Deno.test({
    name: `examples/${name} runs and checks its own result`,
    ignore,
    async fn() {
      const out = await inCopy(["run", "-A", join("examples", name)]);
      const text = out.stdout + out.stderr;
      assert.equal(out.code, 0, text);
      assert.match(text, /^ok$/m);
    },
  });
}

Deno.test({
  name:
    "examples/demo.ts (deno task demo) says what each task shows and marks an expected failure as expected",
  ignore,
  fn: demo,
});

async function demo(): Promise<void> {
  const { code, stdout, stderr } = await inCopy(["task", "demo"]);
  assert.equal(code, 0, stdout + stderr);
  // The task runs Deno quietly: no download lines, even on a first run.
  assert.doesNotMatch(stderr, /^Download /m);
  const rows = stdout.split("\n").filter((l) => /^ {2}(as expected|WRONG) /.test(l));
  assert.equal(rows.length, 7, stdout);
  for (const [id, should] of [["no-escape", "fails"], ["runaway", "times out"]]) {
    const row = rows.find((l) => l.includes(` ${id} `));
    assert.match(row ?? "", new RegExp(`^ {2}as expected +${id} +${should} `), stdout);
  }
  assert.doesNotMatch(stdout, /✓/);
  assert.match(stdout, /outcome: "as expected" when the task did what it should/);
  const shows = stdout.slice(stdout.indexOf("What each task shows:"));
  for (const row of rows) {
    const id = row.trim().split(/ {2,}/)[1]!;
    assert.match(shows, new RegExp(`^ {2}${id} +\\S`, "m"), `no line for ${id}`);
  }
  assert.match(stdout, /^Every task did what it should\.$/m);
}

Deno.test({
  name: "the examples and the demo left the checkout's git status clean",
  ignore,
  async fn() {
    await using copy = await theCopy();
    await Deno.stat(join(copy.dir, "servers", "memory", "index.ts")); // they generated servers/ beside mcp.json
    assert.deepEqual(changes(copy.dir), [], "an example or the demo changed the checkout");
  },
});
