import assert from "node:assert/strict";
import { compareTool, compareTools, recordTool } from "./tool_changes.ts";

const before = recordTool({
  name: "search",
  description: "Searches",
  inputSchema: {
    type: "object",
    properties: { query: { type: "string" }, limit: { type: "number" }, mode: { type: "string" } },
    required: ["query"],
  },
});

Deno.test("compareTool() tells breaking from compatible changes", async (t) => {
  const cases: Array<[string, Record<string, object>, string[], string, string[]]> = [
    [
      "nothing",
      { query: { type: "string" }, limit: { type: "number" }, mode: { type: "string" } },
      ["query"],
      "Searches",
      [],
    ],
    [
      "a removed parameter",
      { query: { type: "string" }, limit: { type: "number" } },
      ["query"],
      "Searches",
      [
        'breaking: removed parameter "mode"',
      ],
    ],
    [
      "a retyped parameter",
      { query: { type: "string" }, limit: { type: "string" }, mode: { type: "string" } },
      [
        "query",
      ],
      "Searches",
      ['breaking: parameter "limit" changed type from number to string'],
    ],
    [
      "a parameter that became required",
      {
        query: { type: "string" },
        limit: { type: "number" },
        mode: { type: "string" },
      },
      ["query", "mode"],
      "Searches",
      ['breaking: parameter "mode" became required'],
    ],
    [
      "a new required parameter",
      {
        query: { type: "string" },
        limit: { type: "number" },
        mode: { type: "string" },
        index: { type: "string" },
      },
      ["query", "index"],
      "Searches",
      ['breaking: new required parameter "index"'],
    ],
    [
      "a new optional parameter and a new description",
      {
        query: { type: "string" },
        limit: { type: "number" },
        mode: { type: "string" },
        page: { type: "number" },
      },
      ["query"],
      "Searches well",
      ['compatible: new optional parameter "page"', "compatible: changed description"],
    ],
  ];
  for (const [name, properties, required, description, expected] of cases) {
    await t.step(name, () => {
      const after = {
        name: "search",
        description,
        inputSchema: { type: "object" as const, properties, required },
      };
      assert.deepEqual(
        compareTool("s.search", before, after).map((c) => `${c.kind}: ${c.change}`),
        expected,
      );
    });
  }
});

Deno.test("compareTools() reports removed tools and servers that are not connected", () => {
  const changes = compareTools(
    ["s.search", "s.gone", "other.tool", "s"],
    { "s.search": before },
    (server) =>
      server === "s"
        ? [{ name: "search", description: "Searches", inputSchema: before.inputSchema as never }]
        : undefined,
  );
  assert.deepEqual(changes, [
    { tool: "s.gone", kind: "breaking", change: "removed tool" },
    { tool: "other.tool", kind: "compatible", change: 'server "other" is not connected' },
  ]);
});
