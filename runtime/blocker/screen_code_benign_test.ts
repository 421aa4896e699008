import assert from "node:assert/strict";
import { screenCode } from "./mod.ts";

/** [name, code]: realistic agent programs that must pass with no findings at all. */
const BENIGN: Array<[name: string, code: string]> = [
  [
    "filter a knowledge graph",
    'const g = await memory.readGraph();\nreturn g.entities.filter(e => e.entityType === "person").map(e => e.name);',
  ],
  [
    "static import from a generated server module",
    'import { readGraph } from "servers/memory/index.ts";\nconst graph = await readGraph();\nreturn graph.entities.length;',
  ],
  [
    "dynamic import of a server module with a literal",
    'const mod = await import("servers/memory/index.ts");\nreturn await mod.readGraph();',
  ],
  [
    "namespace import with ./ prefix and JSON.parse",
    'import * as fs from "./servers/filesystem/index.ts";\nconst file = await fs.readTextFile({ path: "/data/a.json" });\n' +
    "const data = JSON.parse(file.content);\nreturn data.items.map((i: { id: string }) => i.id);",
  ],
  [
    "parallel tool calls with Promise.all",
    'const ids = ["alice", "bob"];\nconst nodes = await Promise.all(ids.map((id) => memory.openNodes({ names: [id] })));\n' +
    "return nodes.flatMap((n) => n.entities);",
  ],
  [
    "methods named like evaluate and eval on objects",
    "const scores = await scorer.evaluate({ text });\nconst calc = { eval: (s: string) => s.length };\n" +
    'const e2 = calc.eval("x");\nconst evaluation = scores.evaluate?.();\nreturn { scores, e2, evaluation, r: calculator.eval("1+1") };',
  ],
  [
    "object literal keys named constructor, prototype and __proto__",
    "const o = { constructor: 1, prototype: 2, __proto__: null, permissions: [] };\nreturn [o.constructor, o.prototype];",
  ],
  [
    "class with a constructor and this.constructor.name",
    "class Report {\n  #rows: string[] = [];\n  constructor(public title: string) {}\n" +
    "  add(row: string): this { this.#rows.push(row); return this; }\n  kind(): string { return this.constructor.name; }\n}\n" +
    'return new Report("weekly").add("a").kind();',
  ],
  [
    "error handling with instanceof and constructor checks",
    "try {\n  await github.createIssue({ title: 't' });\n} catch (err) {\n" +
    "  const kind = err instanceof Error ? err.constructor.name : typeof err;\n" +
    "  return { failed: true, kind, message: err instanceof Error ? err.message : String(err) };\n}",
  ],
  [
    "types that mention Function, WebAssembly and Deno",
    "interface Entity { name: string; entityType: string }\ntype Handler = Function;\n" +
    "let mod: WebAssembly.Module | undefined;\nconst status: Deno.PermissionStatus | null = null;\n" +
    "function isFn(x: unknown): x is Function { return typeof x === 'function' && x instanceof Function; }\n" +
    "return isFn(mod) || status;",
  ],
  [
    "skills imports",
    'import { summarize } from "skills/summarize.ts";\nimport helper from "./skills/helper.ts";\n' +
    'return await summarize({ text: helper("x") });',
  ],
  [
    "type-only import from any specifier",
    'import type { Schema } from "npm:zod";\nexport type { Other } from "./types.ts";\nconst s: Schema | null = null;\nreturn s;',
  ],
  [
    "local names that match Deno API names",
    "const permissions = await github.getPermissions({ repo: 'x' });\nconst worker = pool.next();\n" +
    "const run = await ci.run({ id: 1 });\nconst command = 'ls';\nreturn { permissions, worker, run, command };",
  ],
  [
    "harmless Deno APIs (the sandbox's permissions gate them)",
    'const text = await Deno.readTextFile("/data/x.txt");\nreturn { os: Deno.build.os, size: text.length, pid: Deno.pid };',
  ],
  [
    "regular expressions and string methods",
    "const text = (await mail.read({ id: 1 })).body;\nconst emails = text.match(/[a-z]+@[a-z.]+/g) ?? [];\n" +
    'return emails.map((e) => e.toLowerCase().replace(/\\.$/, "")).join(",");',
  ],
  [
    "labelled loops, destructuring defaults and continue",
    "const graph = await memory.readGraph();\nconst hits = [];\nouter: for (const { name, observations = [] } of graph.entities) {\n" +
    '  for (const o of observations) { if (o.includes("secret")) continue outer; }\n  hits.push(name);\n}\nreturn hits;',
  ],
  [
    "group by with Map, reduce and sort",
    "const rows = await db.query({ sql: 'select * from t' });\nconst groups = new Map<string, number>();\n" +
    "for (const row of rows) groups.set(row.kind, (groups.get(row.kind) ?? 0) + 1);\n" +
    "return [...groups].sort(([, a], [, b]) => b - a).slice(0, 5);",
  ],
  [
    "async generator paging through results",
    "async function* pages() {\n  let cursor: string | undefined;\n  do {\n" +
    "    const r = await github.listIssues({ cursor });\n    yield* r.items;\n    cursor = r.next;\n  } while (cursor);\n}\n" +
    "const all = [];\nfor await (const item of pages()) all.push(item);\nreturn all.length;",
  ],
  [
    "sleeping with setTimeout and timing with performance",
    "const t0 = performance.now();\nawait new Promise((resolve) => setTimeout(resolve, 10));\nreturn performance.now() - t0;",
  ],
  [
    "Object helpers over data",
    "const counts = { a: 1, b: 2 };\nconst merged = Object.assign({}, counts, { c: 3 });\n" +
    "Object.defineProperty(merged, 'hidden', { value: 1 });\n" +
    "return Object.entries(Object.freeze(merged)).map(([k, v]) => `${k}=${v}`);",
  ],
  [
    "web APIs: URL, crypto, structuredClone, TextEncoder",
    "const u = new URL('https://example.com/a?b=1');\nconst id = crypto.randomUUID();\n" +
    "const copy = structuredClone({ u: u.href });\nconst bytes = new TextEncoder().encode(id);\n" +
    "return { host: u.hostname, copy, n: bytes.length, q: encodeURIComponent('a b') };",
  ],
  [
    "enums, namespaces and parameter properties",
    "enum Level { Low = 1, High }\nnamespace Util { export const twice = (n: number) => n * 2; }\n" +
    "class Box { constructor(private readonly value: number) {} get() { return Util.twice(this.value); } }\n" +
    "return new Box(Level.High).get();",
  ],
  [
    "optional chaining over tool results",
    "const res = await everything.getResource({ uri: 'x' });\nreturn res?.contents?.[0]?.text ?? res?.['fallback'] ?? '';",
  ],
  [
    "a local variable named window",
    "const window = { start: Date.now() - 3600_000, end: Date.now() };\n" +
    "const events = await calendar.list({ from: window.start, to: window.end });\nreturn events.length;",
  ],
  [
    "dangerous words only inside strings and comments",
    '// do not call eval(Deno.permissions) here\nconst hint = "new Worker() and eval() are blocked";\n' +
    "console.log(`${hint}: Deno.permissions`);\nreturn hint;",
  ],
  [
    "function values with call, bind and apply",
    "const fn = (x: number) => x * 2;\nconst bound = fn.bind(null);\nreturn [fn.call(null, 1), fn.apply(null, [2]), bound(3)];",
  ],
  [
    "Array.prototype methods borrowed for reading",
    "const args = [1, 2, 3];\nconst copy = Array.prototype.slice.call(args);\n" +
    "const isPlain = Object.getPrototypeOf(copy) === Array.prototype;\nreturn { copy, isPlain, ctor: copy.constructor === Array };",
  ],
  [
    "other Atomics methods",
    "const view = new Int32Array(new ArrayBuffer(16));\nAtomics.add(view, 0, 1);\nreturn Atomics.load(view, 0);",
  ],
];

Deno.test("screenCode() passes realistic agent programs with no findings", async (t) => {
  for (const [name, code] of BENIGN) {
    await t.step(name, () => {
      assert.deepEqual(screenCode(code), { ok: true, findings: [] });
    });
  }
});

Deno.test("screenCode() passes a 200-line realistic agent program with no findings", () => {
  const code = Deno.readTextFileSync(new URL("./testdata/realistic_program.txt", import.meta.url));
  assert.ok(code.split("\n").length >= 200);
  assert.deepEqual(screenCode(code), { ok: true, findings: [] });
});
