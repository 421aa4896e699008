/**
 * {@linkcode removeSkill}: deletes a skill with all its versions, under the same lock a save takes.
 *
 * @module
 */

import { join } from "node:path";
import { lockFolder } from "./_fs.ts";
import { checkSkillName } from "./skill_name.ts";
import { SkillStore } from "./skill_store.ts";

/**
 * Options of {@linkcode removeSkill}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeSkill, type RemoveSkillOptions } from "./remove_skill.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/report/versions/1`, { recursive: true });
 * await Deno.mkdir(`${dir}/weekly`, { recursive: true });
 * await Deno.writeTextFile(`${dir}/weekly/SKILL.md`, "---\nname: weekly\nskills: [report]\n---\n");
 * const options: RemoveSkillOptions = { force: true, lockTimeoutMs: 1_000 };
 * assert.deepEqual(await removeSkill(dir, "report", options), [1]);
 * ```
 */
export interface RemoveSkillOptions {
  /** Remove it even when other skills import it (they will then fail to load). Default `false`. */
  force?: boolean;
  /** How long to wait for a save of the same skill, in milliseconds. Default 10,000. */
  lockTimeoutMs?: number;
}

/**
 * Removes a skill's folder with every version. The folder is first renamed to a hidden name, so readers see the
 * skill either whole or gone, never half-deleted; a save running at the same time finishes first (the skill's lock).
 *
 * @param dir The skills folder.
 * @param name The skill's name.
 * @param options `force` to remove a skill that other skills import.
 * @returns The versions that were removed.
 * @throws {TypeError} When the name is invalid, there is no such skill, or other skills import it (without `force`);
 *   the message names them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeSkill } from "./remove_skill.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/old-report/versions/1`, { recursive: true });
 * assert.deepEqual(await removeSkill(dir, "old-report"), [1]);
 * await assert.rejects(removeSkill(dir, "old-report"), /no skill "old-report"/);
 * ```
 */
export async function removeSkill(
  dir: string,
  name: string,
  options: RemoveSkillOptions = {},
): Promise<number[]> {
  checkSkillName(name);
  const what = `Cannot remove skill "${name}"`;
  const folder = join(dir, name);
  const store = new SkillStore(dir);
  const names = store.names();
  if (!names.includes(name)) {
    throw new TypeError(`${what}: there is no skill "${name}" in ${dir}`);
  }
  if (options.force !== true) {
    const users = names.filter((other) =>
      other !== name && (store.read(other)?.metadata?.skills ?? []).includes(name)
    );
    if (users.length > 0) {
      throw new TypeError(
        `${what}: ${users.map((u) => `"${u}"`).join(", ")} import${
          users.length === 1 ? "s" : ""
        } it; ` +
          "remove those first, or force it",
      );
    }
  }
  const versions = listVersions(folder);
  const lock = await lockFolder(folder, {
    timeoutMs: options.lockTimeoutMs ?? 10_000,
    what: `remove skill "${name}"`,
  });
  const aside = join(dir, `.removed-${name}-${crypto.randomUUID()}`);
  try {
    await Deno.rename(folder, aside);
  } catch (error) {
    await lock.release();
    throw error;
  }
  // The lock moved with the folder; it goes with it.
  await Deno.remove(aside, { recursive: true });
  return versions;
}

function listVersions(folder: string): number[] {
  const versions: number[] = [];
  try {
    for (const entry of Deno.readDirSync(join(folder, "versions"))) {
      const n = Number(entry.name);
      if (entry.isDirectory && Number.isInteger(n) && n > 0) versions.push(n);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return versions.sort((a, b) => a - b);
}
