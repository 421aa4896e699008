/**
 * {@linkcode SkillManager}: saving, finding, running and watching skills, for `MCPOrchestrator` and the daemon.
 *
 * @module
 */

import { join } from "node:path";
import type { AgentTask, TaskResult } from "../types.ts";
import { checkSkillArgs } from "./skill_args.ts";
import { SkillIndex, type SkillSearchHit } from "./skill_index.ts";
import {
  listSkillResources,
  readSkillResource,
  type SkillResource,
  type SkillResourceContent,
} from "./skill_resources.ts";
import { SkillStore } from "./skill_store.ts";
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
  SkillHost,
  SkillManagerOptions,
} from "./skill_manager_options.ts";

/** How many completed tasks are remembered for `saveFromTask`. */
const REMEMBERED_TASKS = 100;

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
  #store: SkillStore;
  #host: SkillHost;
  #policy: BreakingChangePolicy;
  #index = new SkillIndex();
  #tasks = new Map<string, { code: string; toolsCalled: string[] }>();

  /**
   * Creates the manager of one skills folder.
   *
   * @param host The orchestrator's side: servers, tools, how tasks run.
   * @param options The skills folder, `onBreakingChange` (default `"fail"`) and how long a save waits for another
   *   save's lock (default 10,000 ms).
   * @throws {TypeError} When the policy is not `"fail"` or `"warn"`.
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
    this.#store = new SkillStore(
      options.dir,
      options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs },
    );
    this.#host = host;
    this.#policy = options.onBreakingChange ?? "fail";
  }

  /** The skills folder. */
  get dir(): string {
    return this.#store.dir;
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
    this.#tasks.set(task.id, { code: task.code, toolsCalled: [...result.stats.toolsCalled] });
    if (this.#tasks.size > REMEMBERED_TASKS) this.#tasks.delete(this.#tasks.keys().next().value!);
  }

  /**
   * Saves a skill: a new version, atomically. See `SkillStore.save`.
   *
   * @param name 1 to 64 lowercase letters, digits and single hyphens.
   * @param input Description, code, tags, params schema and extra tools.
   * @returns The saved version's metadata.
   * @throws {TypeError} When an input is invalid (the message names it) or the code is blocked.
   * @throws {SyntaxError} When the code does not parse (the message names the line and column).
   */
  save(name: string, input: SaveSkillInput): Promise<SkillMetadata> {
    return this.#store.save(name, input, {
      servers: this.#host.servers(),
      serversDir: this.#host.serversDir,
      currentTools: (server) => this.#host.currentTools(server),
      ...(this.#host.screen === undefined ? {} : { screen: this.#host.screen }),
    });
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
    if (task === undefined) {
      return Promise.reject(
        new TypeError(
          `Cannot save skill "${name}" from task "${taskId}": no completed task with that id (the last ${REMEMBERED_TASKS} are kept)`,
        ),
      );
    }
    return this.save(name, {
      ...options,
      code: task.code,
      tools: [...new Set([...(options.tools ?? []), ...task.toolsCalled])],
    });
  }

  /**
   * Every skill with its health: `broken` ones with the file and the reason, `breaking` and `changed` ones with
   * what changed in their tools since they were saved.
   *
   * @returns The skills, sorted by name.
   */
  list(): SkillSummary[] {
    return this.#collect().map(([summary]) => summary);
  }

  #collect(): Array<[SkillSummary, JsonSchema]> {
    const summaries: Array<[SkillSummary, JsonSchema]> = [];
    for (const name of this.#store.names()) {
      const record = this.#store.read(name);
      if (record === undefined) continue;
      const { metadata, stats } = record;
      const tools = [...new Set([...(metadata?.tools ?? []), ...stats.toolsCalled])].sort();
      const changes = record.problem === undefined
        ? compareTools(
          tools,
          { ...stats.observedTools, ...record.recordedTools },
          (s) => this.#host.currentTools(s),
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
   * @param options `limit` (default 10).
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string.
   */
  search(query: string, options: { limit?: number } = {}): SkillSearchHit[] {
    const collected = this.#collect();
    this.#index.update(
      collected.map(([summary]) => summary),
      new Map(collected.map(([summary, params]) => [summary.name, params])),
    );
    return this.#index.search(query, options);
  }

  /**
   * Like {@linkcode SkillManager.search}, as the compact text a model reads (what the daemon's `search_tools` adds
   * to its tool hits): one line a skill, marked `skill`, with its import line, description, arguments and health.
   *
   * @param query Free text.
   * @param options `limit` (default 5).
   * @returns The lines, or `""` when nothing matches.
   */
  searchText(query: string, options: { limit?: number } = {}): string {
    return this.search(query, { limit: options.limit ?? 5 }).map((hit) => {
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
   * @param options `version`: an older version.
   * @returns The loaded skill.
   * @throws {TypeError} When there is no such skill.
   * @throws {RangeError} When there is no such version.
   * @throws {Error} When the skill is broken (the message names the file and the reason).
   */
  load(name: string, options: { version?: number } = {}): Promise<LoadedSkill> {
    return this.#store.load(name, options);
  }

  /**
   * Runs a skill as a task: checks `args` against its params schema, checks its tools for incompatible changes (the
   * policy decides: refuse or warn), runs it with its tools (and those of the skills it imports) as
   * `requiredTools`, and adds the run to its statistics.
   *
   * @param name The skill's name.
   * @param args Its arguments.
   * @param options An older `version`, the task's id, timeout and abort signal.
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
    const skill = await this.#store.load(
      name,
      options.version === undefined ? {} : { version: options.version },
    );
    const { metadata } = skill;
    checkSkillArgs(name, metadata.params, args ?? {});
    const { tools, changes } = this.#toolsOf(name, skill);
    const breaking = changes.filter((c) => c.kind === "breaking");
    const specifier = skill.dir === join(this.#store.dir, name)
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
    await this.#store.recordRun(name, result, (tool) => {
      const [server, toolName] = tool.split(".");
      const found = this.#host.currentTools(server!)?.find((t) => t.name === toolName);
      return found === undefined ? undefined : recordTool(found);
    }).catch(() => {
      // Statistics are best effort: a read-only skills folder must not fail the run.
    });
    return result;
  }

  /** The tools a run needs (its own and those of the skills it imports, transitively) and their changes. */
  #toolsOf(name: string, skill: LoadedSkill): { tools: string[]; changes: ToolChange[] } {
    const stats = this.#store.read(name)?.stats;
    const tools = new Set([...skill.metadata.tools, ...(stats?.toolsCalled ?? [])]);
    const recorded = { ...stats?.observedTools, ...skill.recordedTools };
    const seen = new Set([name]);
    const queue = [...skill.metadata.skills];
    while (queue.length > 0) {
      const dep = queue.shift()!;
      if (seen.has(dep)) continue;
      seen.add(dep);
      const record = this.#store.read(dep);
      if (record?.metadata === undefined) continue;
      for (const tool of [...record.metadata.tools, ...record.stats.toolsCalled]) tools.add(tool);
      Object.assign(recorded, record.stats.observedTools, record.recordedTools);
      queue.push(...record.metadata.skills);
    }
    const list = [...tools].sort();
    return {
      tools: list,
      changes: compareTools(list, recorded, (s) => this.#host.currentTools(s)),
    };
  }

  /**
   * The skills as MCP resources: `skill://index.json`, then `skill://<name>/SKILL.md` and `skill://<name>/skill.ts`
   * for each skill.
   *
   * @returns The resource list.
   */
  listResources(): SkillResource[] {
    return listSkillResources(this.list());
  }

  /**
   * Reads a skill resource.
   *
   * @param uri A URI from {@linkcode SkillManager.listResources}.
   * @returns The text and its MIME type.
   * @throws {TypeError} When the URI names no skill file.
   */
  readResource(uri: string): Promise<SkillResourceContent> {
    return readSkillResource(this.#store.dir, uri, uri === "skill://index.json" ? this.list() : []);
  }
}
