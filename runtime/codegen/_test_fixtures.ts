/**
 * Fixture loading shared by the codegen tests. Private to the codegen folder; not part of the runtime.
 *
 * @module
 */

import { generateGlobalsModule, GLOBALS_MODULE_PATH } from "./globals_module.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tool } from "../sdk.ts";
import { CLIENT_MODULE_PATH, generateClientModule } from "./client_module.ts";
import { generateServerModules, type ServerInput } from "./generate_server.ts";

/** Recorded `tools/list` answers of real servers. */
export const TOOLS_LIST_DIR: string = fileURLToPath(
  new URL("../../tests/fixtures/tools_list/", import.meta.url),
);

/**
 * The checked-in generated trees the golden test compares against, each with the fixtures generated into it:
 * `servers/` holds the embedded default mcp.json's servers (it is what `deno task gen` writes), and
 * `tests/fixtures/generated/` holds the other reference server.
 */
export const GOLDEN_TREES: readonly { dir: string; fixtures: readonly string[] }[] = [
  {
    dir: fileURLToPath(new URL("../../servers/", import.meta.url)),
    fixtures: ["everything", "filesystem", "memory"],
  },
  {
    dir: fileURLToPath(new URL("../../tests/fixtures/generated/", import.meta.url)),
    fixtures: ["sequential-thinking"],
  },
];

/** Every fixture with a checked-in golden tree. */
export const GOLDEN_FIXTURES: readonly string[] = GOLDEN_TREES.flatMap((tree) => tree.fixtures);

/** A synthetic server exercising every naming and schema edge case the generator handles. */
export const KITCHEN_SINK_FILE: string = fileURLToPath(
  new URL("./testdata/kitchen_sink.json", import.meta.url),
);

interface ToolsListFixture {
  key: string;
  serverInfo: { name: string; version: string };
  tools: Tool[];
}

/**
 * Loads a recorded `tools/list` answer as generator input: its key is the server's name, its `serverInfo.version`
 * the version.
 *
 * @param file The fixture's path.
 * @returns The server.
 */
export async function loadFixtureFile(file: string): Promise<ServerInput> {
  const fixture = JSON.parse(await Deno.readTextFile(file)) as ToolsListFixture;
  return { name: fixture.key, version: fixture.serverInfo.version, tools: fixture.tools };
}

/**
 * Loads fixtures from {@linkcode TOOLS_LIST_DIR} by key.
 *
 * @param keys Fixture keys, e.g. `"memory"`.
 * @returns The servers, in the given order.
 */
export function loadFixtures(keys: readonly string[]): Promise<ServerInput[]> {
  return Promise.all(keys.map((key) => loadFixtureFile(join(TOOLS_LIST_DIR, `${key}.json`))));
}

/**
 * Lists the keys of every fixture in {@linkcode TOOLS_LIST_DIR}, sorted.
 *
 * @returns The keys.
 */
export async function allFixtureKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of Deno.readDir(TOOLS_LIST_DIR)) {
    if (entry.isFile && entry.name.endsWith(".json")) {
      keys.push(entry.name.slice(0, -".json".length));
    }
  }
  return keys.sort();
}

/**
 * Generates the whole output tree for some servers in memory: `_client.ts` and every server's files.
 *
 * @param servers The servers.
 * @returns Relative path to content, sorted by path.
 */
export function generateTree(servers: readonly ServerInput[]): Map<string, string> {
  const files = new Map([
    [CLIENT_MODULE_PATH, generateClientModule()],
    [GLOBALS_MODULE_PATH, generateGlobalsModule(servers.map((server) => server.name))],
  ]);
  for (const server of servers) {
    for (const [path, text] of generateServerModules(server)) files.set(path, text);
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads every file below a folder.
 *
 * @param dir The folder.
 * @returns `/`-separated relative path to content, sorted by path; empty when the folder does not exist.
 */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (relative: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(dir, relative))) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory) await visit(path);
      else if (entry.isFile) files.set(path, await Deno.readTextFile(join(dir, path)));
    }
  };
  try {
    await visit("");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
