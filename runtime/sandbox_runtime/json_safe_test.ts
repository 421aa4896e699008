import assert from "node:assert/strict";
import { toJsonSafe } from "./json_safe.ts";

Deno.test("toJsonSafe() gives values JSON has no form for a sensible one", async (t) => {
  const shared = { s: 1 };
  const cases: Array<[string, unknown, unknown]> = [
    ["undefined at the top", undefined, undefined],
    ["undefined in objects and arrays", { a: undefined, b: [undefined, () => 1] }, {
      b: [null, null],
    }],
    ["non-finite numbers and -0", [NaN, Infinity, -0], [null, null, 0]],
    ["bigint", { n: 12345678901234567890n }, { n: "12345678901234567890" }],
    ["Date", [new Date(0), new Date(NaN)], ["1970-01-01T00:00:00.000Z", null]],
    ["Map with string keys", new Map([["a", 1]]), { a: 1 }],
    ["Map with object keys", new Map([[{ k: 1 }, "v"]]), [[{ k: 1 }, "v"]]],
    ["Set", new Set([1, "a"]), [1, "a"]],
    ["typed arrays and buffers", [new Uint8Array([1, 2]), new Uint8Array([3]).buffer], [[1, 2], [
      3,
    ]]],
    ["RegExp and Error", [/a+/g, new RangeError("no")], ["/a+/g", {
      name: "RangeError",
      message: "no",
    }]],
    ["toJSON", { u: new URL("https://example.com/a") }, { u: "https://example.com/a" }],
    ["shared references are not cycles", [shared, shared], [{ s: 1 }, { s: 1 }]],
    ["boxed primitives", [Object(1), Object("s")], [1, "s"]],
  ];
  for (const [name, value, expected] of cases) {
    await t.step(name, () => {
      const safe = toJsonSafe(value);
      assert.deepEqual(safe === undefined ? undefined : JSON.parse(JSON.stringify(safe)), expected);
    });
  }
});

Deno.test("toJsonSafe() throws a TypeError naming the path of a circular reference", () => {
  const value: Record<string, unknown> = { list: [{}] };
  (value.list as Array<Record<string, unknown>>)[0]!.back = value;
  assert.throws(() => toJsonSafe(value), {
    name: "TypeError",
    message: "Cannot serialize the value: it contains a circular reference at $.list[0].back",
  });
});

Deno.test("toJsonSafe() keeps a __proto__ key as data", () => {
  const value = JSON.parse('{"__proto__":{"polluted":true}}');
  const safe = toJsonSafe(value) as Record<string, unknown>;
  assert.equal(JSON.stringify(safe), '{"__proto__":{"polluted":true}}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
