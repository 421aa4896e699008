import assert from "node:assert/strict";
import { ToolFinder } from "./tool_finder.ts";
import { ToolIndex } from "./tool_index.ts";
import { UsageMemory } from "./usage_memory.ts";
import {
  loadRecordedServers,
  loadSearchFixture,
  toEntries,
} from "../../tests/helpers/search_corpus.ts";
import { blendSemantic, SEMANTIC_WEIGHT } from "./_fusion.ts";
import { loadUsageFile, saveUsageFile } from "./usage_file.ts";

const entries = toEntries([...await loadRecordedServers(), await loadSearchFixture("git")]);

function names(hits: { name: string }[]): string[] {
  return hits.map((hit) => hit.name);
}

Deno.test("learning from use: 'undo my last commit' finds git_reset once a session led there", () => {
  const finder = new ToolFinder(ToolIndex.from(entries), { usage: new UsageMemory() });
  const query = "undo my last commit";
  assert.ok(!names(finder.find(query, { session: "a", limit: 3 })).includes("git.git_reset"));
  // The agent rephrases, finds the tool and runs a task that calls it.
  assert.equal(finder.find("reset head", { session: "a", limit: 3 })[0]?.name, "git.git_reset");
  finder.taskFinished("a", ["git.git_reset"]);
  // Next time, in any session, the first wording works.
  assert.equal(finder.find(query, { session: "b" })[0]?.name, "git.git_reset");
});

Deno.test("learning from use: a search is attributed only to tasks of its own session", () => {
  const usage = new UsageMemory();
  const finder = new ToolFinder(ToolIndex.from(entries), { usage });
  finder.find("undo my last commit", { session: "a" });
  finder.find("reset head", { session: "a" });
  finder.taskFinished("b", ["git.git_reset"]);
  assert.equal(usage.size, 0);
  finder.taskFinished("a", []);
  assert.equal(usage.size, 0);
});

Deno.test("learning from use keeps only words of the tool vocabulary or the dictionary", async () => {
  const usage = new UsageMemory();
  const finder = new ToolFinder(ToolIndex.from(entries), { usage });
  finder.find("email alice@example.org the invoice 4111111111111111 for ACME-7731 xq9z", {
    session: "s",
  });
  finder.find("send slack message", { session: "s" });
  finder.taskFinished("s", ["slack.slack_post_message"]);
  const dir = await Deno.makeTempDir();
  try {
    await saveUsageFile(`${dir}/usage.json`, usage);
    const text = await Deno.readTextFile(`${dir}/usage.json`);
    for (const value of ["alice", "4111", "7731", "xq9z", "acme-", "@"]) {
      assert.ok(!text.includes(value), `the usage file holds "${value}": ${text}`);
    }
    const terms = (JSON.parse(text).entries as [string][]).map(([term]) => term);
    assert.ok(terms.includes("message") && terms.includes("invoice"), terms.join(" "));
    assert.ok(terms.every((term) => /^[a-z]+$/.test(term)));
    const again = new UsageMemory();
    assert.ok(await loadUsageFile(`${dir}/usage.json`, again));
    assert.deepEqual(again.toJSON(), usage.toJSON());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UsageMemory decays with time and stays within its bound", () => {
  let now = 0;
  const usage = new UsageMemory({ maxEntries: 3, halfLifeDays: 1, now: () => now });
  usage.record(["stash"], ["git.git_stash"]);
  assert.equal(usage.scores(["stash"]).get("git.git_stash"), 1);
  now = 24 * 60 * 60 * 1000;
  assert.equal(usage.scores(["stash"]).get("git.git_stash"), 0.5);
  usage.record(["shelve", "park", "hide"], ["git.git_stash"]);
  assert.equal(usage.size, 3);
  assert.equal(usage.scores(["stash"]).size, 0, "the weakest pair went first");
  assert.throws(() => new UsageMemory({ maxEntries: 0 }), RangeError);
  assert.throws(() => usage.load({ version: 2, entries: [] }), /not a version 1 usage file/);
});

/** A deterministic, offline embedding: character trigrams hashed into 256 dimensions. */
function trigramEmbed(texts: string[]): Promise<number[][]> {
  return Promise.resolve(texts.map((text) => {
    const vector = new Array<number>(256).fill(0);
    for (const word of text.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 0)) {
      const padded = `^${word}$`;
      for (let i = 0; i + 3 <= padded.length; i++) {
        let hash = 2166136261;
        for (const char of padded.slice(i, i + 3)) {
          hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
        }
        vector[(hash >>> 0) % 256]! += 1;
      }
    }
    return vector;
  }));
}

Deno.test("embed: hybrid ranking blends an embedding's similarities into BM25", async () => {
  const batches: number[] = [];
  const embed = (texts: string[]) => {
    batches.push(texts.length);
    return trigramEmbed(texts);
  };
  const index = ToolIndex.from(entries);
  const hybrid = new ToolFinder(index, { embed });
  // BM25 finds nothing for "cherrypicking" (one word: no stem, prefix or typo of "cherry" or "pick"); the trigram
  // embedding shares "che", "her", "pic", "ick" with git_cherry_pick, and the blended ranking puts it first.
  const query = "cherrypicking";
  assert.deepEqual(index.search(query), []);
  const hits = await hybrid.findAsync(query, { detail: "name", limit: 3 });
  assert.equal(hits[0]?.name, "git.git_cherry_pick");
  // Where BM25 is sure, fusion keeps its answer first.
  assert.equal((await hybrid.findAsync("read graph", { limit: 1 }))[0]?.name, "memory.read_graph");
  // Tool texts are embedded once; later searches embed only the query.
  await hybrid.findAsync("read a file", { limit: 3 });
  assert.deepEqual(batches, [entries.length + 1, 1, 1]);
  // Without embed, findAsync is the lexical ranking.
  const lexical = new ToolFinder(index);
  assert.deepEqual(
    names(await lexical.findAsync(query, { detail: "name" })),
    names(index.search(query, { detail: "name" })),
  );
});

Deno.test("embed: a wrong number of vectors is refused with a clear error", async () => {
  const finder = new ToolFinder(ToolIndex.from(entries), { embed: () => Promise.resolve([[1]]) });
  await assert.rejects(
    () => finder.findAsync("read a file"),
    /embed\(\) returned 1 vectors for \d+ texts/,
  );
});

Deno.test("blendSemantic() adds the embedding's standard scores to BM25 scaled to the best hit", () => {
  const lexical = [{ name: "a", score: 10 }, { name: "b", score: 5 }];
  // Similarities 0.9, 0.5, 0.1: mean 0.5, standard deviation sqrt(0.32 / 3).
  const semantic = [{ name: "c", score: 0.9 }, { name: "b", score: 0.5 }, {
    name: "a",
    score: 0.1,
  }];
  const sd = Math.sqrt(0.32 / 3);
  const blended = blendSemantic(lexical, semantic);
  assert.deepEqual(blended.map((s) => s.name), ["a", "b", "c"]);
  assert.ok(Math.abs(blended[0]!.score - (1 - SEMANTIC_WEIGHT * 0.4 / sd)) < 1e-12);
  assert.equal(blended[1]!.score, 0.5);
  assert.ok(
    Math.abs(blended[2]!.score - SEMANTIC_WEIGHT * 0.4 / sd) < 1e-12,
    "c ranks by meaning alone",
  );
  // Equal similarities carry nothing: BM25 stays as it was, scaled.
  const flat = blendSemantic(lexical, [{ name: "a", score: 0.3 }, { name: "b", score: 0.3 }]);
  assert.deepEqual(flat, [{ name: "a", score: 1 }, { name: "b", score: 0.5 }]);
});

Deno.test("embed: a server's tools changing while a search waits for its vectors do not break it", async () => {
  const index = ToolIndex.from(entries);
  let calls = 0;
  const embed = (texts: string[]) => {
    // The first call (the query and every tool text) sees a new server arrive before it answers.
    if (calls++ === 0) {
      index.setServerTools("late", [
        { name: "late_tool", description: "Reads files late", inputSchema: { type: "object" } },
      ]);
    }
    return trigramEmbed(texts);
  };
  const finder = new ToolFinder(index, { embed });
  assert.equal((await finder.findAsync("read a file", { detail: "name", limit: 3 })).length, 3);
  // The next search embeds the new tool and can rank it.
  const hits = await finder.findAsync("late tool", { detail: "name", limit: 1 });
  assert.equal(hits[0]?.name, "late.late_tool");
});
