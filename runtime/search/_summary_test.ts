import assert from "node:assert/strict";
import { summarize } from "./_summary.ts";

Deno.test("summarize() returns the first sentence on one line", async (t) => {
  const cases: [string | undefined, string][] = [
    ["Read the entire knowledge graph", "Read the entire knowledge graph"],
    ["Returns the sum of two numbers. Use for tests.", "Returns the sum of two numbers."],
    ["Line one\n  continues here.\nSecond sentence.", "Line one continues here."],
    ["Steps: 1. open the page 2. click. Then stop.", "Steps: 1. open the page 2. click."],
    ["Filter results, e.g. by label. More text.", "Filter results, e.g. by label."],
    ["Is it up? Ask again.", "Is it up?"],
    ["Version 1.2 is out. Yes.", "Version 1.2 is out."],
    ["", ""],
    [undefined, ""],
  ];
  for (const [description, expected] of cases) {
    await t.step(String(JSON.stringify(description)), () => {
      assert.equal(summarize(description), expected);
    });
  }
});

Deno.test("summarize() cuts a long sentence at a word boundary with an ellipsis", () => {
  const long = "word ".repeat(60).trim();
  const summary = summarize(long);
  assert.ok(summary.length <= 160, `${summary.length}`);
  assert.ok(summary.endsWith("word…"));
  assert.equal(summarize("abcdefghij klmnop", 12), "abcdefghij…");
});
