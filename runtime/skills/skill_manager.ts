/**
 * {@linkcode SkillManager}: saving, finding, running and watching skills, for `MCPOrchestrator` and the daemon.
 *
 * @module
 */

import { join } from "node:path";
import { DEFAULT_PRINCIPAL, type Principal, validatePrincipalId } from "../principal.ts";
import { parseToolRef } from "../tool_ref.ts";
import type { AgentTask, TaskResult } from "../types.ts";
import { LruCache } from "./_lru_cache.ts";
import { checkSkillArgs } from "./skill_args.ts";
import { SKILL_NAME_RE } from "./skill_name.ts";
import { SkillIndex, type SkillSearchHit } from "./skill_index.ts";
import {
  listSkillResources,
  readSkillResource,
  type SkillResource,
  type SkillResourceContent,
} from "./skill_resources.ts";
import type { SaveContext, SkillStore } from "./skill_store.ts";
import { SkillSpaces, type VisibleSkill } from "./skill_spaces.ts";
import { compareTools, recordTool } from "./tool_changes.ts";
import type {
  JsonSchema,
  LoadedSkill,
  SaveSkillInput,
  SkillMetadata,
  SkillSummary,
  ToolChange,
} from "./types.ts";
import { publicStats } from "./skill_stats.ts";
import type {
  BreakingChangePolicy,
  ExecuteSkillOptions,
  SaveSkillFromTaskOptions,
  SaveSkillOptions,
  SkillHost,
  SkillManagerOptions,
} from "./skill_manager_options.ts";

/** How many completed tasks are remembered for `saveFromTask`. */
const REMEMBERED_TASKS = 100;

/** How many principals' search indexes are kept. */
const SEARCH_INDEXES = 32;

/** The rights of a save without a principal: library use owns the folder. */
const LIBRARY: Principal = { id: DEFAULT_PRINCIPAL, scopes: ["mcpx:skills", "mcpx:admin"] };

/** What a principal named by a bare id holds. */
const BARE_ID_SCOPES = ["mcpx:skills"] as const;

/** Options of the reads that depend on who asks. */
interface ForPrincipal {
  /** Who asks. Default: the default principal (the shared skills). */
  principal?: string;
}

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
  #tasks = new Map<string, { code: string; toolsCalled: string[]; principal: string }>();

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
    if (
      options.onBreakingChange !== undefined && !["fail", "warn"].includes(options.onBreakingChange)
    ) {
      throw new TypeError(
        `Invalid skill policy ${
          JSON.stringify(options.onBreakingChange)
        }: expected "fail" or "warn"`,
      );
    }
    const { dir: _dir, onBreakingChange: _policy, ...storeOptions } = options;
    this.#spaces = new SkillSpaces(options.dir, storeOptions);
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
    this.#tasks.delete(task.id);
    this.#tasks.set(task.id, {
      code: task.code,
      toolsCalled: [...result.stats.toolsCalled],
      principal: task.principal ?? DEFAULT_PRINCIPAL,
    });
    if (this.#tasks.size > REMEMBERED_TASKS) this.#tasks.delete(this.#tasks.keys().next().value!);
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
  save(
    name: string,
    input: SaveSkillInput,
    options: SaveSkillOptions = {},
  ): Promise<SkillMetadata> {
    try {
      return this.#save(name, input, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #save(name: string, input: SaveSkillInput, options: SaveSkillOptions): Promise<SkillMetadata> {
    const who: Principal = options.principal === undefined
      ? LIBRARY
      : typeof options.principal === "string"
      ? { id: options.principal, scopes: BARE_ID_SCOPES }
      : options.principal;
    validatePrincipalId(who.id);
    const shared = who.id === DEFAULT_PRINCIPAL || options.shared === true;
    if (shared && !who.scopes.includes("mcpx:skills")) {
      throw new TypeError(
        `Cannot save skill "${name}": sharing a skill needs the "mcpx:skills" scope; save it without shared: true`,
      );
    }
    const store = shared ? this.#spaces.shared : this.#spaces.store(who.id);
    const admin = who.scopes.includes("mcpx:admin");
    const context: SaveContext = {
      servers: this.#host.servers(),
      serversDir: this.#host.serversDir,
      currentTools: (server) => this.#host.currentTools(server),
      ...(this.#host.screen === undefined ? {} : { screen: this.#host.screen }),
      ...(this.#host.placeholders === undefined ? {} : { placeholders: this.#host.placeholders }),
      ...(who.id === DEFAULT_PRINCIPAL ? {} : { author: who.id }),
      findSkill: (dep) => {
        const found = this.#spaces.findImport(dep, store);
        return found === undefined
          ? { folder: join(store.dir, dep), usable: false }
          : { folder: join(found.store.dir, dep), usable: found.record.metadata !== undefined };
      },
    };
    if (shared) {
      context.keepAuthor = true;
      context.mayOverwrite = (current) =>
        admin || (current.author ?? DEFAULT_PRINCIPAL) === who.id
          ? undefined
          : "another principal saved the shared skill of that name; only its author or a principal with the " +
            '"mcpx:admin" scope may save a new version (save yours without shared: true to keep a private one)';
    }
    return store.save(name, input, context);
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
  saveFromTask(
    taskId: string,
    name: string,
    options: SaveSkillFromTaskOptions,
  ): Promise<SkillMetadata> {
    const task = this.#tasks.get(taskId);
    const principal = typeof options.principal === "string"
      ? options.principal
      : options.principal?.id ?? DEFAULT_PRINCIPAL;
    // Another principal's task is as unknown as a forgotten one: its code is not the saver's to keep.
    if (task === undefined || task.principal !== principal) {
      return Promise.reject(
        new TypeError(
          `Cannot save skill "${name}" from task "${taskId}": no completed task with that id (the last ${REMEMBERED_TASKS} are kept)`,
        ),
      );
    }
    const { principal: _principal, shared: _shared, ...input } = options;
    return this.save(name, {
      ...input,
      code: task.code,
      tools: [...new Set([...(options.tools ?? []), ...task.toolsCalled])],
    }, {
      ...(options.principal === undefined ? {} : { principal: options.principal }),
      ...(options.shared === undefined ? {} : { shared: options.shared }),
    });
  }

  /**
   * Every skill with its health: `broken` ones with the file and the reason, `breaking` and `changed` ones with
   * what changed in their tools since they were saved. A principal sees its own private skills and the shared ones.
   *
   * @param options Who asks.
   * @returns The skills, sorted by name.
   */
  list(options: ForPrincipal = {}): SkillSummary[] {
    return this.#collect(options.principal).map(([summary]) => summary);
  }

  #collect(principal: string | undefined): Array<[SkillSummary, JsonSchema]> {
    const summaries: Array<[SkillSummary, JsonSchema]> = [];
    const servers = this.#serverNames();
    for (const { name, record, shared } of this.#spaces.visible(principal)) {
      const { metadata, stats } = record;
      const tools = [...new Set([...(metadata?.tools ?? []), ...stats.toolsCalled])].sort();
      const changes = record.problem === undefined
        ? compareTools(
          tools,
          { ...stats.observedTools, ...record.recordedTools },
          (s) => this.#host.currentTools(s),
          servers,
        )
        : [];
      const summary: SkillSummary = {
        name,
        description: metadata?.description ?? "",
        version: metadata?.version ?? 0,
        tags: metadata?.tags ?? [],
        tools,
        health: record.problem !== undefined
          ? "broken"
          : changes.some((c) => c.kind === "breaking")
          ? "breaking"
          : changes.length > 0
          ? "changed"
          : "ok",
        changes,
        stats: publicStats(stats),
      };
      if (!shared) summary.private = true;
      if (record.problem !== undefined) summary.problem = record.problem;
      summaries.push([summary, metadata?.params ?? {}]);
    }
    return summaries;
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
  search(query: string, options: { limit?: number } & ForPrincipal = {}): SkillSearchHit[] {
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
  searchText(query: string, options: { limit?: number } & ForPrincipal = {}): string {
    return this.search(query, { ...options, limit: options.limit ?? 5 }).map((hit) => {
      const properties = Object.keys((hit.params.properties ?? {}) as object);
      const args = properties.length > 0 ? ` args: { ${properties.join(", ")} }` : "";
      const health = hit.health === "ok" ? "" : ` [${hit.health}]`;
      const record = hit.runs > 0 ? ` (${hit.successes}/${hit.runs} runs ok)` : "";
      return `${hit.importLine} // skill ${hit.name} v${hit.version}: ${hit.description}${args}${health}${record}`;
    }).join("\n");
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
  load(name: string, options: { version?: number } & ForPrincipal = {}): Promise<LoadedSkill> {
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
    const { tools, changes } = this.#toolsOf(name, skill, store);
    const breaking = changes.filter((c) => c.kind === "breaking");
    // The sandbox resolves `skills/<name>/` for the task's principal as this lookup did: private first.
    const specifier = skill.dir === join(store.dir, name)
      ? `skills/${name}/skill.ts`
      : `skills/${name}/versions/${metadata.version}/skill.ts`;
    const task: AgentTask = {
      id: options.id ?? `skill-${name}-${crypto.randomUUID().slice(0, 8)}`,
      description: `skill ${name} v${metadata.version}`,
      code: `import { run } from ${JSON.stringify(specifier)};\nreturn await run(JSON.parse(${
        JSON.stringify(JSON.stringify(args ?? {}))
      }));`,
      requiredTools: tools,
      status: "pending",
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.session === undefined ? {} : { session: options.session }),
      ...(options.principal === undefined ? {} : { principal: options.principal }),
    };
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
    await store.recordRun(name, result, (tool) => {
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

  /** The tools a run needs (its own and those of the skills it imports, transitively) and their changes. */
  #toolsOf(
    name: string,
    skill: LoadedSkill,
    store: SkillStore,
  ): { tools: string[]; changes: ToolChange[] } {
    const stats = store.read(name)?.stats;
    const tools = new Set([...skill.metadata.tools, ...(stats?.toolsCalled ?? [])]);
    const recorded = { ...stats?.observedTools, ...skill.recordedTools };
    const seen = new Set([name]);
    // Imports resolve as the saved files do: a shared skill's to shared skills, a private one's to its owner's first.
    const queue: Array<[string, SkillStore]> = skill.metadata.skills.map((dep) => [dep, store]);
    while (queue.length > 0) {
      const [dep, from] = queue.shift()!;
      const found: VisibleSkill | undefined = this.#spaces.findImport(dep, from);
      const key = found === undefined ? dep : join(found.store.dir, dep);
      if (seen.has(key)) continue;
      seen.add(key);
      const record = found?.record;
      if (found === undefined || record?.metadata === undefined) continue;
      for (const tool of [...record.metadata.tools, ...record.stats.toolsCalled]) tools.add(tool);
      Object.assign(recorded, record.stats.observedTools, record.recordedTools);
      queue.push(...record.metadata.skills.map((d): [string, SkillStore] => [d, found.store]));
    }
    const list = [...tools].sort();
    return {
      tools: list,
      changes: compareTools(list, recorded, (s) => this.#host.currentTools(s), this.#serverNames()),
    };
  }

  /**
   * The skills as MCP resources: `skill://index.json`, then `skill://<name>/SKILL.md` and `skill://<name>/skill.ts`
   * for each skill a principal sees.
   *
   * @param options Who asks.
   * @returns The resource list.
   */
  listResources(options: ForPrincipal = {}): SkillResource[] {
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
  readResource(uri: string, options: ForPrincipal = {}): Promise<SkillResourceContent> {
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
