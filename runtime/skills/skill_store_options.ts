/**
 * The options of `SkillStore` and what one save is given: the servers, the saver, and the checks.
 *
 * @module
 */

import type { Tool } from "../sdk.ts";
import type { LruCache } from "../lru_cache.ts";
import type { SkillRecord } from "./_read_record.ts";
import type { SkillServer } from "./skill_code.ts";
import type { SkillMetadata } from "./types.ts";

/** What a save needs to know: the servers, who saves, and what to check. */
export interface SaveContext {
  /** The configured servers (a server that is not connected has no tools). */
  servers: readonly SkillServer[];
  /** The generated `servers/` folder, absolute. */
  serversDir: string;
  /** A server's current tools; `undefined` when it is not connected. */
  currentTools(server: string): readonly Tool[] | undefined;
  /** Checks the code before it is saved (the pattern blocker); throws to refuse it. */
  screen?(code: string): void;
  /** The privacy vault's placeholders; code, description, tags and params holding one are refused. */
  placeholders?: RegExp;
  /** The principal saving, recorded as the version's `author`; absent for the default principal. */
  author?: string;
  /**
   * Keep the current version's author (absent: the default principal) instead of `author`: a shared skill stays its
   * author's when an admin saves a new version of it. Default `false`.
   */
  keepAuthor?: boolean;
  /**
   * Whether the saver may save a new version over the current one (checked under the skill's lock); returns why
   * not, or `undefined` to go on. Default: always.
   */
  mayOverwrite?(current: SkillMetadata): string | undefined;
  /**
   * Where a skill this one imports is: its folder, and whether it can be used. Default: in this store. A private
   * skill finds its owner's private skills first, then the shared ones.
   */
  findSkill?(name: string): { folder: string; usable: boolean };
}

/** Options of the `SkillStore` constructor. */
export interface SkillStoreOptions {
  /** How long a save waits for another save of the same skill, in milliseconds. Default 10,000. */
  lockTimeoutMs?: number;
  /** How many versions are kept per skill; older ones are removed on save, never the current one. Default 50. */
  maxVersions?: number;
  /** The most bytes of code a skill may have. Default 262,144 (256 KiB). */
  maxCodeBytes?: number;
  /**
   * The cache of read skills, keyed by folder: several stores (the shared one and each principal's) may share one.
   * Default: a cache of its own with `cacheEntries` entries.
   */
  cache?: LruCache<string, CachedRecord>;
  /** How many read skills a cache of its own keeps. Default 1,000. */
  cacheEntries?: number;
}

/** A cached read of a skill folder, valid while the folder's files are unchanged. */
export interface CachedRecord {
  /** The files' modification times, sizes and inodes when read. */
  key: string;
  record: SkillRecord;
}

/** The defaults of `SkillStoreOptions`. */
export const SKILL_STORE_DEFAULTS = {
  lockTimeoutMs: 10_000,
  maxVersions: 50,
  maxCodeBytes: 256 * 1024,
  cacheEntries: 1_000,
} as const;

/**
 * Checks a limit of `SkillStoreOptions`, or gives its default.
 *
 * @param name The option.
 * @param value Its value, if given.
 * @returns The limit.
 * @throws {RangeError} When it is not a whole number of at least 1.
 */
export function storeLimit(
  name: "maxVersions" | "maxCodeBytes" | "cacheEntries",
  value: number | undefined,
): number {
  const chosen = value ?? SKILL_STORE_DEFAULTS[name];
  if (!Number.isInteger(chosen) || chosen < 1) {
    throw new RangeError(
      `Invalid skill option ${name}: expected a whole number of at least 1, got ${value}`,
    );
  }
  return chosen;
}
