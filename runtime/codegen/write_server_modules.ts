/**
 * Writes generated server modules to disk: only files whose content changed, and removes the generated files of
 * servers and tools that are gone. Files the generator did not write are never touched.
 *
 * @module
 */

import { generateGlobalsModule, GLOBALS_MODULE_PATH } from "./globals_module.ts";
import { dirname, join, resolve } from "node:path";
import { CLIENT_MODULE_PATH, generateClientModule, GENERATED_HEADER_RE } from "./client_module.ts";
import { generateServerModules, MANIFEST_FILE, type ServerInput } from "./generate_server.ts";
import { toServerDirName } from "./identifiers.ts";
import { readInferredOutputs } from "./inferred_file.ts";

/**
 * Options of {@linkcode writeServerModules} and {@linkcode writeServerModule}.
 *
 * @example Use what `_inferred.json` holds
 * ```ts
 * import { writeServerModules, type WriteOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/memory`);
 * await Deno.writeTextFile(`${dir}/memory/_inferred.json`, JSON.stringify({ generator: "mcp-executor",
 *   server: "memory", tools: { read_graph: { schema: { type: "object" }, results: 1, updated: "2026-12-06" } } }));
 * const options: WriteOptions = { inferredOutputs: true };
 * const tools = [{ name: "read_graph", inputSchema: { type: "object" as const } }];
 * await writeServerModules(dir, [{ name: "memory", version: "1", tools }], options);
 * assert.match(await Deno.readTextFile(`${dir}/memory/readGraph.ts`), /Promise<ReadGraphOutput>/);
 * ```
 */
export interface WriteOptions {
  /**
   * Give tools without an `outputSchema` the output types inferred from their results, read from each server's
   * `_inferred.json` (unless the server input carries `inferred` itself). Default `false`.
   */
  inferredOutputs?: boolean;
}

async function withInferred(
  outDir: string,
  server: ServerInput,
  options: WriteOptions,
): Promise<ServerInput> {
  if (options.inferredOutputs !== true || server.inferred !== undefined) return server;
  return { ...server, inferred: await readInferredOutputs(outDir, server.name) };
}

/**
 * What a write changed, as `/`-separated paths relative to the output folder, sorted.
 *
 * @example Dropping a server removes its files
 * ```ts
 * import { writeServerModules, type WriteResult } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const tools = [{ name: "read_graph", inputSchema: { type: "object" as const } }];
 * await writeServerModules(dir, [{ name: "memory", version: "1", tools }]);
 * const result: WriteResult = await writeServerModules(dir, []);
 * assert.ok(result.removed.includes("memory/readGraph.ts"));
 * ```
 */
export interface WriteResult {
  /** Files created or rewritten because their content changed. */
  written: string[];
  /** Generated files that were stale, and folders left empty by their removal. */
  removed: string[];
}

/** Writes to one output folder run one at a time, so that a tools/list_changed cannot race a full regeneration. */
const locks = new Map<string, Promise<unknown>>();

/**
 * Writes the modules of every server, `_client.ts` and `globals.d.ts` (the sandbox's globals for an editor), to `outDir` (the generated `servers/` folder).
 *
 * Files are written only when their content changed, each atomically (a temporary file renamed over the old one).
 * Generated files of servers and tools no longer present are removed, and so are the folders that leaves empty;
 * another process's temporary files (a replica writing the same folder) are left alone.
 * A file counts as generated when its first line is the generator's `DO NOT EDIT` header, or it is `_manifest.json`;
 * any other file stays, and the generator refuses to overwrite one.
 *
 * @param outDir The output folder; created when missing.
 * @param servers Every server that should have modules.
 * @param options Whether inferred output types are used.
 * @returns The paths written and removed.
 * @throws {TypeError} When two servers map to the same folder name.
 * @throws {Error} When a generated path is taken by a file the generator did not write.
 *
 * @example Generate modules into a temporary folder
 * ```ts
 * import { writeServerModules } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const tools = [{ name: "read_graph", inputSchema: { type: "object" as const, properties: {} } }];
 * const first = await writeServerModules(dir, [{ name: "memory", version: "0.6.3", tools }]);
 * assert.ok(first.written.includes("memory/readGraph.ts"));
 * const again = await writeServerModules(dir, [{ name: "memory", version: "0.6.3", tools }]);
 * assert.deepEqual(again, { written: [], removed: [] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeServerModules(
  outDir: string,
  servers: readonly ServerInput[],
  options: WriteOptions = {},
): Promise<WriteResult> {
  const dirs = new Map<string, string>();
  for (const server of servers) {
    const dir = toServerDirName(server.name);
    const other = dirs.get(dir.toLowerCase());
    if (other !== undefined) {
      throw new TypeError(
        `Cannot generate server modules: servers ${JSON.stringify(other)} and ${
          JSON.stringify(server.name)
        } both map to folder "${dir}"`,
      );
    }
    dirs.set(dir.toLowerCase(), server.name);
  }
  const files = new Map<string, string>([
    [CLIENT_MODULE_PATH, generateClientModule()],
    [GLOBALS_MODULE_PATH, generateGlobalsModule(servers.map((server) => server.name))],
  ]);
  for (const server of servers) {
    const input = await withInferred(outDir, server, options);
    for (const [path, text] of generateServerModules(input)) files.set(path, text);
  }
  const keep = new Set([...servers].map((server) => toServerDirName(server.name)));
  return await withLock(outDir, () => sync(outDir, files, { scope: "all", keep }));
}

/**
 * Regenerates the modules of one server (after it sent `notifications/tools/list_changed`), and `_client.ts`.
 * Only that server's folder is cleaned; the rest of `outDir` is left as it is.
 *
 * @param outDir The output folder; created when missing.
 * @param server The server with its current tools.
 * @param options Whether inferred output types are used.
 * @returns The paths written and removed.
 * @throws {Error} When a generated path is taken by a file the generator did not write.
 *
 * @example Regenerate one server
 * ```ts
 * import { writeServerModule } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const tools = [{ name: "echo", inputSchema: { type: "object" as const } }];
 * const result = await writeServerModule(dir, { name: "everything", version: "2.0.0", tools });
 * assert.ok(result.written.includes("everything/echo.ts"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeServerModule(
  outDir: string,
  server: ServerInput,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const files = new Map<string, string>([[CLIENT_MODULE_PATH, generateClientModule()]]);
  const input = await withInferred(outDir, server, options);
  for (const [path, text] of generateServerModules(input)) files.set(path, text);
  const dir = toServerDirName(server.name);
  return await withLock(outDir, () => sync(outDir, files, { scope: "one", keep: new Set([dir]) }));
}

/** A file being written, before it is renamed over its target: `<name>.<uuid>.tmp`. */
const TEMPORARY_RE = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

async function withLock<T>(outDir: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(outDir);
  const previous = locks.get(key) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(task);
  locks.set(key, current);
  try {
    return await current;
  } finally {
    if (locks.get(key) === current) locks.delete(key);
  }
}

async function sync(
  outDir: string,
  files: ReadonlyMap<string, string>,
  options: { scope: "all" | "one"; keep: ReadonlySet<string> },
): Promise<WriteResult> {
  const written: string[] = [];
  const removed: string[] = [];
  await Deno.mkdir(outDir, { recursive: true });
  for (const [path, text] of files) {
    const target = join(outDir, path);
    const existing = await readIfExists(target);
    if (existing === text) continue;
    if (existing !== undefined && !isGenerated(path, existing)) {
      throw new Error(
        `Cannot write "${path}": the file exists and was not generated by mcp-executor`,
      );
    }
    await Deno.mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(temporary, text);
    await Deno.rename(temporary, target);
    written.push(path);
  }
  const dirs = options.scope === "one" ? [...options.keep] : await listDirs(outDir);
  for (const dir of dirs) {
    for (const name of await listFiles(join(outDir, dir))) {
      const path = `${dir}/${name}`;
      // Another process writing the same folder (a replica with the same config) may be about to rename it.
      if (files.has(path) || TEMPORARY_RE.test(name)) continue;
      const text = await readIfExists(join(outDir, path));
      if (text === undefined || !isGenerated(path, text)) continue;
      await Deno.remove(join(outDir, path));
      removed.push(path);
    }
    if (!options.keep.has(dir) && (await listEntries(join(outDir, dir))).length === 0) {
      await Deno.remove(join(outDir, dir));
      removed.push(dir);
    }
  }
  return { written: written.sort(compare), removed: removed.sort(compare) };
}

function isGenerated(path: string, text: string): boolean {
  if (path.endsWith(`/${MANIFEST_FILE}`)) return true;
  const firstLine = text.slice(0, text.indexOf("\n") === -1 ? undefined : text.indexOf("\n"));
  return GENERATED_HEADER_RE.test(firstLine);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function listEntries(dir: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return entries;
}

/** Real folders directly in `dir` (symbolic links are not followed). */
async function listDirs(dir: string): Promise<string[]> {
  return (await listEntries(dir)).filter((entry) => entry.isDirectory).map((entry) => entry.name)
    .sort(compare);
}

/** Regular files directly in `dir`. */
async function listFiles(dir: string): Promise<string[]> {
  return (await listEntries(dir)).filter((entry) => entry.isFile).map((entry) => entry.name).sort(
    compare,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
