/**
 * Every numbered example runs as a reader would run it, against the embedded default's real servers, and must exit
 * 0 (each checks its own result).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));
const names = [...Deno.readDirSync(EXAMPLES)]
  .map((e) => e.name)
  .filter((n) => /^\d\d-.+\.ts$/.test(n))
  .sort();

Deno.test("the examples folder holds the numbered examples", () => {
  assert.ok(names.length >= 3, `found ${names.join(", ")}`);
});

for (const name of names) {
  Deno.test(`examples/${name} runs and checks its own result`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${EXAMPLES}${name}`],
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /^ok$/m);
  });
}

Deno.test("examples/demo.ts (deno task demo) says what each task shows and marks an expected failure as expected", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "demo"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stdout + stderr);
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
});
