/**
 * {@linkcode SkillMirror}: with a shared state store, skills are rows in PostgreSQL and each replica keeps a copy
 * of them in its own skills folders, which the sandbox imports and search reads as before.
 *
 * - A save takes the skill's lock in the database, first brings the local folder up to the newest row, saves as
 *   on one machine (so the version is the newest + 1), and inserts the new row in the same transaction, which
 *   announces it (`NOTIFY`) on commit.
 * - Every replica listens: an announced version is written into its folder (each missing version into
 *   `versions/<n>/`, then the current files, under the folder's lock), so the next `search_tools` finds it.
 * - A removal deletes the rows, notes the removal and announces version 0: every replica listening removes its
 *   copy.
 * - At start, and whenever the subscription reconnects (announcements may have been missed meanwhile), the folders
 *   are reconciled with the rows: every skill whose newest row is newer than the local folder is brought up to
 *   date, and every local copy of a skill removed since (and not saved again) is removed. A skill folder the store
 *   never had (one a person wrote into this replica's folder) is left alone.
 *
 * Skill files are written as they were saved: their imports of `servers/` and of other skills are relative to the
 * skill's folder, so every replica keeps the same layout (the daemon's default).
 *
 * @module
 */

import { join } from "node:path";
import { logger } from "../log.ts";
import { DEFAULT_PRINCIPAL } from "../principal.ts";
import type { SkillHead, SkillListener, SkillRow, SkillRows } from "../state/mod.ts";
import { lockFolder, writeFileAtomic } from "./_fs.ts";
import { FILES, pruneVersions, writeVersion } from "./_version_folder.ts";
import { removeSkill } from "./remove_skill.ts";
import type { SkillSpaces } from "./skill_spaces.ts";
import type { SkillStore } from "./skill_store.ts";
import type { SkillMetadata } from "./types.ts";

const log = logger("skills");

/**
 * Keeps one replica's skills folders in step with the shared rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SkillSpaces } from "./skill_spaces.ts";
 * import { SkillMirror } from "./skill_mirror.ts";
 * import type { SkillRow, SkillRows } from "../state/mod.ts";
 * const saved: SkillRow[] = [];
 * const rows: SkillRows = {
 *   save: async (_p, _n, write) => { const row = await write(() => Promise.resolve([])); saved.push(row); return row; },
 *   versions: (p, n, o = {}) => Promise.resolve(saved.filter((r) => r.principal === p && r.name === n && r.version > (o.after ?? 0))),
 *   heads: () => Promise.resolve(saved.map((r) => ({ principal: r.principal, name: r.name, version: r.version }))),
 *   updateStats: (_p, _n, update) => Promise.resolve(update(undefined)),
 *   stats: () => Promise.resolve(undefined),
 *   listen: () => Promise.resolve({ unlisten: () => Promise.resolve() }),
 *   remove: () => Promise.resolve([]),
 *   removed: () => Promise.resolve([]),
 * };
 * const dir = await Deno.makeTempDir();
 * const spaces = new SkillSpaces(`${dir}/a/skills`);
 * const mirror = new SkillMirror(spaces, rows);
 * const store = spaces.shared;
 * await mirror.save("default", "add", store, () =>
 *   store.save("add", { description: "Adds", code: "return 1;" }, { servers: [], serversDir: `${dir}/a/servers`, currentTools: () => undefined }));
 * const other = new SkillSpaces(`${dir}/b/skills`);
 * await using started = await new SkillMirror(other, rows).start();
 * assert.equal(other.shared.read("add")?.metadata?.version, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SkillMirror {
  #spaces: SkillSpaces;
  #rows: SkillRows;
  #keep: number;
  #lockTimeoutMs: number;
  #listener: SkillListener | undefined;
  #pulls = new Map<string, Promise<void>>();
  #closed = false;

  /**
   * @param spaces The replica's skills folders.
   * @param rows The shared rows.
   * @param options `maxVersions` kept in each folder (default 50) and how long to wait for a folder's lock
   *   (default 10,000 ms).
   */
  constructor(
    spaces: SkillSpaces,
    rows: SkillRows,
    options: { maxVersions?: number; lockTimeoutMs?: number } = {},
  ) {
    this.#spaces = spaces;
    this.#rows = rows;
    this.#keep = options.maxVersions ?? 50;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  /**
   * Brings every skill up to date and listens for saves by any replica.
   *
   * @returns This mirror, listening; dispose of it (or `close()`) to stop.
   * @throws {Error} When the rows cannot be read.
   */
  async start(): Promise<this> {
    // A copy that fails (a full disk, the database away) is logged; the next save of it or reconnection retries.
    const warn = (error: unknown) =>
      log.warn("Cannot copy skills from the state store: {error}", { error: String(error) });
    this.#listener = await this.#rows.listen(
      (head) => void this.pull(head).catch(warn),
      () => void this.pullAll().catch(warn),
    );
    await this.pullAll();
    return this;
  }

  /**
   * Reconciles the folders with the rows: removes the local copies of skills removed from the store, and brings
   * every skill whose newest row is newer than its folder up to date.
   *
   * @returns Resolves once written.
   */
  async pullAll(): Promise<void> {
    const [removed, heads] = await Promise.all([this.#rows.removed(), this.#rows.heads()]);
    for (const gone of removed) await this.pull({ ...gone, version: 0 });
    for (const head of heads) await this.pull({ ...head, stats: true });
  }

  /**
   * Writes the versions of one skill its folder lacks, and its run statistics when `head.stats` is set (one pull
   * or statistics write of a skill at a time).
   *
   * @param head The skill, its newest version, and whether its statistics changed.
   * @returns Resolves once written.
   */
  pull(head: SkillHead): Promise<void> {
    return this.#turn(head.principal, head.name, async () => {
      await this.#pull(head);
      if (head.stats === true && !this.#closed) {
        const store = this.#store(head.principal);
        const stats = await this.#rows.stats(head.principal, head.name);
        if (stats !== undefined) await writeStats(store, head.name, stats);
      }
    });
  }

  /**
   * Adds a run to a skill's statistics in the store (so runs on every replica count), then writes them into the
   * folder's `stats.json`.
   *
   * @param store The skill's store.
   * @param name The skill's name.
   * @param update The new statistics from the stored ones (`parseStats` and `updateStats`).
   * @returns Resolves once written.
   */
  recordRun(
    store: SkillStore,
    name: string,
    update: (current: string | undefined) => unknown,
  ): Promise<void> {
    const principal = this.#owner(store);
    return this.#turn(principal, name, async () => {
      const stats = await this.#rows.updateStats(
        principal,
        name,
        (current) => update(current === undefined ? undefined : JSON.stringify(current)),
      );
      await writeStats(store, name, stats);
    });
  }

  #turn(principal: string, name: string, step: () => Promise<void>): Promise<void> {
    const key = `${principal}\u0000${name}`;
    const next = (this.#pulls.get(key) ?? Promise.resolve()).then(step);
    const settled = next.catch(() => {});
    this.#pulls.set(key, settled);
    void settled.then(() => {
      if (this.#pulls.get(key) === settled) this.#pulls.delete(key);
    });
    return next;
  }

  async #pull(head: SkillHead): Promise<void> {
    if (this.#closed) return;
    const store = this.#store(head.principal);
    if (head.version === 0) {
      // Removed on some replica: this copy goes too (if it is still here).
      if (store.names().includes(head.name)) {
        await removeSkill(store.dir, head.name, {
          force: true,
          lockTimeoutMs: this.#lockTimeoutMs,
        });
      }
      return;
    }
    if (localVersion(store, head.name) >= head.version) return;
    const rows = await this.#rows.versions(head.principal, head.name, {
      after: localVersion(store, head.name),
      limit: this.#keep,
    });
    if (rows.length > 0) await this.#write(store, head.name, rows);
  }

  async #write(store: SkillStore, name: string, rows: SkillRow[]): Promise<void> {
    const folder = join(store.dir, name);
    await Deno.mkdir(join(folder, "versions"), { recursive: true });
    const lock = await lockFolder(folder, {
      timeoutMs: this.#lockTimeoutMs,
      what: `copy skill "${name}" from the state store`,
    });
    try {
      const current = localVersion(store, name);
      const newer = rows.filter((row) => row.version > current);
      const newest = newer.at(-1);
      if (newest === undefined) return;
      for (const row of newer) {
        await writeVersion(folder, row.version, row.files, row.files["skill.ts"]);
      }
      for (const file of FILES) await writeFileAtomic(join(folder, file), newest.files[file]);
      await pruneVersions(folder, { current: newest.version, keep: this.#keep });
    } finally {
      await lock.release();
    }
  }

  /**
   * Saves a skill through the rows: under the skill's lock in the database, the folder is brought up to date,
   * `save` writes the new version locally, and its files become the new row.
   *
   * @param principal Whose private skill it is; the default principal (or `""`) for a shared one.
   * @param name The skill's name.
   * @param store The store `save` writes to.
   * @param save Saves the version locally (`SkillStore.save`).
   * @returns The saved version's metadata.
   * @throws What `save` throws; `Cannot save skill "<name>": ...` when the database fails.
   */
  async save(
    principal: string,
    name: string,
    store: SkillStore,
    save: () => Promise<SkillMetadata>,
  ): Promise<SkillMetadata> {
    const owner = principal === DEFAULT_PRINCIPAL ? "" : this.#owner(store);
    let metadata: SkillMetadata | undefined;
    let refused: { error: unknown } | undefined;
    try {
      await this.#rows.save(owner, name, async (versionsAfter) => {
        const rows = await versionsAfter(localVersion(store, name), this.#keep);
        if (rows.length > 0) await this.#write(store, name, rows);
        try {
          metadata = await save();
        } catch (error) {
          refused = { error };
          throw error;
        }
        const folder = join(store.dir, name);
        const [md, ts, tools] = await Promise.all(
          ["SKILL.md", "skill.ts", "tools.json"].map((f) => Deno.readTextFile(join(folder, f))),
        );
        return {
          principal: owner,
          name,
          version: metadata.version,
          files: { "SKILL.md": md!, "skill.ts": ts!, "tools.json": tools! },
          metadata: { ...metadata },
        };
      });
    } catch (error) {
      if (refused !== undefined) throw refused.error;
      throw new Error(
        `Cannot save skill "${name}": the state store failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return metadata!;
  }

  /** The principal whose private store `store` is; `""` for the shared one. */
  #owner(store: SkillStore): string {
    return store === this.#spaces.shared ? "" : this.#spaces.ownerOf(store) ?? "";
  }

  #store(principal: string): SkillStore {
    return principal === "" ? this.#spaces.shared : this.#spaces.store(principal);
  }

  /**
   * Stops listening and waits for running pulls.
   *
   * @returns Resolves once stopped.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener?.unlisten().catch(() => {});
    await Promise.all(this.#pulls.values());
  }

  /** Same as {@linkcode SkillMirror.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Writes statistics into a skill's folder, when the folder is there and they changed. */
async function writeStats(store: SkillStore, name: string, stats: unknown): Promise<void> {
  const folder = join(store.dir, name);
  if (!(await Deno.stat(folder).then(() => true, () => false))) return;
  const text = `${JSON.stringify(stats, null, 2)}\n`;
  const path = join(folder, "stats.json");
  if (await Deno.readTextFile(path).catch(() => undefined) === text) return;
  await writeFileAtomic(path, text);
}

/** The newest version a folder holds (0 when none). */
function localVersion(store: SkillStore, name: string): number {
  const record = store.read(name);
  return Math.max(0, record?.metadata?.version ?? 0, ...(record?.versions ?? []));
}
