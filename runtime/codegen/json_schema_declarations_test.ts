import assert from "node:assert/strict";
import { jsonSchemaToDeclarations } from "./json_schema_to_ts.ts";
import { loadFixtures } from "./_test_fixtures.ts";

Deno.test("jsonSchemaToDeclarations() names $defs and keeps recursive refs as names", () => {
  const schema = {
    type: "object",
    description: "A tree",
    properties: {
      root: { $ref: "#/$defs/Node" },
      children: { type: "array", items: { $ref: "#" } },
      alias: { $ref: "#/definitions/Alias" },
    },
    required: ["root"],
    $defs: {
      Node: {
        type: "object",
        description: "A node",
        properties: {
          value: { type: "string" },
          kids: { type: "array", items: { $ref: "#/$defs/Node" } },
          parent: { anyOf: [{ $ref: "#/$defs/Node" }, { type: "null" }] },
        },
        required: ["value"],
      },
      Unused: { type: "string" },
    },
    definitions: { Alias: { $ref: "#/$defs/Node" } },
  };
  assert.equal(
    jsonSchemaToDeclarations(schema, { name: "TreeInput", defsPrefix: "Tree" }),
    [
      "/** A tree */",
      "export interface TreeInput {",
      "  root: TreeNode;",
      "  children?: TreeInput[];",
      "  alias?: TreeNode;",
      "}",
      "",
      "/** A node */",
      "export interface TreeNode {",
      "  value: string;",
      "  kids?: TreeNode[];",
      "  parent?: TreeNode | null;",
      "}",
    ].join("\n"),
  );
});

Deno.test("jsonSchemaToDeclarations() names the target of a #/properties/... pointer and reuses it", () => {
  const schema = {
    type: "object",
    properties: {
      first: {
        type: "array",
        items: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      },
      second: { $ref: "#/properties/first/items" },
    },
  };
  assert.equal(
    jsonSchemaToDeclarations(schema, { name: "PairInput", exported: false }),
    [
      "interface PairInput {",
      "  first?: PairInputFirstItem[];",
      "  second?: PairInputFirstItem;",
      "}",
      "",
      "interface PairInputFirstItem {",
      "  id: string;",
      "}",
    ].join("\n"),
  );
});

Deno.test("jsonSchemaToDeclarations() breaks alias cycles TypeScript cannot express", () => {
  const schema = {
    type: "object",
    properties: { a: { $ref: "#/$defs/A" }, b: { $ref: "#/$defs/B" }, d: { $ref: "#/$defs/D" } },
    $defs: {
      A: { anyOf: [{ $ref: "#/$defs/A" }, { type: "string" }] },
      B: { $ref: "#/$defs/C" },
      C: { $ref: "#/$defs/B" },
      D: { anyOf: [{ $ref: "#/$defs/E" }, { type: "number" }] },
      E: {
        anyOf: [{ $ref: "#/$defs/D" }, { type: "boolean" }, {
          type: "array",
          items: { $ref: "#/$defs/E" },
        }],
      },
    },
  };
  assert.equal(
    jsonSchemaToDeclarations(schema, { name: "X" }),
    [
      "export interface X {",
      "  a?: XA;",
      "  b?: unknown;",
      "  d?: XD;",
      "}",
      "",
      "export type XA = string;",
      "",
      "export type XD = boolean | XE[] | number;",
      "",
      "export type XE = number | boolean | XE[];",
    ].join("\n"),
  );
});

Deno.test("jsonSchemaToDeclarations() declares a recursive JSON value type", () => {
  const schema = {
    $ref: "#/$defs/Json",
    $defs: {
      Json: {
        anyOf: [
          { type: ["string", "number", "boolean", "null"] },
          { type: "array", items: { $ref: "#/$defs/Json" } },
          { type: "object", additionalProperties: { $ref: "#/$defs/Json" } },
        ],
      },
    },
  };
  assert.equal(
    jsonSchemaToDeclarations(schema, { name: "Value" }),
    [
      "export type Value = ValueJson;",
      "",
      "export type ValueJson =",
      "  | string",
      "  | number",
      "  | boolean",
      "  | null",
      "  | ValueJson[]",
      "  | {",
      "    [key: string]: ValueJson;",
      "  };",
    ].join("\n"),
  );
});

Deno.test("jsonSchemaToDeclarations() avoids names already used in the module", () => {
  const used = new Set(["FooInput", "FooNode"]);
  const text = jsonSchemaToDeclarations(
    {
      type: "object",
      properties: { n: { $ref: "#/$defs/Node" } },
      $defs: { Node: { type: "string" } },
    },
    { name: "FooInput", defsPrefix: "Foo", usedNames: used },
  );
  assert.match(text, /n\?: FooNode2;/);
  assert.match(text, /export type FooNode2 = string;/);
  assert.ok(used.has("FooNode2"));
});

Deno.test("jsonSchemaToDeclarations() converts the sequential-thinking fixture's input schema", async () => {
  const [server] = await loadFixtures(["sequential-thinking"]);
  const text = jsonSchemaToDeclarations(server!.tools[0]!.inputSchema, {
    name: "SequentialthinkingInput",
  });
  assert.match(text, /^export interface SequentialthinkingInput \{$/m);
  assert.match(text, /^ {2}thought: string;$/m);
  assert.match(text, /^ {2}nextThoughtNeeded: boolean \| string;$/m);
  assert.match(text, /^ {2}revisesThought\?: number;$/m);
  // zod's `.int()` bound of Number.MAX_SAFE_INTEGER is noise, left out.
  assert.doesNotMatch(text, /9007199254740991/);
});
