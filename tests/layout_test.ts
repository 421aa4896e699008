/**
 * The house rules on layout, as a reviewer applies them and as this test enforces them:
 *
 * 1. Each folder under `runtime/` is one capability with a `mod.ts` (its entry point); `testdata/` folders aside.
 * 2. A file imports another folder of `runtime/` only through a `mod.ts` of that folder. This holds for every file
 *    outside the folder: other folders, `runtime/*.ts`, tests, bench, cli and examples. What a test needs from a
 *    folder's insides is exported by its `mod.ts` or lives in a test helper of that folder.
 * 3. `runtime/wire/` (what both sides of the sandbox share) imports nothing outside itself, and
 *    `runtime/sandbox_runtime/` (the code inside the sandbox) imports nothing but itself and `runtime/wire/`; neither
 *    imports an npm package or a `node:` module (their tests may use `node:assert`).
 *
 * File size is no rule: a file is one concept, split along a seam a reader can name. Only a file past 800 lines
 * fails, as a prompt to look for that seam (one long file is fine; three times the house median rarely is).
 */

import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SKIPPED = [/^servers\//, /^skills\//, /^node_modules\//, /\/testdata\//];
const SIZE_LIMIT = 800;

interface Import {
  file: string;
  line: number;
  specifier: string;
  /** The imported file relative to the checkout, for a relative specifier. */
  target?: string;
}

async function listFiles(): Promise<string[]> {
  const out = await new Deno.Command("git", {
    args: [
      "ls-files",
      "--cached",
      "--others",
      "--exclude-standard",
      "*.ts",
      "*.tsx",
      "*.js",
      "*.mjs",
    ],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(out.stdout).split("\n").filter((file) =>
    file !== "" && !SKIPPED.some((re) => re.test(file))
  );
  const present: string[] = [];
  for (const file of files) {
    if (await Deno.stat(join(ROOT, file)).then(() => true, () => false)) present.push(file);
  }
  return present;
}

function importsOf(file: string, text: string): Import[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((ref) => {
    const line = text.slice(0, ref.pos).split("\n").length;
    const found: Import = { file, line, specifier: ref.fileName };
    if (ref.fileName.startsWith(".")) found.target = normalize(join(dirname(file), ref.fileName));
    return found;
  });
}

/** `runtime/<folder>` of a path, or undefined for a path outside a folder of `runtime/`. */
function folderOf(path: string): string | undefined {
  return /^runtime\/([^/]+)\//.exec(path)?.[0].slice(0, -1);
}

function describe(found: Import): string {
  return `${found.file}:${found.line} imports "${found.specifier}"`;
}

/** The rule an import breaks, or undefined. */
function violation(found: Import, entryPoints: Set<string>): string | undefined {
  const from = folderOf(found.file);
  const isTest = /_test\.ts$/.test(found.file);
  if (from === "runtime/wire" || from === "runtime/sandbox_runtime") {
    const allowed = from === "runtime/wire"
      ? ["runtime/wire"]
      : ["runtime/wire", "runtime/sandbox_runtime"];
    if (found.target === undefined) {
      if (isTest && found.specifier.startsWith("node:assert")) return undefined;
      return `${describe(found)}: ${from}/ imports no package or node: module`;
    }
    if (!allowed.includes(folderOf(found.target) ?? "")) {
      return `${describe(found)}: ${from}/ imports nothing but ${
        allowed.map((f) => `${f}/`).join(" and ")
      }`;
    }
  }
  if (found.target === undefined) return undefined;
  const to = folderOf(found.target);
  if (to === undefined || to === from || entryPoints.has(found.target)) return undefined;
  return `${describe(found)} (${found.target}): import ${to}/ through its mod.ts`;
}

Deno.test("layout: each folder under runtime/ is a capability with a mod.ts", async () => {
  const files = await listFiles();
  const folders = new Set(
    files.map((file) => dirname(file)).filter((dir) => dir.startsWith("runtime/")),
  );
  const missing = [...folders].filter((dir) => !files.includes(`${dir}/mod.ts`)).sort();
  assert.deepEqual(missing, [], `folders without a mod.ts:\n${missing.join("\n")}`);
});

Deno.test("layout: folders import each other only through mod.ts, and the sandbox runtime only runtime/wire/", async () => {
  const files = await listFiles();
  assert.ok(files.length > 200, `only ${files.length} files listed`);
  const entryPoints = new Set(files.filter((file) => /^runtime\/.+\/mod\.ts$/.test(file)));
  const broken: string[] = [];
  let seen = 0;
  for (const file of files) {
    const text = await Deno.readTextFile(join(ROOT, file));
    for (const found of importsOf(file, text)) {
      seen++;
      const rule = violation(found, entryPoints);
      if (rule !== undefined) broken.push(rule);
    }
  }
  assert.ok(seen > 1000, `only ${seen} imports found`);
  assert.deepEqual(
    broken,
    [],
    `${broken.length} imports break the layout rules:\n${broken.join("\n")}`,
  );
});

Deno.test("layout: the checker names the offending import, its file and its line", () => {
  const entryPoints = new Set(["runtime/search/mod.ts", "runtime/wire/mod.ts"]);
  const bench =
    'import { x } from "../runtime/search/mod.ts";\n\nimport { y } from "../runtime/search/_query.ts";\n';
  assert.deepEqual(importsOf("bench/y_bench.ts", bench).map((one) => violation(one, entryPoints)), [
    undefined,
    'bench/y_bench.ts:3 imports "../runtime/search/_query.ts" (runtime/search/_query.ts): import runtime/search/ ' +
    "through its mod.ts",
  ]);
  const inside =
    'import { a } from "../wire/mod.ts";\nimport { b } from "../log.ts";\nimport "npm:zod";\n';
  assert.deepEqual(
    importsOf("runtime/sandbox_runtime/w.ts", inside).map((one) => violation(one, entryPoints)),
    [
      undefined,
      'runtime/sandbox_runtime/w.ts:2 imports "../log.ts": runtime/sandbox_runtime/ imports nothing but ' +
      "runtime/wire/ and runtime/sandbox_runtime/",
      'runtime/sandbox_runtime/w.ts:3 imports "npm:zod": runtime/sandbox_runtime/ imports no package or node: module',
    ],
  );
});

Deno.test(`layout: no hand-written file is over ${SIZE_LIMIT} lines`, async () => {
  const files = (await listFiles()).filter((file) => !/^tests\/fixtures\//.test(file));
  const long: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(join(ROOT, file));
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > SIZE_LIMIT) long.push(`${file}: ${lines} lines`);
  }
  assert.deepEqual(long, [], "find the seam a reader can name and split there");
});
