import assert from "node:assert/strict";
import { formatToolRef, parseToolRef } from "./tool_ref.ts";

Deno.test("parseToolRef() picks the longest configured server that prefixes the text", async (t) => {
  const servers = ["acme", "acme.crm", "memory"];
  const cases: Array<[string, ReturnType<typeof parseToolRef>]> = [
    ["memory", { server: "memory" }],
    ["memory.read_graph", { server: "memory", tool: "read_graph" }],
    ["acme", { server: "acme" }],
    ["acme.crm", { server: "acme.crm" }],
    ["acme.crm.delete", { server: "acme.crm", tool: "delete" }],
    ["acme.list", { server: "acme", tool: "list" }],
    ["acme.crm.contacts.delete", { server: "acme.crm", tool: "contacts.delete" }],
    ["github.search", undefined],
    ["acmex.list", undefined],
    ["", undefined],
    [".memory", undefined],
    ["memory.", undefined],
  ];
  for (const [text, expected] of cases) {
    await t.step(
      JSON.stringify(text),
      () => assert.deepEqual(parseToolRef(text, servers), expected),
    );
  }
});

Deno.test("parseToolRef() without server names splits at the first dot and keeps the rest", () => {
  assert.deepEqual(parseToolRef("memory"), { server: "memory" });
  assert.deepEqual(parseToolRef("a.b.c"), { server: "a", tool: "b.c" });
  assert.equal(parseToolRef("a."), undefined);
  assert.equal(parseToolRef(42 as unknown as string), undefined);
});

Deno.test("formatToolRef() writes what parseToolRef() reads", () => {
  for (const text of ["acme.crm.delete", "acme.crm", "memory.read_graph"]) {
    const ref = parseToolRef(text, ["acme.crm", "memory"])!;
    assert.equal(formatToolRef(ref), text);
  }
});
