import assert from "node:assert/strict";
import { resolvePolicy, RULES } from "./rules.ts";

Deno.test("RULES lists each rule once with a valid default and a description", () => {
  const names = RULES.map((rule) => rule.name);
  assert.equal(new Set(names).size, names.length);
  for (const rule of RULES) {
    assert.ok(["block", "warn", "allow"].includes(rule.defaultAction), rule.name);
    assert.ok(rule.description.length > 10, rule.name);
  }
  assert.ok(Object.isFrozen(RULES) && RULES.every((rule) => Object.isFrozen(rule)));
});

Deno.test("RULES defaults: prototype-pollution and dynamic-global warn, the rest block", () => {
  const warn = RULES.filter((rule) => rule.defaultAction === "warn").map((rule) => rule.name);
  assert.deepEqual(warn, ["prototype-pollution", "dynamic-global"]);
});

Deno.test("resolvePolicy() merges over defaults and refuses what it does not know", async (t) => {
  await t.step("merges", () => {
    const actions = resolvePolicy({ eval: "warn", "prototype-pollution": "block" });
    assert.equal(actions.get("eval"), "warn");
    assert.equal(actions.get("prototype-pollution"), "block");
    assert.equal(actions.get("worker"), "block");
    assert.equal(actions.size, RULES.length);
  });
  await t.step("unknown rule", () => {
    assert.throws(() => resolvePolicy({ evil: "warn" }), {
      name: "TypeError",
      message: /^Cannot apply blocker policy: unknown rule "evil"/,
    });
  });
  await t.step("syntax may only stay block", () => {
    assert.equal(resolvePolicy({ syntax: "block" }).get("syntax"), "block");
    assert.throws(() => resolvePolicy({ syntax: "warn" }), {
      name: "TypeError",
      message:
        'Cannot apply blocker policy: rule "syntax" cannot be set to "warn": code that does not ' +
        "parse cannot be screened",
    });
  });
});
