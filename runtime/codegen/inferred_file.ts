/**
 * `servers/<server>/_inferred.json`: the output shapes inferred for a server's tools, kept so that a restart keeps
 * them. It holds names and types only (see `output_inference.ts`).
 *
 * @module
 */

import { join } from "node:path";
import { toServerDirName } from "./identifiers.ts";
import type { InferredOutput } from "./output_inference.ts";

/** The name of the file in each server folder. */
export const INFERRED_FILE = "_inferred.json";

/** The content of `_inferred.json`. */
export interface InferredFile {
  /** Marks the file as the generator's. */
  generator: "mcp-executor";
  /** The server's name in mcp.json. */
  server: string;
  /** Inferred outputs by tool name. */
  tools: Record<string, InferredOutput>;
}

/**
 * Reads a server's inferred outputs; a missing or malformed file gives none.
 *
 * @param outDir The generated `servers/` folder.
 * @param server The server's name in mcp.json.
 * @returns Inferred outputs by tool name.
 *
 * @example
 * ```ts
 * import { readInferredOutputs, writeInferredOutputs } from "./inferred_file.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const tools = { read_graph: { schema: { type: "object" }, results: 1, updated: "2026-12-06" } };
 * await writeInferredOutputs(dir, "memory", tools);
 * assert.deepEqual(await readInferredOutputs(dir, "memory"), tools);
 * assert.deepEqual(await readInferredOutputs(dir, "other"), {});
 * ```
 */
export async function readInferredOutputs(
  outDir: string,
  server: string,
): Promise<Record<string, InferredOutput>> {
  let data: unknown;
  try {
    data = JSON.parse(
      await Deno.readTextFile(join(outDir, toServerDirName(server), INFERRED_FILE)),
    );
  } catch {
    return {};
  }
  const tools = (data as Partial<InferredFile> | null)?.tools;
  if (typeof tools !== "object" || tools === null) return {};
  const out: Record<string, InferredOutput> = {};
  for (const [name, entry] of Object.entries(tools)) {
    const e = entry as Partial<InferredOutput> | null;
    if (
      typeof e?.schema === "object" && e.schema !== null && Number.isInteger(e.results) &&
      typeof e.updated === "string" && /^\d{4}-\d{2}-\d{2}$/.test(e.updated)
    ) {
      out[name] = { schema: e.schema, results: e.results!, updated: e.updated };
    }
  }
  return out;
}

/**
 * Writes a server's inferred outputs (atomically: a temporary file renamed over the old one).
 *
 * @param outDir The generated `servers/` folder.
 * @param server The server's name in mcp.json.
 * @param tools Inferred outputs by tool name.
 * @returns Resolves once written.
 */
export async function writeInferredOutputs(
  outDir: string,
  server: string,
  tools: Readonly<Record<string, InferredOutput>>,
): Promise<void> {
  const dir = join(outDir, toServerDirName(server));
  await Deno.mkdir(dir, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(tools).sort(([a], [b]) => a < b ? -1 : 1));
  const file: InferredFile = { generator: "mcp-executor", server, tools: sorted };
  const target = join(dir, INFERRED_FILE);
  const temporary = `${target}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
  await Deno.rename(temporary, target);
}
