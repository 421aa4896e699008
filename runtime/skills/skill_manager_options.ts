/**
 * The options and host interface of {@linkcode SkillManager}.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import type { Principal } from "../principal.ts";
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";
import type { SkillRows } from "../state/mod.ts";
import type { SkillServer } from "./skill_code.ts";
import type { SaveSkillInput } from "./types.ts";

/**
 * What the manager needs from the orchestrator.
 *
 * @example A host that only records what it is asked to run
 * ```ts
 * import { type SkillHost, SkillManager } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const host: SkillHost = {
 *   serversDir: `${dir}/servers`,
 *   servers: () => [],
 *   currentTools: () => undefined,
 *   runTask: (task) => Promise.resolve({ id: task.id, status: "completed", data: task.code.length, logs: [],
 *     stats: { duration: 0, tokensUsed: 0, tokensDirect: 0, tokensSaved: 0, memoryUsed: 0, toolsCalled: [] } }),
 *   refuse: (task, error) => Promise.resolve({ id: task.id, status: "failed", error, logs: [],
 *     stats: { duration: 0, tokensUsed: 0, tokensDirect: 0, tokensSaved: 0, memoryUsed: 0, toolsCalled: [] } }),
 * };
 * const skills = new SkillManager(host, { dir: `${dir}/skills` });
 * await skills.save("noop", { description: "Does nothing", code: "return null;" });
 * assert.equal((await skills.execute("noop", {})).status, "completed");
 * ```
 */
export interface SkillHost {
  /** The generated `servers/` folder, absolute. */
  serversDir: string;
  /** The configured servers, with their namespace identifiers and tool names (none when not connected). */
  servers(): SkillServer[];
  /** A server's current tools; `undefined` when it is not connected. */
  currentTools(server: string): readonly Tool[] | undefined;
  /** Runs a task (the orchestrator's `executeTask`). */
  runTask(task: AgentTask): Promise<TaskResult>;
  /** The result of a task refused before it ran. */
  refuse(task: AgentTask, error: TaskErrorInfo): Promise<TaskResult>;
  /** Checks code with the pattern blocker; throws to refuse it. */
  screen?(code: string): void;
  /** The privacy vault's placeholders (`[EMAIL_1]`); a save holding one is refused. Default: none looked for. */
  placeholders?: RegExp;
}

/**
 * What running a skill whose tools changed incompatibly does: refuse to run it, or run it with a warning.
 *
 * @example
 * ```ts
 * import { type BreakingChangePolicy, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const policy: BreakingChangePolicy = "warn";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`,
 *   skillBreakingChanges: policy });
 * await orch.initialize();
 * assert.deepEqual(orch.listSkills(), []);
 * ```
 */
export type BreakingChangePolicy = "fail" | "warn";

/**
 * Options of {@linkcode SkillManager.execute}.
 *
 * @example
 * ```ts
 * import { type ExecuteSkillOptions, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const options: ExecuteSkillOptions = { id: "sum-1", timeoutMs: 5_000 };
 * const result = await orch.executeSkill("add-two", { a: 2, b: 3 }, options);
 * assert.deepEqual([result.id, result.data], ["sum-1", 5]);
 * ```
 */
export interface ExecuteSkillOptions {
  /** An older version to run. Default: the current one. */
  version?: number;
  /** The task's id. Default: `skill-<name>-<random>`. */
  id?: string;
  /** The task's deadline, in milliseconds. Default: the orchestrator's. */
  timeoutMs?: number;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** The session the run belongs to (its workspace and approvals; see `AgentTask.session`). */
  session?: string;
  /**
   * Who runs it: the skill is looked up among that principal's private skills first, then the shared ones, and the
   * task acts for it. Default: the default principal (the shared skills).
   */
  principal?: string;
}

/**
 * Options of {@linkcode SkillManager.save}: who saves, and whether into the shared skills.
 *
 * A principal saves into its own private skills unless `shared` is true. Sharing needs the `mcpx:skills` scope, and
 * a new version of an existing shared skill needs to be its author or to hold `mcpx:admin`. Without `principal`
 * (library use) the save is the default principal's, into the shared skills, with every right. A principal given as
 * a bare id holds `mcpx:skills` but not `mcpx:admin`. The default principal always saves shared: the shared skills
 * are its own.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SaveSkillOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const options: SaveSkillOptions = { principal: "alice" };
 * await orch.saveSkill("five", { description: "Returns five", code: "return 5;" }, options);
 * assert.deepEqual(orch.listSkills({ principal: "alice" }).map((s) => s.name), ["five"]);
 * assert.deepEqual(orch.listSkills({ principal: "bob" }), []);
 * ```
 */
export interface SaveSkillOptions {
  /** Who saves: an id, or a principal with its scopes. Default: the default principal, with every right. */
  principal?: string | Principal;
  /** Save into the shared skills, which every principal sees. Default `false` (always shared for the default). */
  shared?: boolean;
}

/**
 * Options of the {@linkcode SkillManager} constructor.
 *
 * @example The orchestrator's own manager keeps skills beside servers/
 * ```ts
 * import { MCPOrchestrator, SkillManager, type SkillManagerOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const options: SkillManagerOptions = { dir: `${dir}/skills`, onBreakingChange: "warn" };
 * assert.ok(orch.skills instanceof SkillManager);
 * assert.equal(orch.skills.dir, options.dir);
 * ```
 */
export interface SkillManagerOptions {
  /** The skills folder: the shared skills. */
  dir: string;
  /**
   * The folder of the principals' private skills, one folder each. Default: `principal-skills/` beside `dir`.
   * Keep it outside `dir`: a sandbox may read `dir` whole.
   */
  privateDir?: string;
  /** What running a skill whose tools changed incompatibly does. Default `"fail"`. */
  onBreakingChange?: BreakingChangePolicy;
  /** How long a save waits for another save of the same skill, in milliseconds. Default 10,000. */
  lockTimeoutMs?: number;
  /** How many versions are kept per skill; the oldest are removed on save, never the current one. Default 50. */
  maxVersions?: number;
  /** The most bytes (UTF-8) of code a skill may have; a larger one is refused. Default 262,144 (256 KiB). */
  maxCodeBytes?: number;
  /** How many read skills are cached (least recently used dropped first). Default 1,000. */
  cacheEntries?: number;
  /**
   * Skills shared by replicas (`StateStore.skills` of a PostgreSQL store): saves go to them, and the folders are
   * kept a copy of them once {@linkcode SkillManager.follow} runs. Default: none, the folders are the skills.
   */
  rows?: SkillRows;
}

/**
 * What {@linkcode SkillManager.saveFromTask} takes besides the task and the name: everything but the code.
 *
 * @example Keep a task that worked
 * ```ts
 * import { MCPOrchestrator, type SaveSkillFromTaskOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.executeTask({ id: "t1", description: "five", code: "return 5;", requiredTools: [], status: "pending" });
 * const options: SaveSkillFromTaskOptions = { description: "Returns five", tags: ["demo"] };
 * assert.equal((await orch.saveSkillFromTask("t1", "five", options)).name, "five");
 * ```
 */
export type SaveSkillFromTaskOptions = Omit<SaveSkillInput, "code"> & SaveSkillOptions;

/**
 * Options of the {@linkcode SkillManager} reads whose answer depends on who asks (`list`, `search`, `load`, the
 * resources): a principal sees its own private skills and the shared ones.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillReadOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("mine", { description: "Returns one", code: "return 1;" }, { principal: "alice" });
 * const options: SkillReadOptions = { principal: "bob" };
 * assert.deepEqual(orch.skills.list(options), []);
 * ```
 */
export interface SkillReadOptions {
  /** Who asks. Default: the default principal (the shared skills). */
  principal?: string;
}
