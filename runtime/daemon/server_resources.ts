/**
 * The generated `servers/` tree as MCP resources: every file is `servers://<dir>/<path>`, e.g.
 * `servers://memory/index.ts`, so that an agent can also discover tools by reading the tree.
 *
 * @module
 */

import { join, relative, resolve, sep } from "node:path";

/** The URI scheme of generated server files. */
export const SERVERS_SCHEME = "servers:";

/** One file under `servers/` as a resource. */
export interface ServerFileResource {
  uri: string;
  name: string;
  mimeType: string;
}

/** The most files listed (a guard against a huge folder; generated trees hold a few per tool). */
const MAX_FILES = 10_000;

/**
 * Lists every file under the `servers/` folder.
 *
 * @param serversDir The generated `servers/` folder.
 * @returns One resource a file, sorted by URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listServerFiles } from "./server_resources.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/memory`);
 * await Deno.writeTextFile(`${dir}/memory/index.ts`, "export {};\n");
 * assert.deepEqual(await listServerFiles(dir), [
 *   { uri: "servers://memory/index.ts", name: "servers/memory/index.ts", mimeType: "text/typescript" },
 * ]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listServerFiles(serversDir: string): Promise<ServerFileResource[]> {
  const files: string[] = [];
  await walk(serversDir, "", files);
  return files.sort().map((path) => ({
    uri: `${SERVERS_SCHEME}//${path}`,
    name: `servers/${path}`,
    mimeType: mimeTypeOf(path),
  }));
}

/**
 * Reads one file of the `servers/` folder by its URI.
 *
 * @param serversDir The generated `servers/` folder.
 * @param uri `servers://<dir>/<path>`.
 * @returns The file's text and MIME type.
 * @throws {TypeError} When the URI is not a `servers://` URI inside the folder, or names no file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readServerFile } from "./server_resources.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/memory`);
 * await Deno.writeTextFile(`${dir}/memory/index.ts`, "export {};\n");
 * assert.equal((await readServerFile(dir, "servers://memory/index.ts")).text, "export {};\n");
 * await assert.rejects(readServerFile(dir, "servers://../secret"), TypeError);
 * await assert.rejects(readServerFile(dir, "servers://memory/%E0%A4%A"), /malformed % escape/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readServerFile(
  serversDir: string,
  uri: string,
): Promise<{ text: string; mimeType: string }> {
  const prefix = `${SERVERS_SCHEME}//`;
  let path = "";
  try {
    path = uri.startsWith(prefix) ? decodeURIComponent(uri.slice(prefix.length)) : "";
  } catch {
    throw new TypeError(`Cannot read resource ${JSON.stringify(uri)}: malformed % escape`);
  }
  const root = resolve(serversDir);
  const full = resolve(root, path);
  const inside = relative(root, full);
  if (path === "" || inside === "" || inside.startsWith("..") || inside.startsWith(sep)) {
    throw new TypeError(`Cannot read resource ${JSON.stringify(uri)}: not a file under servers://`);
  }
  try {
    // A symbolic link could point anywhere: read only what really lies inside the folder.
    const real = await Deno.realPath(full);
    if (!real.startsWith(await Deno.realPath(root) + sep)) throw new Deno.errors.NotFound();
    return { text: await Deno.readTextFile(real), mimeType: mimeTypeOf(path) };
  } catch {
    throw new TypeError(`Cannot read resource ${JSON.stringify(uri)}: no such file`);
  }
}

async function walk(root: string, prefix: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(root, prefix)));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (out.length >= MAX_FILES) return;
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory) await walk(root, path, out);
    else if (entry.isFile) out.push(path);
  }
}

function mimeTypeOf(path: string): string {
  if (path.endsWith(".ts")) return "text/typescript";
  if (path.endsWith(".json")) return "application/json";
  if (path.endsWith(".md")) return "text/markdown";
  return "text/plain";
}
