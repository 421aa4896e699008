/**
 * {@linkcode SkillSpaces}: the shared skills and each principal's private ones, and which skill a principal gets by
 * a name.
 *
 * ```text
 * skills/<name>/                                  shared: every principal sees them; the default principal's own
 * principal-skills/<encoded id>/<name>/          private to one principal (see principal_folder.ts); a folder of
 *                                                 its own beside skills/, so that a sandbox that reads skills/
 *                                                 reads no one's private skills
 * ```
 *
 * A principal sees its own private skills and the shared ones, never another's private ones; its own private skill
 * wins over a shared one of the same name. The default principal (library use, stdio) has no private folder: its
 * skills are the shared ones, as before principals existed.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { DEFAULT_PRINCIPAL } from "../principal.ts";
import { LruCache } from "../lru_cache.ts";
import type { SkillRecord } from "./_read_record.ts";
import type { LoadedSkill, RecordedTool, SkillMetadata } from "./types.ts";
import type { SkillRows } from "../state/mod.ts";
import { principalFolders } from "./principal_folder.ts";
import { SkillMirror } from "./skill_mirror.ts";
import { parseStats, updateStats } from "./skill_stats.ts";
import type { TaskResult } from "../types.ts";
import {
  type CachedRecord,
  SKILL_STORE_DEFAULTS,
  SkillStore,
  type SkillStoreOptions,
} from "./skill_store.ts";

/** A skill a principal sees: the store it is in and whether that is the shared one. */
export interface VisibleSkill {
  name: string;
  store: SkillStore;
  shared: boolean;
  record: SkillRecord;
}

/**
 * The stores of one skills folder: the shared one and one per principal, sharing one bounded cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SkillSpaces } from "./skill_spaces.ts";
 * const dir = await Deno.makeTempDir();
 * const spaces = new SkillSpaces(`${dir}/skills`);
 * assert.equal(spaces.store("default"), spaces.shared);
 * assert.equal(spaces.store("team:ops").dir, `${dir}/principal-skills/team%3aops`);
 * ```
 */
export class SkillSpaces {
  /** The shared store: `skills/`. */
  readonly shared: SkillStore;
  #privateDir: string;
  #options: SkillStoreOptions & { cache: LruCache<string, CachedRecord> };
  #private = new Map<string, SkillStore>();
  /** The replica's copy of the shared rows, when there are any. */
  readonly mirror: SkillMirror | undefined;

  /**
   * @param dir The shared skills folder.
   * @param options The stores' lock timeout and limits (one cache of `cacheEntries` entries serves them all), and
   *   `privateDir`, the folder of the private skills (default: `principal-skills/` beside `dir`), and `rows`, the
   *   skills shared by replicas (a PostgreSQL state store's), which the folders are then a copy of.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   */
  constructor(
    dir: string,
    options: Omit<SkillStoreOptions, "cache"> & { privateDir?: string; rows?: SkillRows } = {},
  ) {
    const { privateDir, rows, ...storeOptions } = options;
    this.#privateDir = privateDir ?? join(dirname(dir), "principal-skills");
    const entries = options.cacheEntries ?? SKILL_STORE_DEFAULTS.cacheEntries;
    if (!Number.isInteger(entries) || entries < 1) {
      throw new RangeError(
        `Invalid skill option cacheEntries: expected a whole number of at least 1, got ${entries}`,
      );
    }
    this.#options = { ...storeOptions, cache: new LruCache(entries) };
    this.shared = new SkillStore(dir, this.#options);
    this.mirror = rows === undefined ? undefined : new SkillMirror(this, rows, {
      ...(options.maxVersions === undefined ? {} : { maxVersions: options.maxVersions }),
      ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    });
  }

  /**
   * Saves a version: through the shared rows when there are any (see {@linkcode SkillMirror.save}), else `save`.
   *
   * @param principal Who saves.
   * @param name The skill's name.
   * @param store The store `save` writes to.
   * @param save Saves the version into `store`.
   * @returns The saved version's metadata.
   */
  save(
    principal: string,
    name: string,
    store: SkillStore,
    save: () => Promise<SkillMetadata>,
  ): Promise<SkillMetadata> {
    return this.mirror === undefined ? save() : this.mirror.save(principal, name, store, save);
  }

  /**
   * The store a principal saves private skills into; the shared one for the default principal.
   *
   * @param principal The principal's id. Default: the default principal.
   * @returns The store.
   */
  store(principal: string = DEFAULT_PRINCIPAL): SkillStore {
    if (principal === DEFAULT_PRINCIPAL) return this.shared;
    let store = this.#private.get(principal);
    if (store === undefined) {
      store = new SkillStore(
        join(this.#privateDir, ...principalFolders(principal)),
        this.#options,
      );
      this.#private.set(principal, store);
    }
    return store;
  }

  /**
   * Whose private store `store` is.
   *
   * @param store A store of these spaces.
   * @returns The principal's id; `undefined` for the shared store (or one not of these spaces).
   */
  ownerOf(store: SkillStore): string | undefined {
    for (const [principal, own] of this.#private) if (own === store) return principal;
    return undefined;
  }

  /**
   * Adds a run to a skill's statistics: in the shared rows when there are any (runs on every replica count), else
   * in its `stats.json`.
   *
   * @param store The skill's store.
   * @param name The skill's name.
   * @param result The run's result.
   * @param record Records a tool the run called that the skill was not saved with.
   * @returns Resolves once written.
   */
  recordRun(
    store: SkillStore,
    name: string,
    result: TaskResult,
    record: (tool: string) => RecordedTool | undefined,
  ): Promise<void> {
    if (this.mirror === undefined) return store.recordRun(name, result, record);
    const known = store.read(name)?.metadata?.tools ?? [];
    return this.mirror.recordRun(
      store,
      name,
      (current) => updateStats(parseStats(current), result, { known, record }),
    );
  }

  /**
   * The skill a principal gets by a name: its own private one, else the shared one.
   *
   * @param name The skill's name.
   * @param principal The principal's id. Default: the default principal.
   * @returns The skill, or `undefined` when the principal sees none by that name.
   */
  find(name: string, principal: string = DEFAULT_PRINCIPAL): VisibleSkill | undefined {
    if (principal !== DEFAULT_PRINCIPAL) {
      const store = this.store(principal);
      const record = store.read(name);
      if (record !== undefined) return { name, store, shared: false, record };
    }
    const record = this.shared.read(name);
    return record === undefined ? undefined : { name, store: this.shared, shared: true, record };
  }

  /**
   * Where a skill imported by a skill of `store` is: a shared skill imports shared skills only; a private one its
   * owner's private skills first, then the shared ones.
   *
   * @param name The imported skill's name.
   * @param store The importing skill's store.
   * @returns The imported skill, or `undefined`.
   */
  findImport(name: string, store: SkillStore): VisibleSkill | undefined {
    if (store !== this.shared) {
      const record = store.read(name);
      if (record !== undefined) return { name, store, shared: false, record };
    }
    const record = this.shared.read(name);
    return record === undefined ? undefined : { name, store: this.shared, shared: true, record };
  }

  /**
   * Where a skill imported by a skill of `store` is (see {@linkcode SkillSpaces.findImport}), for `SaveContext`.
   *
   * @param name The imported skill's name.
   * @param store The importing skill's store.
   * @returns Its folder, and whether it can be used (it exists and is not broken).
   */
  importFolder(name: string, store: SkillStore): { folder: string; usable: boolean } {
    const found = this.findImport(name, store);
    return found === undefined
      ? { folder: join(store.dir, name), usable: false }
      : { folder: join(found.store.dir, name), usable: found.record.metadata !== undefined };
  }

  /**
   * Every skill a principal sees, sorted by name.
   *
   * @param principal The principal's id. Default: the default principal.
   * @returns The skills.
   */
  visible(principal: string = DEFAULT_PRINCIPAL): VisibleSkill[] {
    const names = new Set(this.shared.names());
    const own = principal === DEFAULT_PRINCIPAL ? [] : this.store(principal).names();
    for (const name of own) names.add(name);
    return [...names].sort().flatMap((name) => this.find(name, principal) ?? []);
  }

  /**
   * The tools a run of a skill needs, its own and those of the skills it imports (transitively, resolved as its
   * saved files resolve them), with their definitions as recorded.
   *
   * @param skill The loaded skill.
   * @param store Its store.
   * @returns The tools, sorted, and their recorded definitions by `server.tool`.
   */
  runTools(
    skill: LoadedSkill,
    store: SkillStore,
  ): { tools: string[]; recorded: Record<string, RecordedTool> } {
    const { name } = skill.metadata;
    const stats = store.read(name)?.stats;
    const tools = new Set([...skill.metadata.tools, ...(stats?.toolsCalled ?? [])]);
    const recorded = { ...stats?.observedTools, ...skill.recordedTools };
    const seen = new Set([join(store.dir, name)]);
    const queue: Array<[string, SkillStore]> = skill.metadata.skills.map((dep) => [dep, store]);
    while (queue.length > 0) {
      const [dep, from] = queue.shift()!;
      const found = this.findImport(dep, from);
      if (found === undefined || seen.has(join(found.store.dir, dep))) continue;
      seen.add(join(found.store.dir, dep));
      const { metadata, stats } = found.record;
      if (metadata === undefined) continue;
      for (const tool of [...metadata.tools, ...stats.toolsCalled]) tools.add(tool);
      Object.assign(recorded, stats.observedTools, found.record.recordedTools);
      queue.push(...metadata.skills.map((d): [string, SkillStore] => [d, found.store]));
    }
    return { tools: [...tools].sort(), recorded };
  }
}
