/**
 * Keeps a {@linkcode UsageMemory} in a JSON file beside the orchestrator's state.
 *
 * @module
 */

import { dirname } from "node:path";
import type { UsageMemory } from "./usage_memory.ts";

/**
 * Loads a usage file into a memory; a missing file leaves the memory empty.
 *
 * @param path The file.
 * @param memory The memory to fill.
 * @returns `true` when the file existed and was loaded.
 * @throws {TypeError} When the file is not JSON or not a usage file (the message names the file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadUsageFile, saveUsageFile, UsageMemory } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const memory = new UsageMemory();
 * memory.record(["stash"], ["git.git_stash"]);
 * await saveUsageFile(`${dir}/usage.json`, memory);
 * const again = new UsageMemory();
 * assert.equal(await loadUsageFile(`${dir}/usage.json`, again), true);
 * assert.equal(again.size, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadUsageFile(path: string, memory: UsageMemory): Promise<boolean> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  try {
    memory.load(JSON.parse(text));
  } catch (error) {
    throw new TypeError(`Cannot load tool usage from "${path}": ${(error as Error).message}`);
  }
  return true;
}

/**
 * Writes a memory to its file (through a temporary file and a rename, readable by the owner only).
 *
 * @param path The file.
 * @param memory The memory.
 * @returns Resolves once written.
 */
export async function saveUsageFile(path: string, memory: UsageMemory): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(memory.toJSON()) + "\n", { mode: 0o600 });
  await Deno.rename(temporary, path);
}
