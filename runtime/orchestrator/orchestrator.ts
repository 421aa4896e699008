/**
 * `MCPOrchestrator`: connects the configured MCP servers, generates their modules, and runs each
 * {@linkcode AgentTask} in a sandbox process, forwarding the tool calls it makes after checking them against the
 * task's `requiredTools`; finds tools and keeps skills.
 *
 * @module
 */

import type { OrchestratorOptions, SearchToolsOptions } from "./options.ts";
import { DEFAULT_PRINCIPAL } from "../principal.ts";
import type { SkillRows } from "../state/mod.ts";
import { OrchestratorCore } from "./orchestrator_core.ts";
import type { ServerSummary, ToolSearchHit, ToolSummary } from "../search/mod.ts";
import type * as Skills from "../skills/mod.ts";
import { removeSkill, type RemoveSkillOptions } from "../skills/mod.ts";
import type { TaskResult } from "../types.ts";

/**
 * Runs agent code against MCP servers, each task in its own sandbox process.
 *
 * @example
 * ```ts ignore
 * import { MCPOrchestrator } from "@mcp-executor/runtime";
 * await using orch = new MCPOrchestrator({ config: "mcp.json", maxConcurrentTasks: 4 });
 * await orch.initialize();
 * const result = await orch.executeTask({
 *   id: "t1",
 *   description: "names of people in the graph",
 *   code: `const g = await memory.readGraph();
 * return g.entities.filter((e) => e.entityType === "person").map((e) => e.name);`,
 *   requiredTools: ["memory"],
 *   status: "pending",
 * });
 * console.log(result.status, result.data);
 * ```
 *
 * @example Run a task offline, with no servers
 * ```ts
 * import { MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "sum", code: "return [1, 2, 3].reduce((a, b) => a + b);",
 *   requiredTools: [], status: "pending" });
 * assert.deepEqual([result.status, result.data], ["completed", 6]);
 * ```
 */ export class MCPOrchestrator extends OrchestratorCore {
  #sharedSkills: SkillRows | undefined;

  /**
   * Creates an orchestrator; nothing connects until {@linkcode MCPOrchestrator.initialize}.
   *
   * @param options The config (a path or an object) and limits; see {@linkcode OrchestratorOptions}.
   * @throws {RangeError} When a limit is not a whole number of at least 1.
   * @throws {TypeError} When `blockerPolicy` names an unknown rule or action, or `approvals` is malformed.
   */
  constructor(options: OrchestratorOptions) {
    super(options);
    this.#sharedSkills = options.state?.skills;
  }

  /**
   * Finds tools by what they do, ranked with BM25 over tool names (split into words), titles, descriptions and
   * parameter names, with stems, synonyms, abbreviations, prefix and typo-tolerant matching, raised by what earlier
   * searches of the same `session` led tasks to call.
   *
   * @param query What the agent is looking for, e.g. `"create pull request"`.
   * @param options Detail level, limit and a server filter.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string or the detail level is unknown.
   */
  searchTools(query: string, options: SearchToolsOptions = {}): ToolSearchHit[] {
    return this.catalog.search(query, options);
  }

  /**
   * Like {@linkcode MCPOrchestrator.searchTools}, fused with the `embed` option's ranking when it is set.
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string, the detail level is unknown or `embed` fails.
   */
  findTools(query: string, options: SearchToolsOptions = {}): Promise<ToolSearchHit[]> {
    return this.catalog.searchAsync(query, options);
  }

  /**
   * Like {@linkcode MCPOrchestrator.searchTools}, formatted as the compact text a model reads.
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit and a server filter.
   * @returns One line a hit (`"name"`, `"description"`) or one block a hit (`"full"`).
   */
  searchToolsText(query: string, options: SearchToolsOptions = {}): string {
    return this.catalog.searchText(query, options);
  }

  /**
   * Like {@linkcode MCPOrchestrator.findTools}, formatted as the compact text a model reads: what the daemon's
   * `search_tools` answers. When `embed` fails, the lexical ranking is used (the error is logged, not returned).
   *
   * @param query What the agent is looking for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns One line a hit (`"name"`, `"description"`) or one block a hit (`"full"`).
   * @throws {TypeError} When the query is not a string or the detail level is unknown.
   */
  findToolsText(query: string, options: SearchToolsOptions = {}): Promise<string> {
    return this.catalog.searchTextAsync(query, options);
  }

  /**
   * The connected servers and their tool counts, mirroring the `servers/` folders.
   *
   * @returns One entry a server, sorted by name.
   */
  listServers(): ServerSummary[] {
    return this.catalog.listServers();
  }

  /**
   * One server's tools with their generated function names, mirroring `servers/<server>/`.
   *
   * @param server The server's name.
   * @returns Its tools in listing order; empty for an unknown server.
   */
  listTools(server: string): ToolSummary[] {
    return this.catalog.listTools(server);
  }

  /**
   * Tokens of the connected servers' tool definitions as classic tool calling gives them to a model: the fixed
   * part of every task's `stats.tokensDirect`.
   *
   * @returns The sum over connected servers.
   */
  toolDefinitionTokens(): number {
    return this.catalog.definitionTokens();
  }
  /** The skills manager (after {@linkcode MCPOrchestrator.initialize}): search text and resources for the daemon. */
  get skills(): Skills.SkillManager {
    if (this.skillManager === undefined) {
      throw new Error("Cannot use skills: call initialize() first");
    }
    return this.skillManager;
  }

  /**
   * Saves a skill as a new version, into the principal's private skills or the shared ones; see
   * {@linkcode Skills.SkillManager.save} for its arguments, result and errors, and {@linkcode Skills.SaveSkillOptions}
   * for who may save what.
   */
  saveSkill(
    name: string,
    input: Skills.SaveSkillInput,
    options: Skills.SaveSkillOptions = {},
  ): Promise<Skills.SkillMetadata> {
    return this.initialize().then(() => this.skills.save(name, input, options));
  }

  /** Saves a completed task as a skill; see {@linkcode Skills.SkillManager.saveFromTask}. */
  saveSkillFromTask(
    taskId: string,
    name: string,
    options: Skills.SaveSkillFromTaskOptions,
  ): Promise<Skills.SkillMetadata> {
    return this.initialize().then(() => this.skills.saveFromTask(taskId, name, options));
  }

  /** Every skill with its health and statistics; see {@linkcode Skills.SkillManager.list}. */
  listSkills(options: { principal?: string } = {}): Skills.SkillSummary[] {
    return this.skills.list(options);
  }

  /** Finds skills by what they do; see {@linkcode Skills.SkillManager.search}. */
  searchSkills(
    query: string,
    options: { limit?: number; principal?: string } = {},
  ): Skills.SkillSearchHit[] {
    return this.skills.search(query, options);
  }

  /** A skill's files, metadata and versions; see {@linkcode Skills.SkillManager.load}. */
  loadSkill(
    name: string,
    options: { version?: number; principal?: string } = {},
  ): Promise<Skills.LoadedSkill> {
    return this.initialize().then(() => this.skills.load(name, options));
  }

  /** Runs a skill as a task after checking its args; see {@linkcode Skills.SkillManager.execute}. */
  executeSkill(
    name: string,
    args: unknown,
    options: Skills.ExecuteSkillOptions = {},
  ): Promise<TaskResult> {
    return this.initialize().then(() => this.skills.execute(name, args, options));
  }

  /**
   * Removes a skill with every version; see {@linkcode removeSkill} for its options and errors.
   *
   * @param name The skill's name.
   * @param options `force` removes a skill other skills import; `principal` removes one of its private skills
   *   (default: a shared skill).
   * @returns The versions removed.
   */
  removeSkill(
    name: string,
    options: RemoveSkillOptions & { principal?: string } = {},
  ): Promise<number[]> {
    const { principal, ...rest } = options;
    return this.initialize().then(async () => {
      const versions = await removeSkill(this.skills.dirOf(principal), name, rest);
      // With a shared state store the rows go too, and every replica removes its copy.
      const owner = principal === undefined || principal === DEFAULT_PRINCIPAL ? "" : principal;
      await this.#sharedSkills?.remove(owner, name);
      return versions;
    });
  }
}
