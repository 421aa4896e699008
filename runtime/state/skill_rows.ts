/**
 * {@linkcode SkillRows}: saved skills as rows with versions, the shape the PostgreSQL engine keeps them in, so
 * that every replica sees a skill saved on any of them. The embedded engine has none: skills stay folders.
 *
 * @module
 */

/**
 * The files of one skill version, as the skills folder holds them.
 *
 * @example
 * ```ts
 * import type { SkillFiles } from "./skill_rows.ts";
 * import assert from "node:assert/strict";
 * const files: SkillFiles = { "SKILL.md": "---\nname: add\n---\n", "skill.ts": "", "tools.json": "{}\n" };
 * assert.deepEqual(Object.keys(files), ["SKILL.md", "skill.ts", "tools.json"]);
 * ```
 */
export interface SkillFiles {
  /** Front matter and usage text. */
  "SKILL.md": string;
  /** The program, its imports relative to the skill's folder. */
  "skill.ts": string;
  /** The definitions of the tools it uses, as they were at save time. */
  "tools.json": string;
}

/**
 * One saved version of one skill.
 *
 * @example
 * ```ts
 * import type { SkillRow } from "./skill_rows.ts";
 * import assert from "node:assert/strict";
 * const row: SkillRow = {
 *   principal: "", name: "add", version: 1, metadata: { name: "add" },
 *   files: { "SKILL.md": "---\nname: add\n---\n", "skill.ts": "export function run() {}\n", "tools.json": "{}\n" },
 * };
 * assert.equal(row.principal, "", "shared");
 * ```
 */
export interface SkillRow {
  /** The owner of a private skill; `""` for a shared one. */
  principal: string;
  /** The skill's name. */
  name: string;
  /** 1, 2, 3, ...: unique per principal and name. */
  version: number;
  /** The version's files. */
  files: SkillFiles;
  /** Its metadata (the front matter as JSON). */
  metadata: Record<string, unknown>;
}

/**
 * Which skill a row is about: what a change announces and what `heads()` lists.
 *
 * @example
 * ```ts
 * import type { SkillHead } from "./skill_rows.ts";
 * import assert from "node:assert/strict";
 * const head: SkillHead = { principal: "alice", name: "greet", version: 3 };
 * assert.equal(head.stats, undefined, "a new version, not new statistics");
 * ```
 */
export interface SkillHead {
  /** `""` for a shared skill. */
  principal: string;
  /** The skill's name. */
  name: string;
  /** Its newest version; 0 announces that the skill was removed. */
  version: number;
  /** Set when what changed is the skill's run statistics, not a new version. */
  stats?: true;
}

/**
 * A subscription to saves; stop it with `unlisten()`.
 *
 * @example
 * ```ts
 * import type { SkillListener } from "./skill_rows.ts";
 * import assert from "node:assert/strict";
 * let listening = true;
 * const listener: SkillListener = { unlisten: () => Promise.resolve(void (listening = false)) };
 * await listener.unlisten();
 * assert.equal(listening, false);
 * ```
 */
export interface SkillListener {
  /** Stops listening. */
  unlisten(): Promise<void>;
}

/**
 * Saved skills as rows, shared by every replica of a deployment.
 *
 * @example
 * ```ts
 * import type { SkillRows } from "./skill_rows.ts";
 * import assert from "node:assert/strict";
 * const rows: Pick<SkillRows, "heads"> = { heads: () => Promise.resolve([]) };
 * assert.deepEqual(await rows.heads(), []);
 * ```
 */
export interface SkillRows {
  /**
   * Saves a version while holding the deployment-wide lock of that skill: `write` runs under the lock (it reads
   * the versions saved so far through `versionsAfter`, in the same transaction, and returns the new one), then the
   * row is inserted and announced to every listener when the transaction commits. Two replicas saving one skill
   * at once take turns, so each version is distinct and none is lost; a version that exists already is refused.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param write Makes the new version (under the lock), given the skill's versions after one (newest `limit`).
   * @returns The row saved.
   */
  save(
    principal: string,
    name: string,
    write: (
      versionsAfter: (after: number, limit: number) => Promise<SkillRow[]>,
    ) => Promise<SkillRow>,
  ): Promise<SkillRow>;
  /**
   * The newest versions of a skill after one, oldest first.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param options `after` (default 0) and `limit`: the newest this many only (default all).
   * @returns The rows.
   */
  versions(
    principal: string,
    name: string,
    options?: { after?: number; limit?: number },
  ): Promise<SkillRow[]>;
  /**
   * Removes every version of a skill and its statistics, under the skill's lock, notes the removal (see
   * {@linkcode SkillRows.removed}) and announces it (as version 0), so every replica removes its copy.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @returns The versions removed, oldest first.
   */
  remove(principal: string, name: string): Promise<number[]>;
  /**
   * Updates a skill's run statistics (a JSON object) under a row lock (`SELECT ... FOR UPDATE`), so runs on every
   * replica count, and announces the change.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param update The new statistics from the stored ones (`undefined` when there are none yet).
   * @returns The statistics stored.
   */
  updateStats(
    principal: string,
    name: string,
    update: (current: unknown) => unknown,
  ): Promise<unknown>;
  /**
   * A skill's run statistics.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @returns The statistics, or `undefined` when it never ran.
   */
  stats(principal: string, name: string): Promise<unknown>;
  /**
   * Every skill's newest version.
   *
   * @returns The heads, sorted by principal and name.
   */
  heads(): Promise<SkillHead[]>;
  /**
   * The skills removed and not saved again since: a replica that was down (or not listening) when one was removed
   * removes its copy at start and on reconnection.
   *
   * @returns Their principals and names, sorted.
   */
  removed(): Promise<{ principal: string; name: string }[]>;
  /**
   * Calls `onSave` for every version saved from now on, by any replica (this one included), and `onConnect` each
   * time the subscription is (re)established, when saves may have been missed.
   *
   * @param onSave Called with the saved version's head.
   * @param onConnect Called on every (re)connection.
   * @returns The subscription.
   */
  listen(onSave: (head: SkillHead) => void, onConnect?: () => void): Promise<SkillListener>;
}
