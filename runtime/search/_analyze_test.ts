import assert from "node:assert/strict";
import { indexTerm, queryTerms, splitWords, stem, synonymsOf } from "./_analyze.ts";

Deno.test("splitWords() splits identifiers and prose into lowercase words", async (t) => {
  const cases: [string, string[]][] = [
    ["create_pull_request", ["create", "pull", "request"]],
    ["get-tiny-image", ["get", "tiny", "image"]],
    ["getPullRequestFiles", ["get", "pull", "request", "files"]],
    ["HTMLParser", ["html", "parser"]],
    ["API-get-user", ["api", "get", "user"]],
    ["github.create_issue", ["github", "create", "issue"]],
    ["list_v2Items", ["list", "v2", "items"]],
    ["Read the file, then 'edit' it!", ["read", "the", "file", "then", "edit", "it"]],
    ["créerFichier", ["créer", "fichier"]],
    ["", []],
    ["--__..", []],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => assert.deepEqual(splitWords(text), expected));
  }
});

Deno.test("stem() folds plurals and leaves other words alone", async (t) => {
  const cases: [string, string][] = [
    ["entities", "entity"],
    ["files", "file"],
    ["issues", "issue"],
    ["directories", "directory"],
    ["relations", "relation"],
    ["status", "status"],
    ["address", "address"],
    ["has", "has"],
    ["file", "file"],
  ];
  for (const [word, expected] of cases) {
    await t.step(word, () => assert.equal(stem(word), expected));
  }
});

Deno.test("indexTerm() drops stop words and stems every field but the exact one", () => {
  assert.equal(indexTerm("the", "description", { exactField: "name" }), null);
  assert.equal(indexTerm("files", "description", { exactField: "name" }), "file");
  assert.equal(indexTerm("files", "name", { exactField: "name" }), "files");
});

Deno.test("queryTerms() returns the word and its stem, or null for a stop word", () => {
  assert.deepEqual(queryTerms("files"), ["files", "file"]);
  assert.deepEqual(queryTerms("file"), ["file"]);
  assert.equal(queryTerms("of"), null);
});

Deno.test("synonymsOf() returns the other verbs of a group", () => {
  assert.deepEqual(synonymsOf("add"), ["create", "insert"]);
  assert.deepEqual(synonymsOf("graph"), []);
});
