import assert from "node:assert/strict";
import { RULES, screenCode } from "./mod.ts";
import type { Finding, RuleName } from "./mod.ts";

/** [rule, code, line, column]: the code must have a finding of that rule at that position. */
type Case = [rule: RuleName, code: string, line: number, column: number];

const BLOCKED: Case[] = [
  ["deno-permissions", 'await Deno.permissions.query({ name: "read" });', 1, 7],
  ["deno-permissions", 'const D = Deno;\nawait D.permissions.request({ name: "net" });', 2, 7],
  ["deno-permissions", "const { permissions } = Deno;\nawait permissions.query();", 1, 9],
  ["deno-permissions", 'globalThis["De" + "no"]?.["permissions"]?.revoke({ name: "env" });', 1, 1],
  ["deno-permissions", "self.Deno.permissions.querySync({ name: 'run' });", 1, 1],
  ["deno-permissions", "const p = Reflect.get(Deno, `permissions`);", 1, 11],
  ["deno-permissions", "const { Deno: { permissions: perms } } = globalThis;", 1, 17],
  ["deno-permissions", 'const key = "permis" + "sions";\nDeno[key].query({ name: "read" });', 2, 1],
  ["deno-permissions", "let d;\nd ??= Deno;\nd.permissions.query({ name: 'net' });", 3, 1],
  ["deno-permissions", "const { ...rest } = Deno;\nrest.permissions;", 2, 1],
  ["deno-internals", "const internals = Deno[Deno.internal];", 1, 19],
  ["deno-internals", "const core = Deno.core;", 1, 14],
  ["deno-internals", 'Deno[Symbol.for("Deno.internal")].foo();', 1, 1],
  ["deno-internals", "__bootstrap.core.ops;", 1, 1],
  ["deno-internals", "const syms = Object.getOwnPropertySymbols(Deno);", 1, 14],
  ["deno-internals", "const w = window;\nw.Deno?.core;", 2, 1],
  ["deno-internals", "Deno[pick()][Deno.internal];", 1, 14],
  ["dynamic-import", "const url = pick();\nawait import(url);", 2, 7],
  ["dynamic-import", 'await import("./local.ts");', 1, 7],
  ["dynamic-import", 'const m = await import("servers/" + name);', 1, 17],
  ["dynamic-import", 'await import("servers/../sandbox/host.ts");', 1, 7],
  ["remote-import", 'import { z } from "npm:zod";', 1, 1],
  ["remote-import", 'await import("https://example.com/x.ts");', 1, 7],
  ["remote-import", 'export * from "jsr:@std/path";', 1, 1],
  ["remote-import", "await import(`data:text/javascript,export default 1`);", 1, 7],
  ["remote-import", 'import x from " HTTPS://evil.example/x.js";', 1, 1],
  ["node-builtin", 'import { readFileSync } from "node:fs";', 1, 1],
  ["node-builtin", 'const cp = await import("node:child_process");', 1, 18],
  ["node-builtin", 'await import("no" + "de:os");', 1, 7],
  ["import-specifier", 'import lodash from "lodash";', 1, 1],
  ["import-specifier", 'import { x } from "./helpers.ts";', 1, 1],
  ["import-specifier", 'export { y } from "../runtime/mod.ts";', 1, 1],
  ["import-specifier", 'import z from "file:///etc/passwd";', 1, 1],
  ["import-specifier", 'import q from "servers//memory/index.ts";', 1, 1],
  ["eval", 'eval("1 + 1");', 1, 1],
  ["eval", '(0, eval)("this");', 1, 5],
  ["eval", 'globalThis.eval("1");', 1, 1],
  ["eval", 'globalThis["ev" + "al"]("1");', 1, 1],
  ["eval", "const run = window[`eval`];", 1, 13],
  ["eval", "const { eval: e } = self;\ne('1');", 1, 9],
  ["eval", 'eval?.("1");', 1, 1],
  ["eval", 'eval.call(null, "1");', 1, 1],
  ["eval", 'const k = ["ev", "al"].join("");\nglobalThis[k]("1");', 2, 1],
  ["eval", 'self[String.fromCharCode(101, 118, 97, 108)]("1");', 1, 1],
  ["eval", 'self[atob("ZXZhbA==")]("1");', 1, 1],
  ["function-constructor", 'new Function("return this")();', 1, 5],
  ["function-constructor", 'Function("return 1")();', 1, 1],
  ["function-constructor", '(() => {}).constructor("return this")();', 1, 1],
  ["function-constructor", "const f = x.constructor.constructor;", 1, 11],
  [
    "function-constructor",
    "const F = Object.getPrototypeOf(async function () {}).constructor;",
    1,
    11,
  ],
  ["function-constructor", "const AsyncFunction = make();", 1, 7],
  ["function-constructor", 'Reflect.construct(Function, ["return 1"]);', 1, 19],
  ["function-constructor", '[]["constructor"]["constructor"]("return 1")();', 1, 1],
  ["function-constructor", '(async () => {})["constr" + "uctor"]("return 1");', 1, 1],
  ["function-constructor", 'function f() {}\nf.constructor("return 1")();', 2, 1],
  ["function-constructor", 'Function.prototype.constructor("return 1")();', 1, 1],
  ["function-constructor", "class X extends Function {}", 1, 17],
  [
    "function-constructor",
    "const obj = load();\nconst { constructor: C } = obj;\nC.constructor('x');",
    3,
    1,
  ],
  [
    "function-constructor",
    "const G = Object.getPrototypeOf(function* () {});\nG.constructor('yield 1');",
    2,
    1,
  ],
  ["worker", 'new Worker("data:text/javascript,1");', 1, 5],
  ["worker", 'new globalThis.Worker(url, { type: "module" });', 1, 5],
  ["worker", "const { Worker: W } = self;\nnew W(url);", 1, 9],
  ["worker", "new SharedWorker(url);", 1, 5],
  ["worker", 'new (Reflect.get(globalThis, "Worker"))(url);', 1, 6],
  ["webassembly", "await WebAssembly.instantiate(bytes);", 1, 7],
  ["webassembly", "new WebAssembly.Module(bytes);", 1, 5],
  ["webassembly", 'const W = globalThis["Web" + "Assembly"];\nW.compile(bytes);', 1, 11],
  ["webassembly", "WebAssembly?.validate(bytes);", 1, 1],
  ["atomics-wait", "Atomics.wait(view, 0, 0);", 1, 1],
  ["atomics-wait", 'Atomics["wa" + "it"](view, 0, 0);', 1, 1],
  ["atomics-wait", "const { waitAsync } = Atomics;", 1, 9],
  ["atomics-wait", "const A = globalThis.Atomics;\nA.wait(view, 0, 0);", 2, 1],
  ["shared-array-buffer", "new SharedArrayBuffer(1024);", 1, 5],
  ["shared-array-buffer", "const S = globalThis.SharedArrayBuffer;", 1, 11],
  ["shared-array-buffer", 'self["Shared" + "ArrayBuffer"];', 1, 1],
  ["ffi", 'Deno.dlopen("libc.so.6", {});', 1, 1],
  ["ffi", "new Deno.UnsafePointerView(pointer);", 1, 5],
  ["ffi", "const { UnsafeCallback } = Deno;", 1, 9],
  ["ffi", 'Deno["Unsafe" + "FnPointer"];', 1, 1],
  ["subprocess", 'new Deno.Command("ls").outputSync();', 1, 5],
  ["subprocess", 'Deno.run({ cmd: ["ls"] });', 1, 1],
  ["subprocess", "const { Command } = globalThis.Deno;", 1, 9],
  ["subprocess", 'Deno?.["kill"](1, "SIGKILL");', 1, 1],
  ["global-override", "postMessage = () => {};", 1, 1],
  ["global-override", "self.postMessage = fake;", 1, 1],
  ["global-override", "globalThis.onmessage = handler;", 1, 1],
  ["global-override", 'globalThis[Symbol.for("mcp-executor.bridge")] = fake;', 1, 1],
  [
    "global-override",
    'Object.defineProperty(globalThis, Symbol.for("mcp-executor.bridge"), { value: fake });',
    1,
    1,
  ],
  ["global-override", "Object.assign(self, { postMessage: fake });", 1, 1],
  ["global-override", 'const g = globalThis;\ng["post" + "Message"] = fake;', 2, 1],
  ["global-override", 'Reflect.set(globalThis, "onmessage", handler);', 1, 1],
  ["global-override", "({ x: self.postMessage } = source);", 1, 7],
];

/** Default-warn rules and uncertain matches: reported, but the code still passes. */
const WARNED: Case[] = [
  ["prototype-pollution", "Object.prototype.isAdmin = true;", 1, 1],
  ["prototype-pollution", "obj.__proto__ = evil;", 1, 1],
  ["prototype-pollution", "obj.__proto__.polluted = 1;", 1, 1],
  ["prototype-pollution", "Object.setPrototypeOf(Object.prototype, evil);", 1, 1],
  ["prototype-pollution", "Array.prototype.map = function () {};", 1, 1],
  ["prototype-pollution", 'Function.prototype["call"] = x;', 1, 1],
  ["prototype-pollution", "({}).constructor.prototype.polluted = 1;", 1, 1],
  ["prototype-pollution", "Object.assign(Array.prototype, { x: 1 });", 1, 1],
  ["prototype-pollution", 'Object.defineProperty(Object.prototype, "x", { value: 1 });', 1, 1],
  ["deno-internals", "const k = pick();\nDeno[k];", 2, 1],
  ["dynamic-global", "globalThis[name]();", 1, 1],
  ["dynamic-global", "Object.getOwnPropertyNames(globalThis);", 1, 1],
  ["global-override", "self[name] = fake;", 1, 1],
  ["atomics-wait", "Atomics[method](view, 0, 0);", 1, 1],
  ["dynamic-global", '[globalThis][0].eval("1");', 1, 2],
  ["dynamic-global", "const f = () => globalThis;", 1, 17],
  ["deno-internals", "const copy = { ...Deno };", 1, 19],
  ["function-constructor", 'const make = [].map.constructor;\nmake("return 1");', 2, 1],
];

function describe(findings: readonly Finding[]): string {
  return JSON.stringify(findings.map((f) => `${f.rule}:${f.action}@${f.line}:${f.column}`));
}

Deno.test("screenCode() blocks each rule's plain spelling and its evasions at the right position", async (t) => {
  for (const [rule, code, line, column] of BLOCKED) {
    await t.step(`${rule}: ${code.replaceAll("\n", " ⏎ ")}`, () => {
      const result = screenCode(code);
      const found = result.findings.some((f) =>
        f.rule === rule && f.action === "block" && f.line === line && f.column === column
      );
      assert.ok(
        found,
        `expected ${rule}:block@${line}:${column}, got ${describe(result.findings)}`,
      );
      assert.equal(result.ok, false);
    });
  }
});

Deno.test("screenCode() warns but passes default-warn rules and matches it cannot prove", async (t) => {
  for (const [rule, code, line, column] of WARNED) {
    await t.step(`${rule}: ${code.replaceAll("\n", " ⏎ ")}`, () => {
      const result = screenCode(code);
      const found = result.findings.some((f) =>
        f.rule === rule && f.action === "warn" && f.line === line && f.column === column
      );
      assert.ok(found, `expected ${rule}:warn@${line}:${column}, got ${describe(result.findings)}`);
      assert.equal(result.ok, true, describe(result.findings));
    });
  }
});

Deno.test("screenCode() tables cover every rule in RULES", () => {
  const covered = new Set<string>([...BLOCKED, ...WARNED].map(([rule]) => rule));
  covered.add("syntax");
  assert.deepEqual(RULES.map((rule) => rule.name).filter((name) => !covered.has(name)), []);
});

Deno.test("screenCode() reports one finding per match, not one per use of an alias", () => {
  const code =
    "const p = Deno.permissions;\nawait p.query({ name: 'read' });\np.revoke({ name: 'read' });";
  assert.deepEqual(screenCode(code).findings, [{
    rule: "deno-permissions",
    action: "block",
    reason: "access to Deno.permissions",
    line: 1,
    column: 11,
    snippet: "Deno.permissions",
  }]);
});

Deno.test("screenCode() reports a syntax finding with Babel's position instead of throwing", () => {
  const result = screenCode("const ok = 1;\nconst broken = ;\n");
  assert.deepEqual(result, {
    ok: false,
    findings: [{
      rule: "syntax",
      action: "block",
      reason: "code that does not parse (Unexpected token)",
      line: 2,
      column: 16,
      snippet: "const broken = ;",
    }],
  });
});

Deno.test("screenCode() refuses code nested deeper than it follows", () => {
  const code = `const x = ${"a.".repeat(3000)}b;`;
  const result = screenCode(code);
  assert.equal(result.ok, false);
  assert.equal(result.findings[0]?.rule, "syntax");
  assert.equal(result.findings[0]?.reason, "code nested too deeply to screen");
});

Deno.test("screenCode() applies a policy: warn passes, allow drops, block tightens", async (t) => {
  await t.step("warn turns a block into a warning and the code passes", () => {
    const result = screenCode('eval("1");', { policy: { eval: "warn" } });
    assert.equal(result.ok, true);
    assert.equal(result.findings[0]?.action, "warn");
  });
  await t.step("allow drops the finding", () => {
    assert.deepEqual(screenCode("new Worker(url);", { policy: { worker: "allow" } }), {
      ok: true,
      findings: [],
    });
  });
  await t.step("block makes a default-warn rule refuse the code", () => {
    const result = screenCode("Object.prototype.x = 1;", {
      policy: { "prototype-pollution": "block" },
    });
    assert.equal(result.ok, false);
  });
  await t.step("uncertain matches stay warnings under block", () => {
    const result = screenCode("Deno[k];", { policy: { "deno-internals": "block" } });
    assert.equal(result.ok, true);
    assert.equal(result.findings[0]?.action, "warn");
  });
  await t.step("other rules keep their defaults", () => {
    const result = screenCode('eval("1");\nnew Worker(u);', { policy: { eval: "allow" } });
    assert.deepEqual(result.findings.map((f) => f.rule), ["worker"]);
  });
});

Deno.test("screenCode() throws TypeError for an unknown rule, action or a relaxed syntax rule", async (t) => {
  await t.step("unknown rule", () => {
    const policy = { "no-such-rule": "warn" } as unknown as Record<RuleName, "warn">;
    assert.throws(() => screenCode("1", { policy }), {
      name: "TypeError",
      message: /^Cannot apply blocker policy: unknown rule "no-such-rule" \(known rules: syntax, /,
    });
  });
  await t.step("unknown action", () => {
    const policy = { eval: "deny" } as unknown as Record<RuleName, "warn">;
    assert.throws(() => screenCode("1", { policy }), {
      name: "TypeError",
      message:
        'Cannot apply blocker policy: rule "eval" has action "deny", expected "block", "warn" or "allow"',
    });
  });
  await t.step("syntax cannot be relaxed", () => {
    assert.throws(() => screenCode("1", { policy: { syntax: "allow" } }), TypeError);
  });
});
