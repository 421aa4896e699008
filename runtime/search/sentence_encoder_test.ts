import assert from "node:assert/strict";
import { universalSentenceEncoder } from "./sentence_encoder.ts";
import { ToolFinder } from "./tool_finder.ts";
import { ToolIndex } from "./tool_index.ts";
import { loadRecordedServers, toEntries } from "../../tests/helpers/search_corpus.ts";
import { cosine } from "./_fusion.ts";

const embed = universalSentenceEncoder();

Deno.test("universalSentenceEncoder() places a paraphrase nearer than an unrelated sentence", async () => {
  const [query, sum, echo, empty] = await embed([
    "what is 3 plus 4",
    "Returns the sum of two numbers",
    "Echoes back the input",
    "",
  ]);
  for (const vector of [query, sum, echo, empty]) assert.equal(vector?.length, 512);
  assert.ok(cosine(query!, sum!) > cosine(query!, echo!) + 0.1);
  // The same text gives the same vector, whether embedded alone or with others.
  const [again] = await embed(["what is 3 plus 4"]);
  assert.ok(cosine(query!, again!) > 0.9999);
});

Deno.test("universalSentenceEncoder() refuses what is not a list of strings", async () => {
  await assert.rejects(
    () => embed("text" as unknown as string[]),
    /texts must be an array of strings/,
  );
  await assert.rejects(() => embed([1] as unknown as string[]), TypeError);
  assert.equal((await embed([])).length, 0);
});

Deno.test("hybrid search with the offline encoder finds a tool no query word names", async () => {
  const servers = (await loadRecordedServers()).filter((s) =>
    ["everything", "memory"].includes(s.key)
  );
  assert.equal(servers.length, 2);
  const index = ToolIndex.from(toEntries(servers));
  const query = "what is 3 plus 4";
  const lexical = new ToolFinder(index).find(query, { detail: "name", limit: 3 }).map((h) =>
    h.name
  );
  assert.ok(!lexical.includes("everything.get-sum"), `BM25 alone: ${lexical}`);
  const hybrid = new ToolFinder(index, { embed });
  const hits = await hybrid.findAsync(query, { detail: "name", limit: 3 });
  assert.equal(hits[0]?.name, "everything.get-sum");
  // Where the words say it, the answer stays first.
  const exact = await hybrid.findAsync("read graph", { detail: "name", limit: 1 });
  assert.equal(exact[0]?.name, "memory.read_graph");
});

Deno.test("universalSentenceEncoder() gives the event loop a turn between texts", async () => {
  await embed(["load the model first"]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await embed(
      Array.from({ length: 6 }, (_, i) => `Text number ${i} about reading files from a folder`),
    );
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 5, `the interval ran ${ticks} times while 6 texts were embedded`);
});
