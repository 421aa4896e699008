import assert from "node:assert/strict";
import { jsonSchemaToType } from "./json_schema_to_ts.ts";

const LONG_ENUM = [
  "alpha_value_number_one",
  "beta_value_number_two",
  "gamma_value_number_three",
  "delta_four",
];

Deno.test("jsonSchemaToType() converts each JSON Schema feature", async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ["absent schema", undefined, "unknown"],
    ["true schema", true, "unknown"],
    ["false schema", false, "never"],
    ["empty schema", {}, "unknown"],
    ["not a schema", 42, "unknown"],
    ["string", { type: "string" }, "string"],
    ["integer", { type: "integer" }, "number"],
    ["boolean", { type: "boolean" }, "boolean"],
    ["null", { type: "null" }, "null"],
    ["unknown type name", { type: "decimal" }, "unknown"],
    ["type list with null", { type: ["string", "null"] }, "string | null"],
    ["type list", { type: ["boolean", "string"] }, "boolean | string"],
    ["OpenAPI nullable", { type: "string", nullable: true }, "string | null"],
    ["string enum", { type: "string", enum: ["name", "size"] }, '"name" | "size"'],
    ["mixed enum", { enum: ["a", 1, -2.5, true, null] }, '"a" | 1 | -2.5 | true | null'],
    ["enum with an object value", { enum: [{ a: 1 }, "b"] }, "unknown"],
    ["const string", { const: "resource" }, '"resource"'],
    ["const escaped", { const: 'say "hi"\n' }, '"say \\"hi\\"\\n"'],
    ["const too big for a literal", { const: 1e300 }, "number"],
    ["array", { type: "array", items: { type: "string" } }, "string[]"],
    ["array without items", { type: "array" }, "unknown[]"],
    [
      "array of a union",
      { type: "array", items: { type: ["string", "number"] } },
      "(string | number)[]",
    ],
    [
      "nested arrays",
      { type: "array", items: { type: "array", items: { type: "number" } } },
      "number[][]",
    ],
    ["tuple (prefixItems)", {
      type: "array",
      prefixItems: [{ type: "string" }, { type: "number" }],
    }, "[string, number]"],
    [
      "tuple with rest",
      { type: "array", prefixItems: [{ type: "string" }], items: { type: "boolean" } },
      "[string, ...boolean[]]",
    ],
    [
      "draft-07 tuple",
      { type: "array", items: [{ type: "string" }], additionalItems: { type: "number" } },
      "[string, ...number[]]",
    ],
    ["anyOf", { anyOf: [{ type: "string" }, { type: "number" }] }, "string | number"],
    [
      "oneOf with a duplicate",
      { oneOf: [{ type: "string" }, { type: "string" }, { const: 1 }] },
      "string | 1",
    ],
    ["anyOf with an unconstrained member", { anyOf: [{ type: "string" }, {}] }, "unknown"],
    [
      "anyOf refining a type",
      { type: "string", anyOf: [{ format: "email" }, { format: "uri" }] },
      "string",
    ],
    ["allOf of primitives", { allOf: [{ type: "string" }, { minLength: 1 }] }, "string"],
    ["object with no properties", { type: "object" }, "Record<string, unknown>"],
    ["object with empty properties", { type: "object", properties: {} }, "Record<string, never>"],
    ["closed object", { type: "object", additionalProperties: false }, "Record<string, never>"],
    ["open object", { type: "object", additionalProperties: true }, "Record<string, unknown>"],
    [
      "object with required and optional properties",
      {
        type: "object",
        properties: { a: { type: "string" }, b: { type: "number" } },
        required: ["a"],
      },
      "{\n  a: string;\n  b?: number;\n}",
    ],
    [
      "properties without type",
      { properties: { a: { type: "string" } } },
      "{\n  a?: string;\n}",
    ],
    [
      "property names that are not identifiers",
      {
        type: "object",
        properties: { "my-key": {}, "0": {}, "with space": {}, "ünï": {}, "class": {} },
      },
      '{\n  "0"?: unknown;\n  "my-key"?: unknown;\n  "with space"?: unknown;\n  ünï?: unknown;\n  class?: unknown;\n}',
    ],
    [
      "required property not declared",
      { type: "object", properties: {}, required: ["ghost"] },
      "{\n  ghost: unknown;\n}",
    ],
    [
      "additionalProperties schema",
      { type: "object", additionalProperties: { type: "number" } },
      "{\n  [key: string]: number;\n}",
    ],
    [
      "additionalProperties beside properties",
      {
        type: "object",
        properties: { a: { type: "string" } },
        additionalProperties: { type: "number" },
      },
      "{\n  a?: string;\n  [key: string]: unknown;\n}",
    ],
    [
      "additionalProperties false beside properties",
      { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
      "{\n  a?: string;\n}",
    ],
    [
      "nullable object (type list)",
      { type: ["object", "null"], properties: { a: { type: "string" } } },
      "{\n  a?: string;\n} | null",
    ],
    [
      "allOf of objects",
      {
        allOf: [{ properties: { a: { type: "string" } } }, {
          properties: { b: { type: "number" } },
        }],
      },
      "{\n  a?: string;\n} & {\n  b?: number;\n}",
    ],
    [
      "object narrowed by anyOf of objects",
      {
        type: "object",
        anyOf: [{ properties: { a: { const: 1 } } }, { properties: { b: { const: 2 } } }],
      },
      "{\n  a?: 1;\n} | {\n  b?: 2;\n}",
    ],
    [
      "property docs: description, default, format, constraints, deprecated",
      {
        type: "object",
        properties: {
          count: { type: "integer", description: "How many", default: 3, minimum: 1, maximum: 10 },
          url: { type: "string", format: "uri", pattern: "^https://", maxLength: 200 },
          n: { type: "integer", minimum: 1, maximum: 9007199254740991 },
          tags: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true },
          old: { type: "string", deprecated: true, title: "Old field" },
        },
      },
      [
        "{",
        "  /**",
        "   * How many",
        "   *",
        "   * @default 3",
        "   * @minimum 1",
        "   * @maximum 10",
        "   */",
        "  count?: number;",
        "  /**",
        "   * @format uri",
        "   * @maxLength 200",
        "   * @pattern ^https://",
        "   */",
        "  url?: string;",
        "  /** @minimum 1 */",
        "  n?: number;",
        "  /**",
        "   * @minItems 1",
        "   * @uniqueItems",
        "   */",
        "  tags?: string[];",
        "  /**",
        "   * Old field",
        "   *",
        "   * @deprecated",
        "   */",
        "  old?: string;",
        "}",
      ].join("\n"),
    ],
    [
      "description that would close the comment or pose as a tag",
      {
        type: "object",
        properties: { a: { description: "ends */ here\n@deprecated no", default: "*/" } },
      },
      '{\n  /**\n   * ends *\\/ here\n   * \\@deprecated no\n   *\n   * @default "*\\/"\n   */\n  a?: unknown;\n}',
    ],
    [
      "long enum breaks with leading pipes",
      { type: "object", properties: { mode: { enum: LONG_ENUM } } },
      `{\n  mode?:\n${LONG_ENUM.map((v) => `    | "${v}"`).join("\n")};\n}`,
    ],
    [
      "long enum array breaks inside parentheses",
      { type: "object", properties: { modes: { type: "array", items: { enum: LONG_ENUM } } } },
      `{\n  modes?: (\n${LONG_ENUM.map((v) => `    | "${v}"`).join("\n")}\n  )[];\n}`,
    ],
    ["unresolvable local ref", { $ref: "#/nowhere" }, "unknown"],
    ["remote ref", { $ref: "https://example.com/schema.json" }, "unknown"],
    ["anchor ref", { $ref: "#node" }, "unknown"],
    [
      "local ref inlined",
      {
        type: "object",
        properties: { a: { $ref: "#/$defs/A" } },
        $defs: { A: { type: "string" } },
      },
      "{\n  a?: string;\n}",
    ],
    [
      "recursive ref inlined once, then unknown",
      { type: "object", properties: { next: { $ref: "#" } } },
      "{\n  next?: {\n    next?: unknown;\n  };\n}",
    ],
    [
      "JSON pointer ref with escapes",
      {
        type: "object",
        properties: { "a/b": { type: "number" }, c: { $ref: "#/properties/a~1b" } },
      },
      '{\n  "a/b"?: number;\n  c?: number;\n}',
    ],
    [
      "refs inside enum and default are data, not refs",
      { enum: [{ $ref: "#" }] },
      "unknown",
    ],
  ];
  for (const [name, schema, expected] of cases) {
    await t.step(name, () => assert.equal(jsonSchemaToType(schema), expected));
  }
});

Deno.test("jsonSchemaToType() indents multi-line types at the given level", () => {
  assert.equal(
    jsonSchemaToType({ properties: { a: { type: "string" } } }, { level: 1 }),
    "{\n    a?: string;\n  }",
  );
});
