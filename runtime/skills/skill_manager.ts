/**
 * {@linkcode SkillManager}: saving, finding, running and watching skills, for `MCPOrchestrator` and the daemon.
 *
 * @module
 */

import { join } from "node:path";
import { DEFAULT_PRINCIPAL, validatePrincipalId } from "../principal.ts";
import { parseToolRef } from "../tool_ref.ts";
import type { AgentTask, TaskResult } from "../types.ts";
import { LruCache } from "../lru_cache.ts";
import { checkSkillArgs } from "./skill_args.ts";
import { SKILL_NAME_RE } from "./skill_name.ts";
import { skillHitLine, SkillIndex, type SkillSearchHit } from "./skill_index.ts";
import {
  listSkillResources,
  readSkillResource,
  type SkillResource,
  type SkillResourceContent,
} from "./skill_resources.ts";
import type { SaveContext, SkillStore } from "./skill_store.ts";
import { SkillSpaces } from "./skill_spaces.ts";
import { compareTools, recordTool } from "./tool_changes.ts";
import type {
  JsonSchema,
  LoadedSkill,
  SaveSkillInput,
  SkillMetadata,
  SkillSummary,
  ToolChange,
} from "./types.ts";
import { overwriteRefusal, savePlan } from "./save_rights.ts";
import { summarize } from "./_summarize.ts";
import { skillTask } from "./_skill_task.ts";
import type {
  BreakingChangePolicy,
  ExecuteSkillOptions,
  SaveSkillFromTaskOptions,
  SaveSkillOptions,
  SkillHost,
  SkillManagerOptions,
  SkillReadOptions,
} from "./skill_manager_options.ts";

/** How many completed tasks are remembered for `saveFromTask`. */
const REMEMBERED_TASKS = 100;

/** How many principals' search indexes are kept. */
const SEARCH_INDEXES = 32;

/**
 * Skills for one orchestrator: the store on disk, the search index, run statistics and compatibility checks.
 *
 * @example The orchestrator's skills
 * ```ts
 * import { MCPOrchestrator, SkillManager } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const skills: SkillManager = orch.skills;
 * await skills.save("count-words", { description: "Counts the words of a text", code: "return args.text.split(/\\s+/).length;" });
 * assert.equal((await skills.execute("count-words", { text: "one two three" })).data, 3);
 * ```
 */
export class SkillManager {
  #spaces: SkillSpaces;
  #host: SkillHost;
  #policy: BreakingChangePolicy;
  #indexes = new LruCache<string, SkillIndex>(SEARCH_INDEXES);
  #tasks = new LruCache<string, { code: string; toolsCalled: string[]; principal: string }>(
    REMEMBERED_TASKS,
  );

  /**
   * Creates the manager of one skills folder.
   *
   * @param host The orchestrator's side: servers, tools, how tasks run.
   * @param options The skills folder, `onBreakingChange` (default `"fail"`), how long a save waits for another
   *   save's lock (default 10,000 ms) and the limits: `maxVersions` (50), `maxCodeBytes` (256 KiB), `cacheEntries`
   *   (1,000).
   * @throws {TypeError} When the policy is not `"fail"` or `"warn"`.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   */
  constructor(host: SkillHost, options: SkillManagerOptions) {
    const policy = options.onBreakingChange;
    if (policy !== undefined && !["fail", "warn"].includes(policy)) {
      throw new TypeError(
        `Invalid skill policy ${JSON.stringify(policy)}: expected "fail" or "warn"`,
      );
    }
    const { dir: _dir, onBreakingChange: _policy, ...spaceOptions } = options;
    this.#spaces = new SkillSpaces(options.dir, spaceOptions);
    this.#host = host;
    this.#policy = options.onBreakingChange ?? "fail";
  }

  /** The skills folder. */
  get dir(): string {
    return this.#spaces.shared.dir;
  }

  /**
   * The folder a principal's own skills are in: its private folder, or the shared one for the default principal.
   *
   * @param principal The principal's id. Default: the default principal.
   * @returns The folder, absolute when `dir` is.
   */
  dirOf(principal: string = DEFAULT_PRINCIPAL): string {
    return this.#spaces.store(validatePrincipalId(principal)).dir;
  }

  /**
   * The folder of the private skill a principal's code gets when it imports `skills/<name>/...`, for the sandbox to
   * resolve the import to; `undefined` when that is the shared one (or none).
   *
   * @param name The skill's name as imported.
   * @param principal The principal's id. Default: the default principal.
   * @returns The folder, or `undefined`.
   */
  privateFolder(name: string, principal: string = DEFAULT_PRINCIPAL): string | undefined {
    if (principal === DEFAULT_PRINCIPAL || !SKILL_NAME_RE.test(name)) return undefined;
    const found = this.#spaces.find(name, principal);
    return found === undefined || found.shared ? undefined : join(found.store.dir, name);
  }

  /**
   * Remembers a completed task, so that {@linkcode SkillManager.saveFromTask} can save it (the last 100 are kept).
   *
   * @param task The task.
   * @param result Its result; only completed tasks are remembered.
   */
  remember(task: AgentTask, result: TaskResult): void {
    if (result.status !== "completed") return;
    this.#tasks.set(task.id, {
      code: task.code,
      toolsCalled: [...result.stats.toolsCalled],
      principal: task.principal ?? DEFAULT_PRINCIPAL,
    });
  }

  /**
   * Saves a skill: a new version, atomically, into the saver's private skills or the shared ones (see
   * {@linkcode SaveSkillOptions} for who may save what). See `SkillStore.save`.
   *
   * @param name 1 to 64 lowercase letters, digits and single hyphens.
   * @param input Description, code, tags, params schema and extra tools.
   * @param options Who saves, and `shared`.
   * @returns The saved version's metadata.
   * @throws {TypeError} When an input is invalid (the message names it), holds a privacy placeholder, the code is
   *   blocked, or the saver may not share it or overwrite the shared skill.
   * @throws {RangeError} When the code is over `maxCodeBytes`.
   * @throws {SyntaxError} When the code does not parse (the message names the line and column).
   */
  async save(
    name: string,
    input: SaveSkillInput,
    options: SaveSkillOptions = {},
  ): Promise<SkillMetadata> {
    const { who, shared } = savePlan(name, options);
    const store = shared ? this.#spaces.shared : this.#spaces.store(who.id);
    const context: SaveContext = {
      servers: this.#host.servers(),
      serversDir: this.#host.serversDir,
      currentTools: (server) => this.#host.currentTools(server),
      ...(this.#host.screen === undefined ? {} : { screen: this.#host.screen }),
      ...(this.#host.placeholders === undefined ? {} : { placeholders: this.#host.placeholders }),
      ...(who.id === DEFAULT_PRINCIPAL ? {} : { author: who.id }),
      findSkill: (dep) => this.#spaces.importFolder(dep, store),
    };
    if (shared) {
      context.keepAuthor = true;
      context.mayOverwrite = (current) => overwriteRefusal(who, current);
    }
    return await this.#spaces.save(who.id, name, store, () => store.save(name, input, context));
  }

  /**
   * With shared rows (option `rows`): brings the folders up to date with every replica's saves and follows them.
   *
   * @returns What stops following (see `SkillMirror`); without rows there is nothing to follow.
   */
  async follow(): Promise<AsyncDisposable> {
    return await this.#spaces.mirror?.start() ?? { [Symbol.asyncDispose]: () => Promise.resolve() };
  }

  /**
   * Saves a task that completed as a skill, with the tools it really called.
   *
   * @param taskId The task's id.
   * @param name The skill's name.
   * @param options Description, and optionally tags and params.
   * @returns The saved version's metadata.
   * @throws {TypeError} When no completed task with that id is remembered, or an input is invalid.
   */
  async saveFromTask(
    taskId: string,
    name: string,
    options: SaveSkillFromTaskOptions,
  ): Promise<SkillMetadata> {
    const { principal, shared, ...input } = options;
    const task = this.#tasks.get(taskId);
    // Another principal's task is as unknown as a forgotten one: its code is not the saver's to keep.
    if (task === undefined || task.principal !== savePlan(name, { principal }).who.id) {
      throw new TypeError(
        `Cannot save skill "${name}" from task "${taskId}": no completed task with that id (the last ${REMEMBERED_TASKS} are kept)`,
      );
    }
    const code = task.code;
    const tools = [...new Set([...(options.tools ?? []), ...task.toolsCalled])];
    return await this.save(name, { ...input, code, tools }, {
      ...(principal === undefined ? {} : { principal }),
      ...(shared === undefined ? {} : { shared }),
    });
  }

  /**
   * Every skill with its health: `broken` ones with the file and the reason, `breaking` and `changed` ones with
   * what changed in their tools since they were saved. A principal sees its own private skills and the shared ones.
   *
   * @param options Who asks.
   * @returns The skills, sorted by name.
   */
  list(options: SkillReadOptions = {}): SkillSummary[] {
    return this.#collect(options.principal).map(([summary]) => summary);
  }

  #collect(principal: string | undefined): Array<[SkillSummary, JsonSchema]> {
    const servers = this.#serverNames();
    return this.#spaces.visible(principal).map((skill) =>
      summarize(skill, (server) => this.#host.currentTools(server), servers)
    );
  }

  /**
   * Finds skills by what they do, ranked like tool search; a skill that keeps failing, or whose tools changed
   * incompatibly, ranks below one that works. Broken skills are left out.
   *
   * @param query Free text.
   * @param options `limit` (default 10), and who asks (its private skills and the shared ones are searched).
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string.
   */
  search(query: string, options: { limit?: number } & SkillReadOptions = {}): SkillSearchHit[] {
    const principal = options.principal ?? DEFAULT_PRINCIPAL;
    const collected = this.#collect(principal);
    let index = this.#indexes.get(principal);
    if (index === undefined) {
      index = new SkillIndex();
      this.#indexes.set(principal, index);
    }
    index.update(
      collected.map(([summary]) => summary),
      new Map(collected.map(([summary, params]) => [summary.name, params])),
    );
    return index.search(query, options.limit === undefined ? {} : { limit: options.limit });
  }

  /**
   * Like {@linkcode SkillManager.search}, as the compact text a model reads (what the daemon's `search_tools` adds
   * to its tool hits): one line a skill, marked `skill`, with its import line, description, arguments and health.
   *
   * @param query Free text.
   * @param options `limit` (default 5), and who asks.
   * @returns The lines, or `""` when nothing matches.
   */
  searchText(query: string, options: { limit?: number } & SkillReadOptions = {}): string {
    const hits = this.search(query, { ...options, limit: options.limit ?? 5 });
    return hits.map(skillHitLine).join("\n");
  }

  /**
   * Loads a skill's files, metadata and versions.
   *
   * @param name The skill's name.
   * @param options `version`: an older version; who asks (its own private skill wins over a shared one).
   * @returns The loaded skill.
   * @throws {TypeError} When there is no such skill.
   * @throws {RangeError} When there is no such version.
   * @throws {Error} When the skill is broken (the message names the file and the reason).
   */
  load(name: string, options: { version?: number } & SkillReadOptions = {}): Promise<LoadedSkill> {
    const store = this.#storeOf(name, options.principal);
    return store.load(name, options.version === undefined ? {} : { version: options.version });
  }

  /** The store a principal gets a skill from; the shared one when it sees none (whose load then says so). */
  #storeOf(name: string, principal: string | undefined): SkillStore {
    return this.#spaces.find(name, principal)?.store ?? this.#spaces.shared;
  }

  #serverNames(): string[] {
    return this.#host.servers().map((s) => s.name);
  }

  /**
   * Runs a skill as a task: checks `args` against its params schema, checks its tools for incompatible changes (the
   * policy decides: refuse or warn), runs it with its tools (and those of the skills it imports) as
   * `requiredTools`, and adds the run to its statistics.
   *
   * @param name The skill's name.
   * @param args Its arguments.
   * @param options An older `version`, the task's id, timeout, abort signal, session and principal (whose private
   *   skill of that name wins over a shared one).
   * @returns The task's result. A refusal for incompatible tools is a failed result with code
   *   `"skill_incompatible"`.
   * @throws {TypeError} When there is no such skill, or the arguments do not match (the message names the field).
   * @throws {RangeError} When there is no such version.
   * @throws {Error} When the skill is broken (the message names the file and the reason).
   */
  async execute(
    name: string,
    args: unknown,
    options: ExecuteSkillOptions = {},
  ): Promise<TaskResult> {
    const principal = options.principal ?? DEFAULT_PRINCIPAL;
    validatePrincipalId(principal);
    const store = this.#storeOf(name, principal);
    const skill = await store.load(
      name,
      options.version === undefined ? {} : { version: options.version },
    );
    const { metadata } = skill;
    checkSkillArgs(name, metadata.params, args ?? {});
    const { tools, recorded } = this.#spaces.runTools(skill, store);
    const changes = compareTools(
      tools,
      recorded,
      (s) => this.#host.currentTools(s),
      this.#serverNames(),
    );
    const breaking = changes.filter((c) => c.kind === "breaking");
    const task = skillTask(skill, {
      args,
      tools,
      current: skill.dir === join(store.dir, name),
      ...options,
    });
    const changeText = (list: ToolChange[]) => list.map((c) => `${c.tool}: ${c.change}`).join("; ");
    let result: TaskResult;
    if (breaking.length > 0 && this.#policy === "fail") {
      result = await this.#host.refuse(task, {
        name: "SkillError",
        code: "skill_incompatible",
        message: `Cannot run skill "${name}": tools it uses changed since it was saved: ${
          changeText(breaking)
        }`,
      });
    } else {
      result = await this.#host.runTask(task);
      if (breaking.length > 0) {
        result.warnings = [
          ...(result.warnings ?? []),
          `skill "${name}": tools it uses changed since it was saved: ${changeText(breaking)}`,
        ];
      }
    }
    const servers = this.#serverNames();
    await this.#spaces.recordRun(store, name, result, (tool) => {
      const ref = parseToolRef(tool, servers);
      const found = ref?.tool === undefined
        ? undefined
        : this.#host.currentTools(ref.server)?.find((t) => t.name === ref.tool);
      return found === undefined ? undefined : recordTool(found);
    }).catch(() => {
      // Statistics are best effort: a read-only skills folder must not fail the run.
    });
    return result;
  }

  /**
   * The skills as MCP resources: `skill://index.json`, then `skill://<name>/SKILL.md` and `skill://<name>/skill.ts`
   * for each skill a principal sees.
   *
   * @param options Who asks.
   * @returns The resource list.
   */
  listResources(options: SkillReadOptions = {}): SkillResource[] {
    return listSkillResources(this.list(options));
  }

  /**
   * Reads a skill resource.
   *
   * @param uri A URI from {@linkcode SkillManager.listResources}.
   * @param options Who asks: another principal's private skill is as unknown as a missing one.
   * @returns The text and its MIME type.
   * @throws {TypeError} When the URI names no skill file the principal sees.
   */
  readResource(uri: string, options: SkillReadOptions = {}): Promise<SkillResourceContent> {
    return readSkillResource(
      (name) => {
        const found = this.#spaces.find(name, options.principal);
        return found === undefined ? undefined : join(found.store.dir, name);
      },
      uri,
      uri === "skill://index.json" ? this.list(options) : [],
    );
  }
}
