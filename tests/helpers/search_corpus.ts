/**
 * Loads the recorded `tools/list` fixtures under `tests/fixtures/tools_list/`, for the search tests and
 * `bench/search_bench.ts` (not part of the runtime).
 *
 * @module
 */

import type { Tool } from "../../runtime/sdk.ts";
import type { ToolIndexEntry } from "../../runtime/search/mod.ts";

/** One recorded server: its corpus key and its tools. */
export interface RecordedServer {
  key: string;
  tools: Tool[];
}

const FIXTURES = new URL("../fixtures/tools_list/", import.meta.url);

/**
 * Reads every recorded fixture, sorted by key.
 *
 * @returns The recorded servers.
 */
export async function loadRecordedServers(): Promise<RecordedServer[]> {
  const servers: RecordedServer[] = [];
  for await (const file of Deno.readDir(FIXTURES)) {
    if (!file.isFile || !file.name.endsWith(".json")) continue;
    const fixture = JSON.parse(await Deno.readTextFile(new URL(file.name, FIXTURES))) as {
      key: string;
      tools: Tool[];
    };
    servers.push({ key: fixture.key, tools: fixture.tools });
  }
  return servers.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Flattens recorded servers into index entries.
 *
 * @param servers Servers from {@linkcode loadRecordedServers}.
 * @returns One entry per tool.
 */
export function toEntries(servers: readonly RecordedServer[]): ToolIndexEntry[] {
  return servers.flatMap(({ key, tools }) => tools.map((tool) => ({ server: key, tool })));
}

/**
 * Reads a fixture recorded for the search tests only (`tests/fixtures/search/<key>.json`, not part of the corpus).
 *
 * @param key The fixture's key, e.g. `"git"`.
 * @returns The recorded server.
 */
export async function loadSearchFixture(key: string): Promise<RecordedServer> {
  const file = new URL(`../fixtures/search/${key}.json`, import.meta.url);
  const fixture = JSON.parse(await Deno.readTextFile(file)) as { key: string; tools: Tool[] };
  return { key: fixture.key, tools: fixture.tools };
}
