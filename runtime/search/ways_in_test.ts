import assert from "node:assert/strict";
import { ToolIndex } from "./tool_index.ts";
import {
  loadRecordedServers,
  loadSearchFixture,
  toEntries,
} from "../../tests/helpers/search_corpus.ts";
import type { RankingOptions } from "./types.ts";
import { isDictionaryWord, lemmaOf } from "./_lexicon.ts";
import { ABBREVIATIONS } from "./_abbreviations.ts";

// Each way in to tool search, on the recorded corpus plus a recorded git server: the query finds the tool with the
// feature and does not without it.
const servers = [...await loadRecordedServers(), await loadSearchFixture("git")];
const entries = toEntries(servers);
const withAll = ToolIndex.from(entries);

function top(index: ToolIndex, query: string, n = 3): string[] {
  return index.search(query, { detail: "name", limit: n }).map((hit) => hit.name);
}

function without(feature: keyof RankingOptions): ToolIndex {
  return ToolIndex.from(entries, { ranking: { [feature]: false } });
}

Deno.test("stems: an inflected word meets the tool's own form", () => {
  const plain = without("stems");
  assert.equal(top(withAll, "scraping a page")[0], "firecrawl.firecrawl_scrape");
  assert.ok(!top(plain, "scraping a page").includes("firecrawl.firecrawl_scrape"));
  assert.equal(top(withAll, "crawled pages")[0], "firecrawl.firecrawl_crawl");
  assert.ok(!top(plain, "crawled pages").includes("firecrawl.firecrawl_crawl"));
});

Deno.test("synonyms: a phrasal verb raises the tool described with its synonym", () => {
  // "throw away" is WordNet's "discard", which git_reset's description uses.
  const query = "throw away my local changes";
  const rankWith = top(withAll, query, 10).indexOf("git.git_reset");
  const rankWithout = top(without("synonyms"), query, 10).indexOf("git.git_reset");
  assert.ok(rankWith >= 0 && rankWith < 3, `git_reset ranked ${rankWith}`);
  assert.ok(rankWithout === -1 || rankWithout > rankWith, `without synonyms: ${rankWithout}`);
});

Deno.test("synonyms: 'give the money back' finds a refund tool", () => {
  const index = new ToolIndex();
  index.setServerTools("payments", [
    {
      name: "create_refund",
      description: "Refund a charge to a customer",
      inputSchema: { type: "object" },
    },
    {
      name: "create_charge",
      description: "Charge a customer's card",
      inputSchema: { type: "object" },
    },
    { name: "list_customers", description: "List customers", inputSchema: { type: "object" } },
  ]);
  assert.equal(top(index, "give the money back to the customer")[0], "payments.create_refund");
  const plain = new ToolIndex({ ranking: { synonyms: false } });
  plain.setServerTools(
    "payments",
    index.listTools("payments").map((t) => index.getTool("payments", t.name)!),
  );
  assert.notEqual(top(plain, "give the money back to the customer")[0], "payments.create_refund");
});

Deno.test("abbreviations: PR, k8s and db are spelled out", () => {
  const plain = without("abbreviations");
  assert.ok(top(withAll, "open a PR").every((name) => name.includes("pull_request")));
  assert.ok(!top(plain, "open a PR").some((name) => name.includes("pull_request")));
  assert.equal(top(withAll, "k8s logs")[0], "kubernetes.kubectl_logs");
  assert.notEqual(top(plain, "k8s logs")[0], "kubernetes.kubectl_logs");
});

Deno.test("abbreviations: every long form is a word of the recorded corpora", () => {
  const text = JSON.stringify(servers).toLowerCase();
  for (const [short, long] of ABBREVIATIONS) {
    for (const word of long) {
      assert.ok(text.includes(word), `"${short}" -> "${word}" is not in the corpus`);
    }
  }
});

Deno.test("server names: 'on gitlab' keeps GitHub's look-alike tools out of the first three", () => {
  assert.ok(top(withAll, "create an issue on gitlab").every((name) => name.startsWith("gitlab.")));
  assert.ok(
    top(without("serverNames"), "create an issue on gitlab").includes("github.create_issue"),
  );
  // A server-name word many other tools hold ("search" in brave-search) names nothing.
  assert.equal(top(withAll, "search the web")[0], top(without("serverNames"), "search the web")[0]);
});

Deno.test("tool-name parts: git_log is found by its words", () => {
  assert.equal(top(withAll, "git log")[0], "git.git_log");
});

Deno.test("lemmaOf() and isDictionaryWord() know inflected English words, not values", () => {
  assert.equal(lemmaOf("stashed"), "stash");
  assert.equal(lemmaOf("deleting"), "delete");
  assert.ok(isDictionaryWord("shelve"));
  for (const value of ["alice", "4111111111111111", "xk-93df"]) assert.ok(!isDictionaryWord(value));
});
