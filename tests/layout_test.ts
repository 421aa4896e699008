/**
 * The house rule on size: no TypeScript file the project writes by hand is over 400 lines (generated `servers/`
 * modules and recorded fixtures aside).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GENERATED = [/^servers\//, /^tests\/fixtures\//, /^skills\//, /^node_modules\//];

Deno.test("no hand-written TypeScript file is over 400 lines", async () => {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(out.stdout).split("\n").filter((f) =>
    f !== "" && !GENERATED.some((re) => re.test(f))
  );
  assert.ok(files.length > 200, `only ${files.length} files listed`);
  const long: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(`${ROOT}${file}`).catch(() => "");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > 400) long.push(`${file}: ${lines} lines`);
  }
  assert.deepEqual(long, []);
});
