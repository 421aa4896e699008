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

/** README.md, SECURITY.md and every docs/*.md: the Markdown files whose code blocks `deno test --doc` runs. */
function markdownFiles(): string[] {
  const docs = [...Deno.readDirSync(join(ROOT, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join(ROOT, "docs", e.name))
    .sort();
  return [join(ROOT, "README.md"), join(ROOT, "SECURITY.md"), ...docs];
}

/** The TypeScript blocks `deno test --doc` runs (not marked `ignore`), with the line each starts on. */
function runnableBlocks(file: string): Array<{ line: number; code: string }> {
  const blocks: Array<{ line: number; code: string }> = [];
  const lines = Deno.readTextFileSync(file).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript|tsx|jsx|mts)(\s.*)?$/.exec(lines[i]!);
    if (!open) {
      if (lines[i]!.startsWith("```")) {
        // Skip any other block whole, so that its content is never read as a fence.
        const end = lines.indexOf("```", i + 1);
        i = end === -1 ? lines.length : end;
      }
      continue;
    }
    const end = lines.indexOf("```", i + 1);
    const code = lines.slice(i + 1, end === -1 ? undefined : end).join("\n");
    if (!/\bignore\b/.test(open[2] ?? "")) blocks.push({ line: i + 1, code });
    i = end === -1 ? lines.length : end;
  }
  return blocks;
}

Deno.test("every TypeScript example in README.md and docs/*.md that runs checks its result with node:assert", () => {
  const files = markdownFiles();
  const unchecked: string[] = [];
  let runnable = 0;
  for (const file of files) {
    for (const block of runnableBlocks(file)) {
      runnable++;
      if (
        !/from "node:assert(\/strict)?"/.test(block.code) || !/\bassert(\.\w+)?\(/.test(block.code)
      ) {
        unchecked.push(`${relative(ROOT, file)}:${block.line}`);
      }
    }
  }
  // README's library example, and at least the agent-code, skills, typecheck and Python ones in docs/.
  assert.ok(runnable >= 5, `only ${runnable} runnable examples found`);
  assert.deepEqual(unchecked, [], "examples that run without asserting their result");
});

Deno.test("doc examples assert with node:assert, never console.assert (which cannot fail a test)", () => {
  const offenders: string[] = [];
  const files = [
    ...sourceFiles(join(ROOT, "runtime")),
    ...sourceFiles(join(ROOT, "examples")),
    ...markdownFiles(),
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
