import assert from "node:assert/strict";
import { formatHits, NO_HITS_TEXT } from "./format_hits.ts";
import type { ToolSearchHit } from "./types.ts";

const hits: ToolSearchHit[] = [
  {
    server: "memory",
    tool: "read_graph",
    name: "memory.read_graph",
    score: 3,
    description: "Read the entire knowledge graph",
    functionName: "readGraph",
    importLine: 'import { readGraph } from "servers/memory/index.ts";',
    signature: "function readGraph(): Promise<unknown>;",
  },
  {
    server: "everything",
    tool: "echo",
    name: "everything.echo",
    score: 1,
    description: "",
    functionName: "echo",
    importLine: 'import { echo } from "servers/everything/index.ts";',
    signature: "function echo(input: { message: string }): Promise<unknown>;",
  },
];

Deno.test("formatHits() formats each detail level", async (t) => {
  await t.step("name", () => {
    assert.equal(formatHits(hits, "name"), "memory.read_graph\neverything.echo");
  });
  await t.step("description", () => {
    assert.equal(
      formatHits(hits, "description"),
      'import { readGraph } from "servers/memory/index.ts"; // memory.read_graph: Read the entire knowledge graph\n' +
        'import { echo } from "servers/everything/index.ts"; // everything.echo',
    );
  });
  await t.step("full", () => {
    assert.equal(
      formatHits(hits, "full"),
      [
        "// memory.read_graph: Read the entire knowledge graph",
        'import { readGraph } from "servers/memory/index.ts";',
        "function readGraph(): Promise<unknown>;",
        "",
        "// everything.echo",
        'import { echo } from "servers/everything/index.ts";',
        "function echo(input: { message: string }): Promise<unknown>;",
      ].join("\n"),
    );
  });
});

Deno.test("formatHits() leaves out fields a hit does not have", () => {
  const bare: ToolSearchHit[] = [{ server: "a", tool: "b", name: "a.b", score: 1 }];
  assert.equal(formatHits(bare, "description"), "// a.b");
  assert.equal(formatHits(bare, "full"), "// a.b");
});

Deno.test("formatHits() says so when there is no hit", () => {
  assert.equal(formatHits([], "full"), NO_HITS_TEXT);
});

Deno.test("formatHits() throws a TypeError when the detail is unknown", () => {
  assert.throws(() => formatHits(hits, "all" as never), {
    name: "TypeError",
    message: 'Cannot format hits: unknown detail "all" (expected "name", "description" or "full")',
  });
});
