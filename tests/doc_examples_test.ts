import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.(ts|md)$/.test(entry.name)) yield path;
  }
}

Deno.test("doc examples assert with node:assert, never console.assert (which cannot fail a test)", () => {
  const offenders: string[] = [];
  const files = [
    ...sourceFiles(join(ROOT, "runtime")),
    ...sourceFiles(join(ROOT, "examples")),
    join(ROOT, "README.md"),
    join(ROOT, "SECURITY.md"),
  ];
  for (const file of files) {
    Deno.readTextFileSync(file).split("\n").forEach((line, index) => {
      if (line.includes("console" + ".assert(")) {
        offenders.push(`${relative(ROOT, file)}:${index + 1}`);
      }
    });
  }
  assert.deepEqual(offenders, []);
});
