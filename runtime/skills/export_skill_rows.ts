/**
 * {@linkcode exportSkillRows}: the skills of a shared state store written back as Agent Skills folders, in the
 * layout the embedded store reads (`skills/<name>/` for shared ones, `principal-skills/<encoded id>/<name>/` for
 * private ones), every version kept.
 *
 * @module
 */

import { join } from "node:path";
import type { SkillRows } from "../state/mod.ts";
import { SkillSpaces } from "./skill_spaces.ts";

/** Every version is exported: the folders hold what the rows hold. */
const ALL_VERSIONS = 1_000_000_000;

/**
 * Writes every skill of `rows` into `dir/skills/` and `dir/principal-skills/`. Folders already there are brought
 * up to date (versions they lack are added), never emptied.
 *
 * @param rows The store's skills.
 * @param dir The folder to write into (created when missing).
 * @returns How many skills were written, shared and private.
 * @throws {Error} When the rows cannot be read or a folder cannot be written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportSkillRows } from "./export_skill_rows.ts";
 * import { SkillStore } from "./skill_store.ts";
 * import type { SkillRow, SkillRows } from "../state/mod.ts";
 * const row: SkillRow = {
 *   principal: "", name: "say-hi", version: 1, metadata: {},
 *   files: {
 *     "SKILL.md": "---\nname: say-hi\ndescription: Says hi\nversion: 1\n---\n",
 *     "skill.ts": 'export async function run() { return "hi"; }\n',
 *     "tools.json": "{}\n",
 *   },
 * };
 * const rows: SkillRows = {
 *   save: () => Promise.reject(new Error("read only")),
 *   versions: () => Promise.resolve([row]),
 *   heads: () => Promise.resolve([{ principal: "", name: "say-hi", version: 1 }]),
 *   updateStats: () => Promise.reject(new Error("read only")),
 *   stats: () => Promise.resolve({ runs: 2, successes: 2 }),
 *   listen: () => Promise.reject(new Error("not here")),
 *   remove: () => Promise.reject(new Error("read only")),
 *   removed: () => Promise.resolve([]),
 * };
 * const dir = await Deno.makeTempDir();
 * assert.deepEqual(await exportSkillRows(rows, dir), { shared: 1, private: 0 });
 * assert.equal(new SkillStore(`${dir}/skills`).read("say-hi")?.versions.length, 1);
 * assert.equal(new SkillStore(`${dir}/skills`).read("say-hi")?.stats.runs, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportSkillRows(
  rows: SkillRows,
  dir: string,
): Promise<{ shared: number; private: number }> {
  const spaces = new SkillSpaces(join(dir, "skills"), { rows, maxVersions: ALL_VERSIONS });
  const heads = await rows.heads();
  for (const head of heads) await spaces.mirror!.pull({ ...head, stats: true });
  const shared = heads.filter((h) => h.principal === "").length;
  return { shared, private: heads.length - shared };
}
