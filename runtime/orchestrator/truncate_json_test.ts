import assert from "node:assert/strict";
import { CUT_KEY, truncateJson } from "./truncate_json.ts";

const size = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

Deno.test("truncateJson() leaves a value that fits untouched", () => {
  const value = { a: [1, 2, 3], b: "short" };
  assert.deepEqual(truncateJson(value, 1_000), {
    value,
    truncated: false,
    originalBytes: size(value),
  });
});

Deno.test("truncateJson() cuts to the budget and keeps valid JSON with markers", async (t) => {
  const cases: [string, unknown][] = [
    ["a long array", Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` }))],
    ["a long string", "x".repeat(100_000)],
    ["multi-byte text", "é😀".repeat(20_000)],
    ["a wide object", Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key${i}`, i]))],
    ["deep nesting", {
      level1: { level2: { rows: Array.from({ length: 3_000 }, (_, i) => `item ${i}`) } },
    }],
  ];
  for (const [name, value] of cases) {
    await t.step(name, () => {
      for (const budget of [64, 500, 4_096, 50_000]) {
        const result = truncateJson(value, budget);
        if (size(value) <= budget) {
          assert.equal(result.truncated, false);
          continue;
        }
        assert.equal(result.truncated, true);
        assert.ok(size(result.value) <= budget, `${size(result.value)} > ${budget}`);
        assert.deepEqual(JSON.parse(JSON.stringify(result.value)), result.value);
        assert.match(JSON.stringify(result.value), /cut/);
      }
    });
  }
  await t.step("the kept part is the start of the original", () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => i);
    const value = truncateJson(rows, 200).value as unknown[];
    assert.deepEqual(value.slice(0, 5), [0, 1, 2, 3, 4]);
    assert.match(String(value.at(-1)), /^…\d+ more items cut$/);
    const object = truncateJson(Object.fromEntries(rows.map((i) => [`k${i}`, i])), 200).value;
    assert.match(String((object as Record<string, unknown>)[CUT_KEY]), /more keys cut/);
  });
});

Deno.test("truncateJson() refuses a budget below 64 bytes", () => {
  assert.throws(() => truncateJson([1], 10), RangeError);
});
