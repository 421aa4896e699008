import assert from "node:assert/strict";
import { BlockedCodeError, screenCode } from "./mod.ts";
import type { Finding } from "./mod.ts";

const code =
  'const x = 1;\nawait Deno.permissions.query({ name: "read" });\nObject.prototype.y = 2;\n  eval("x");';

Deno.test("BlockedCodeError lists each blocking finding with rule, reason and line:column", () => {
  const error = new BlockedCodeError(screenCode(code).findings);
  assert.equal(
    error.message,
    'Cannot run code: rule "deno-permissions" blocks access to Deno.permissions at line 2, column 7; ' +
      'rule "eval" blocks eval() at line 4, column 3',
  );
  assert.equal(error.name, "BlockedCodeError");
  assert.equal(error.code, "blocked");
  assert.ok(error instanceof Error);
});

Deno.test("BlockedCodeError keeps warnings in findings but not in the message", () => {
  const error = new BlockedCodeError(screenCode(code).findings);
  assert.deepEqual(error.findings.map((f) => `${f.rule}:${f.action}`), [
    "deno-permissions:block",
    "prototype-pollution:warn",
    "eval:block",
  ]);
  assert.ok(!error.message.includes("prototype-pollution"));
});

Deno.test("BlockedCodeError.toWire() survives JSON and fromWire() rebuilds the same error", () => {
  const error = new BlockedCodeError(screenCode(code).findings, { cause: "screen" });
  const wire = JSON.parse(JSON.stringify(error.toWire()));
  assert.deepEqual(Object.keys(wire).sort(), ["code", "findings", "message", "name"]);
  assert.equal(wire.name, "BlockedCodeError");
  assert.equal(wire.code, "blocked");
  const rebuilt = BlockedCodeError.fromWire(wire);
  assert.equal(rebuilt.message, error.message);
  assert.deepEqual(rebuilt.findings, error.findings);
  assert.equal(error.cause, "screen");
});

Deno.test("BlockedCodeError reports a syntax finding with its position", () => {
  const error = new BlockedCodeError(screenCode("return 1;\nlet let = 1;").findings);
  assert.equal(
    error.message,
    "Cannot run code: rule \"syntax\" blocks code that does not parse (Unexpected reserved word 'let') " +
      "at line 2, column 5",
  );
});

Deno.test("BlockedCodeError() throws TypeError when no finding blocks", () => {
  const warning: Finding = {
    rule: "prototype-pollution",
    action: "warn",
    reason: "assignment to Object.prototype.y",
    line: 1,
    column: 1,
    snippet: "Object.prototype.y",
  };
  assert.throws(() => new BlockedCodeError([warning]), {
    name: "TypeError",
    message: 'Cannot create BlockedCodeError: no finding has action "block"',
  });
  assert.throws(() => new BlockedCodeError([]), TypeError);
});
