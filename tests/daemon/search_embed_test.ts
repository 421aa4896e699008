// The daemon with `search.embed` in mcp-executor.json: search_tools blends the offline sentence encoder's ranking
// into BM25, over stdio with a real SDK client.
import assert from "node:assert/strict";
import { daemonDir, stdioDaemon, textOf } from "./_daemon.ts";

const QUERY = "wipe someone from memory";

async function firstHit(config: string): Promise<string> {
  await using daemon = await stdioDaemon(config);
  const text = textOf(
    await daemon.client.callTool({
      name: "search_tools",
      arguments: { query: QUERY, detail: "name", limit: 3 },
    }),
  );
  return text.split("\n")[0] ?? "";
}

Deno.test("daemon: search.embed makes search_tools find a tool by meaning", async () => {
  await using plain = await daemonDir();
  await using embedded = await daemonDir({ search: { embed: "universal-sentence-encoder" } });
  // BM25 matches "memory" in descriptions (add_observations first); the encoder knows "wipe" means delete.
  assert.doesNotMatch(await firstHit(plain.config), /memory\.delete_entities/);
  assert.match(await firstHit(embedded.config), /memory\.delete_entities/);
});
