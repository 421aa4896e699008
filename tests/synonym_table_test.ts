import assert from "node:assert/strict";
import { buildSynonymTable, OUTPUT } from "../bench/build_synonyms.ts";

Deno.test("runtime/search/_synonyms.json is what bench/build_synonyms.ts builds from WordNet and the fixtures", async () => {
  const built = await buildSynonymTable();
  const checkedIn = await Deno.readTextFile(OUTPUT);
  assert.ok(
    built === checkedIn,
    "the checked-in table differs: run deno run --allow-read --allow-write bench/build_synonyms.ts",
  );
  const table = JSON.parse(built) as Record<string, string>;
  assert.equal(table["give back"], "refund return");
  assert.ok(table["throw away"]?.split(" ").includes("discard"));
});
