/**
 * {@linkcode SkillStore}: the skills folder on disk, with versions, atomic saves and run statistics.
 *
 * ```text
 * skills/<name>/SKILL.md            front matter and usage text (the current version)
 * skills/<name>/skill.ts            the program (the current version)
 * skills/<name>/tools.json          the definitions of the tools it uses, as they were at save time
 * skills/<name>/stats.json          run statistics
 * skills/<name>/versions/<n>/       every version's SKILL.md, skill.ts and tools.json, the current one included
 * ```
 *
 * A save writes the new version into a temporary folder under `versions/` and renames it to `versions/<n>`, then
 * replaces the current files one by one, `SKILL.md` last. A crash before the rename leaves the previous version as it
 * was; a crash after it leaves a complete `versions/<n>`, which readers take as current and the next load or save
 * copies into place. Saves of one skill take turns through a lock folder; a lock whose process died is taken over.
 *
 * @module
 */

import { join, relative } from "node:path";
import { parseToolRef } from "../tool_ref.ts";
import { fileSystemError, lockFolder, readTextIfExists, writeFileAtomic } from "./_fs.ts";
import { removeEmptyFolders } from "./_fs.ts";
import { checkSaveInput } from "./_save_input.ts";
import {
  analyzeSkillCode,
  checkSkillModule,
  rebaseSkillModule,
  renderSkillModule,
  type SkillCodeInfo,
} from "./skill_code.ts";
import { parseSkillMd, renderSkillMd } from "./skill_md.ts";
import { checkSkillName } from "./skill_name.ts";
import { parseStats, updateStats } from "./skill_stats.ts";
import { readRecord, type SkillRecord } from "./_read_record.ts";
import { FILES, pruneVersions, writeVersion } from "./_version_folder.ts";
import {
  type CachedRecord,
  type SaveContext,
  SKILL_STORE_DEFAULTS,
  type SkillStoreOptions,
  storeLimit,
} from "./skill_store_options.ts";
import { LruCache } from "../lru_cache.ts";

export type { CachedRecord, SaveContext, SkillRecord, SkillStoreOptions };
export { SKILL_STORE_DEFAULTS };
import { renderSkillBody } from "./skill_usage.ts";
import { recordTool } from "./tool_changes.ts";
import type { LoadedSkill, RecordedTool, SaveSkillInput, SkillMetadata } from "./types.ts";
import * as Py from "./python_skill.ts";

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The skills folder: saves versions atomically, reads them back, and keeps run statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SkillStore } from "./skill_store.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new SkillStore(`${dir}/skills`);
 * await store.save("add-numbers", { description: "Adds two numbers", code: "return args.a + args.b;" }, {
 *   servers: [], serversDir: `${dir}/servers`, currentTools: () => undefined,
 * });
 * assert.equal(store.read("add-numbers")?.metadata?.version, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SkillStore {
  #dir: string;
  #lockTimeoutMs: number;
  #maxVersions: number;
  #maxCodeBytes: number;
  #cache: LruCache<string, CachedRecord>;
  #statsWrites = new Map<string, Promise<void>>();

  /**
   * @param dir The skills folder (created on the first save).
   * @param options The lock timeout and the limits; see {@linkcode SkillStoreOptions}.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   */
  constructor(dir: string, options: SkillStoreOptions = {}) {
    this.#dir = dir;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? SKILL_STORE_DEFAULTS.lockTimeoutMs;
    this.#maxVersions = storeLimit("maxVersions", options.maxVersions);
    this.#maxCodeBytes = storeLimit("maxCodeBytes", options.maxCodeBytes);
    this.#cache = options.cache ?? new LruCache(storeLimit("cacheEntries", options.cacheEntries));
  }

  /** The skills folder. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * The names of the folders that hold a skill, sorted.
   *
   * @returns Folder names (hidden folders and files are skipped).
   */
  names(): string[] {
    const names: string[] = [];
    try {
      for (const entry of Deno.readDirSync(this.#dir)) {
        if (entry.isDirectory && !entry.name.startsWith(".")) names.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names.sort();
  }

  /**
   * Saves a new version of a skill; see the module doc for how.
   *
   * @param name The skill's name.
   * @param input Description, code, tags, params and extra tools.
   * @param context The connected servers and the `servers/` folder.
   * @returns The saved version's metadata.
   * @throws {TypeError} When the name, description, tags, params or a tool is invalid, or an imported skill is missing.
   * @throws {SyntaxError} When the code does not parse (with line and column) or imports what a skill may not.
   */
  async save(name: string, input: SaveSkillInput, context: SaveContext): Promise<SkillMetadata> {
    checkSkillName(name);
    const what = `Cannot save skill "${name}"`;
    const checked = checkSaveInput(input, what, {
      maxCodeBytes: this.#maxCodeBytes,
      ...(context.placeholders === undefined ? {} : { placeholders: context.placeholders }),
    });
    let info: SkillCodeInfo;
    const python = input.language === "python"; // issue 21: a Python skill (python_skill.ts)
    try {
      if (python) info = Py.analyzePythonSkill(checked.code, context.servers);
      else info = analyzeSkillCode(checked.code, context.servers);
    } catch (error) {
      throw new SyntaxError(`${what}: ${errorText(error)}`, { cause: error });
    }
    try {
      if (!python) context.screen?.(checked.code);
    } catch (error) {
      throw new TypeError(`${what}: ${errorText(error)}`, { cause: error });
    }
    const folder = join(this.#dir, name);
    const skillPaths: Record<string, string> = {};
    for (const skill of info.skills) {
      if (skill === name) throw new TypeError(`${what}: it imports itself`);
      const found = context.findSkill?.(skill) ??
        { folder: join(this.#dir, skill), usable: this.read(skill)?.metadata !== undefined };
      if (!found.usable) {
        throw new TypeError(
          `${what}: it imports skill "${skill}", which does not exist or is broken`,
        );
      }
      skillPaths[skill] = relative(folder, found.folder).replaceAll("\\", "/");
    }
    const tools = [...new Set([...info.tools, ...checked.tools])].sort();
    const recordedTools: Record<string, RecordedTool> = {};
    const serverNames = context.servers.map((s) => s.name);
    for (const tool of tools) {
      // A server that is not configured reads as one that is not connected.
      const ref = parseToolRef(tool, serverNames) ?? parseToolRef(tool);
      if (ref === undefined) throw new TypeError(`${what}: invalid tool "${tool}"`);
      const list = context.currentTools(ref.server);
      if (list === undefined) {
        throw new TypeError(`${what}: server "${ref.server}" is not connected`);
      }
      if (ref.tool === undefined) continue;
      const found = list.find((t) => t.name === ref.tool);
      if (found === undefined) {
        throw new TypeError(`${what}: server "${ref.server}" has no tool "${ref.tool}"`);
      }
      recordedTools[tool] = recordTool(found);
    }
    const namespaces = context.servers.filter((s) => info.namespaces.includes(s.name));
    // A failed save of a new skill (a full disk) removes the folders it made, so no broken skill is listed.
    const created = !(await Deno.stat(folder).then(() => true, () => false));
    let saved = false;
    const abandon = () =>
      created && !saved ? removeEmptyFolders(join(folder, "versions"), folder) : undefined;
    const lock = await Deno.mkdir(join(folder, "versions"), { recursive: true })
      .then(() =>
        lockFolder(folder, { timeoutMs: this.#lockTimeoutMs, what: `save skill "${name}"` })
      )
      .catch(async (error) => {
        await abandon();
        throw fileSystemError(what, error);
      });
    try {
      await this.#finishInterrupted(name);
      const record = this.read(name);
      const refusal = record?.metadata === undefined
        ? undefined
        : context.mayOverwrite?.(record.metadata);
      if (refusal !== undefined) throw new TypeError(`${what}: ${refusal}`);
      const author = context.keepAuthor === true && record?.metadata !== undefined
        ? record.metadata.author
        : context.author;
      let version = Math.max(0, record?.metadata?.version ?? 0, ...(record?.versions ?? [])) + 1;
      while (true) {
        const metadata: SkillMetadata = {
          name,
          description: checked.description,
          version,
          tags: checked.tags,
          params: checked.params,
          tools,
          toolHashes: Object.fromEntries(
            Object.entries(recordedTools).map(([k, v]) => [k, v.sha256]),
          ),
          skills: info.skills,
          savedAt: new Date().toISOString(),
          ...(author === undefined ? {} : { author }),
        };
        const liveModule = python
          ? Py.renderPythonSkillModule(checked.code, { name, version })
          : renderSkillModule(info, {
            name,
            version,
            serversPath: relative(folder, context.serversDir).replaceAll("\\", "/"),
            skillsPath: "..",
            skillPaths,
            namespaces,
          });
        const files = {
          "SKILL.md": renderSkillMd(
            metadata,
            python ? Py.renderPythonSkillBody(metadata) : renderSkillBody(metadata),
          ),
          "skill.ts": liveModule,
          "tools.json": `${JSON.stringify(recordedTools, null, 2)}\n`,
        };
        if (await writeVersion(folder, version, files, liveModule)) {
          for (const file of FILES) await writeFileAtomic(join(folder, file), files[file]);
          if (python) await writeFileAtomic(join(folder, Py.PYTHON_SKILL_FILE), checked.code);
          saved = true;
          await pruneVersions(folder, { current: version, keep: this.#maxVersions });
          return metadata;
        }
        version++;
      }
    } catch (error) {
      throw fileSystemError(what, error);
    } finally {
      this.#cache.delete(folder);
      await lock.release();
      await abandon();
    }
  }

  /** Copies the newest complete version into place when a save stopped after writing it (call under the lock). */
  async #finishInterrupted(name: string): Promise<void> {
    const record = this.read(name);
    if (record === undefined || !record.stale) return;
    const folder = join(this.#dir, name);
    const newest = join(folder, "versions", String(record.versions.at(-1)));
    for (const file of FILES) {
      const text = await Deno.readTextFile(join(newest, file)).catch(() => undefined);
      if (text === undefined) continue;
      await writeFileAtomic(
        join(folder, file),
        file === "skill.ts" ? rebaseSkillModule(text, newest, folder) : text,
      );
    }
    this.#cache.delete(folder);
  }

  /**
   * Reads a skill's current version (synchronously, cached until its files change).
   *
   * @param name The skill's name.
   * @returns The record, or `undefined` when there is no such skill.
   */
  read(name: string): SkillRecord | undefined {
    const folder = join(this.#dir, name);
    // Every write replaces a file by renaming, which changes the folder (or versions/) and the file's inode; hand
    // edits of SKILL.md and skill.ts change their mtime or size.
    const key = ["", "SKILL.md", "skill.ts", "versions"]
      .map((file) => {
        try {
          const info = Deno.statSync(join(folder, file));
          return `${info.mtime?.getTime()}:${info.size}:${info.ino}`;
        } catch {
          return "-";
        }
      })
      .join("|");
    const cached = this.#cache.get(folder);
    if (cached?.key === key) return cached.record;
    const record = readRecord(this.#dir, name);
    // Names that hold no skill are not cached: asking for many missing names must not fill the cache.
    if (record === undefined) this.#cache.delete(folder);
    else this.#cache.set(folder, { key, record });
    return record;
  }

  /**
   * Loads a version of a skill: its files, metadata and the list of versions. A save that was cut short after its
   * version was complete is finished first.
   *
   * @param name The skill's name.
   * @param options `version`: an older version. Default: the current one.
   * @returns The loaded skill.
   * @throws {TypeError} When there is no such skill.
   * @throws {RangeError} When there is no such version.
   * @throws {Error} When the skill is broken; the message names the file and the reason.
   */
  async load(name: string, options: { version?: number } = {}): Promise<LoadedSkill> {
    checkSkillName(name);
    let record = this.read(name);
    if (record?.stale) {
      const lock = await lockFolder(join(this.#dir, name), {
        timeoutMs: this.#lockTimeoutMs,
        what: `load skill "${name}"`,
      });
      try {
        await this.#finishInterrupted(name);
      } finally {
        await lock.release();
      }
      record = this.read(name);
    }
    if (record === undefined) throw new TypeError(`Unknown skill "${name}"`);
    const current = record.metadata?.version;
    const version = options.version ?? current;
    if (options.version === undefined || options.version === current) {
      if (record.problem !== undefined || record.metadata === undefined) {
        const problem = record.problem ?? { file: `${name}/SKILL.md`, reason: "unreadable" };
        throw new Error(`Cannot load skill "${name}": ${problem.file}: ${problem.reason}`);
      }
    }
    if (version === undefined || !record.versions.includes(version) && version !== current) {
      throw new RangeError(
        `Cannot load skill "${name}": it has no version ${version} (versions: ${
          record.versions.join(", ")
        })${
          version !== undefined && version < (record.versions[0] ?? 0)
            ? `: older versions are removed, the last ${this.#maxVersions} are kept (option maxVersions, skillMaxVersions in the orchestrator)`
            : ""
        }`,
      );
    }
    const dir = version === current
      ? join(this.#dir, name)
      : join(this.#dir, name, "versions", String(version));
    const skillMd = await Deno.readTextFile(join(dir, "SKILL.md"));
    const skillTs = await Deno.readTextFile(join(dir, "skill.ts"));
    const what = `Cannot load skill "${name}" version ${version}`;
    let metadata: SkillMetadata;
    try {
      metadata = parseSkillMd(skillMd, name).metadata;
      checkSkillModule(skillTs);
    } catch (error) {
      throw new Error(`${what}: ${errorText(error)}`, { cause: error });
    }
    const tools = readTextIfExists(join(dir, "tools.json"));
    return {
      metadata,
      files: { "SKILL.md": skillMd, "skill.ts": skillTs },
      versions: record.versions,
      dir,
      recordedTools: tools === undefined ? {} : JSON.parse(tools),
    };
  }

  /**
   * Adds a run to a skill's `stats.json` (writes of one skill are queued; each is atomic).
   *
   * @param name The skill's name.
   * @param result The run's result.
   * @param record Records a tool the run called that the skill was not saved with.
   * @returns Resolves once written.
   */
  recordRun(
    name: string,
    result: import("../types.ts").TaskResult,
    record: (tool: string) => RecordedTool | undefined,
  ): Promise<void> {
    const previous = this.#statsWrites.get(name) ?? Promise.resolve();
    const next = previous.then(async () => {
      const path = join(this.#dir, name, "stats.json");
      const stats = parseStats(await Deno.readTextFile(path).catch(() => undefined));
      const known = this.read(name)?.metadata?.tools ?? [];
      const updated = updateStats(stats, result, { known, record });
      await writeFileAtomic(path, `${JSON.stringify(updated, null, 2)}\n`);
      this.#cache.delete(join(this.#dir, name));
    });
    const settled = next.catch(() => {});
    this.#statsWrites.set(name, settled);
    settled.then(() => {
      if (this.#statsWrites.get(name) === settled) this.#statsWrites.delete(name);
    });
    return next;
  }
}
