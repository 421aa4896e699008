/**
 * A skill's `versions/<n>/` folders: writing one atomically, and removing the oldest past the limit.
 *
 * @module
 */

import { join } from "node:path";
import { rebaseSkillModule } from "./skill_module.ts";

/** A version's files, in the order they replace the current ones: `SKILL.md`, which names the version, last. */
export const FILES = ["tools.json", "skill.ts", "SKILL.md"] as const;

/**
 * Writes `versions/<n>/` through a temporary folder (call under the skill's lock), after removing what saves killed
 * midway left.
 *
 * @param folder The skill's folder.
 * @param version The version.
 * @param files The version's files; `skill.ts` is `liveModule` rebased to the version's folder.
 * @param liveModule The `skill.ts` written for the skill's folder.
 * @returns `false` when that version already exists.
 */
export async function writeVersion(
  folder: string,
  version: number,
  files: Record<(typeof FILES)[number], string>,
  liveModule: string,
): Promise<boolean> {
  const versions = join(folder, "versions");
  // Leftovers of saves that were killed midway.
  for (const parent of [folder, versions]) {
    for await (const entry of Deno.readDir(parent)) {
      if (/^(?:\.tmp-|(?:SKILL\.md|skill\.ts|tools\.json)\.tmp-)/.test(entry.name)) {
        await Deno.remove(join(parent, entry.name), { recursive: true });
      }
    }
  }
  const temp = join(versions, `.tmp-${crypto.randomUUID()}`);
  const target = join(versions, String(version));
  await Deno.mkdir(temp);
  try {
    for (const file of FILES) {
      const text = file === "skill.ts"
        ? rebaseSkillModule(liveModule, folder, target)
        : files[file];
      await Deno.writeTextFile(join(temp, file), text);
    }
    await Deno.rename(temp, target);
    return true;
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    if (await Deno.stat(target).then(() => true, () => false)) return false;
    throw error;
  }
}

/**
 * Removes the oldest versions past a limit (call under the skill's lock); the current one is never removed.
 *
 * @param folder The skill's folder.
 * @param options The current version and how many to keep.
 * @returns Resolves once removed.
 */
export async function pruneVersions(
  folder: string,
  options: { current: number; keep: number },
): Promise<void> {
  const versions: number[] = [];
  for await (const entry of Deno.readDir(join(folder, "versions"))) {
    if (entry.isDirectory && /^[1-9]\d*$/.test(entry.name)) versions.push(Number(entry.name));
  }
  versions.sort((a, b) => a - b);
  const old = versions.filter((v) => v !== options.current);
  for (const version of old.slice(0, Math.max(0, versions.length - options.keep))) {
    const aside = join(folder, "versions", `.tmp-pruned-${version}-${crypto.randomUUID()}`);
    await Deno.rename(join(folder, "versions", String(version)), aside);
    await Deno.remove(aside, { recursive: true });
  }
}
