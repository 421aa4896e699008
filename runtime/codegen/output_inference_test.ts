import assert from "node:assert/strict";
import { jsonSchemaToType } from "./json_schema_to_ts.ts";
import { INFERENCE_LIMITS, mergeShapes, shapeOf, structuredValue } from "./output_inference.ts";

Deno.test("mergeShapes widens: optional fields, unions of primitives", () => {
  const first = shapeOf({ id: 1, name: "a", tags: ["x"] })!;
  const merged = mergeShapes(first, shapeOf({ id: "b", tags: [2], extra: true })!);
  assert.equal(
    jsonSchemaToType(merged),
    "{\n  id: number | string;\n  name?: string;\n  tags: (number | string)[];\n  extra?: boolean;\n}",
  );
  // The same shape again changes nothing.
  assert.deepEqual(mergeShapes(merged, shapeOf({ id: 2, tags: [] })!), merged);
});

Deno.test("shapeOf keeps names and types only, within the bounds", async (t) => {
  await t.step("no value is kept", () => {
    const text = JSON.stringify(
      shapeOf({ email: "ada@example.com", n: 42, nested: [{ s: "secret" }] }),
    );
    for (const value of ["ada@example.com", "42", "secret"]) assert.ok(!text.includes(value), text);
  });
  await t.step("keys that are data become a map", () => {
    const shape = shapeOf({
      "ada@example.com": { age: 1 },
      "bob@example.com": { age: 2, x: "y" },
    })!;
    assert.ok(!JSON.stringify(shape).includes("example.com"));
    assert.equal(
      jsonSchemaToType(shape),
      "{\n  [key: string]: {\n    age: number;\n    x?: string;\n  };\n}",
    );
  });
  await t.step("8 levels deep, deeper is unknown", () => {
    let value: unknown = { leaf: 1 };
    for (let i = 0; i < 12; i++) value = { a: value };
    let shape = shapeOf(value) as Record<string, unknown>;
    let depth = 0;
    while (shape.properties !== undefined) {
      shape = (shape.properties as Record<string, Record<string, unknown>>).a!;
      depth++;
    }
    assert.equal(depth, INFERENCE_LIMITS.depth);
    assert.deepEqual(shape, {});
  });
  await t.step("a result of more than 20,000 values within the bounds gives no shape", () => {
    const big = Array.from({ length: 50 }, () => ({
      rows: Array.from({ length: 50 }, () => ({ cells: Array.from({ length: 50 }, (_, i) => i) })),
    }));
    assert.equal(shapeOf(big), undefined);
    assert.ok(shapeOf(big.slice(0, 2)) !== undefined);
  });
  await t.step("200 properties, arrays from their first 50 items", () => {
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    assert.equal(Object.keys(shapeOf(wide)!.properties as object).length, 200);
    const items = [...Array.from({ length: 50 }, () => 1), "late"];
    assert.deepEqual(shapeOf({ items })!.properties, {
      items: { type: "array", items: { type: "integer" } },
    });
  });
});

Deno.test("structuredValue takes structuredContent or a lone JSON text, nothing else", () => {
  assert.deepEqual(structuredValue({ content: [], structuredContent: { a: 1 } }), { a: 1 });
  assert.deepEqual(structuredValue({ content: [{ type: "text", text: " [1, 2]" }] }), [1, 2]);
  assert.equal(structuredValue({ content: [{ type: "text", text: '"a string"' }] }), undefined);
  assert.equal(structuredValue({ content: [{ type: "text", text: "{not json" }] }), undefined);
  assert.equal(
    structuredValue({ content: [{ type: "text", text: "{}" }, { type: "text", text: "{}" }] }),
    undefined,
  );
  assert.equal(
    structuredValue({ isError: true, content: [{ type: "text", text: "{}" }] }),
    undefined,
  );
});
