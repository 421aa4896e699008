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
