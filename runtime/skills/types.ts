/**
 * The shapes the skills store reads, writes and reports.
 *
 * @module
 */

/**
 * A JSON Schema, as a plain object.
 *
 * @example Arguments are checked against params
 * ```ts
 * import { type JsonSchema, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const params: JsonSchema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
 * await orch.saveSkill("double", { description: "Doubles a number", code: "return args.a * 2;", params });
 * await assert.rejects(orch.executeSkill("double", { a: "x" }), TypeError);
 * ```
 */
export type JsonSchema = Record<string, unknown>;

/**
 * What `SKILL.md`'s front matter records about one version of a skill.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillMetadata } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const metadata: SkillMetadata = await orch.saveSkill("add-two", { description: "Adds two numbers",
 *   code: "return args.a + args.b;" });
 * assert.deepEqual([metadata.name, metadata.version, metadata.tools], ["add-two", 1, []]);
 * ```
 */
export interface SkillMetadata {
  /** The skill's name, equal to its folder's name. */
  name: string;
  /** What it does and when to use it (1 to 1,024 characters). */
  description: string;
  /** The version, counted from 1. */
  version: number;
  /** Words to find it by. */
  tags: string[];
  /** The JSON Schema its `args` are validated against. */
  params: JsonSchema;
  /** The tools it uses, as `server.tool` (or a whole `server`, when the code uses its namespace dynamically). */
  tools: string[];
  /** The SHA-256 of each tool's definition when the skill was saved, as in `servers/<server>/_manifest.json`. */
  toolHashes: Record<string, string>;
  /** The skills it imports. */
  skills: string[];
  /** When this version was saved, as an ISO date. */
  savedAt: string;
  /**
   * The principal that saved this version, when not the default one. Only its author, a principal with the
   * `mcpx:admin` scope, or the library's own calls may save a new version of a shared skill.
   */
  author?: string;
}

/**
 * A tool's definition as recorded when a skill was saved, to tell later what changed.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type RecordedTool } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * // A skill that calls no tool records none; each entry holds the definition the skill was saved against.
 * const recorded: Record<string, RecordedTool> = (await orch.loadSkill("add-two")).recordedTools;
 * assert.deepEqual(Object.keys(recorded), []);
 * ```
 */
export interface RecordedTool {
  /** SHA-256 of the whole definition, as in the server's `_manifest.json`. */
  sha256: string;
  /** The tool's description. */
  description?: string;
  /** The tool's input schema. */
  inputSchema: JsonSchema;
}

/**
 * One change of a tool a skill uses, since the skill was saved.
 *
 * @example
 * ```ts
 * import type { SkillSummary, ToolChange } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const breaking = (s: Pick<SkillSummary, "changes">): ToolChange[] => s.changes.filter((c) => c.kind === "breaking");
 * const change: ToolChange = { tool: "memory.create_entities", kind: "breaking", change: 'new required property "id"' };
 * assert.deepEqual(breaking({ changes: [change] }), [change]);
 * ```
 */
export interface ToolChange {
  /** The tool, as `server.tool`. */
  tool: string;
  /** `breaking`: the skill's calls may fail. `compatible`: they still work. */
  kind: "breaking" | "compatible";
  /** What changed, e.g. `new required parameter "limit"`. */
  change: string;
}

/**
 * How a skill stands: `ok`; `changed` (a tool it uses changed compatibly, or its server is not connected);
 * `breaking` (a tool it uses was removed or changed incompatibly); `broken` (its files cannot be read).
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillHealth } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const usable: SkillHealth[] = ["ok", "changed"];
 * assert.ok(orch.listSkills().every((s) => usable.includes(s.health)));
 * ```
 */
export type SkillHealth = "ok" | "changed" | "breaking" | "broken";

/**
 * Run statistics of a skill, kept in its `stats.json`.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillStats } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * await orch.executeSkill("add-two", { a: 1, b: 2 });
 * const stats: SkillStats | undefined = orch.listSkills()[0]?.stats;
 * assert.deepEqual([stats?.runs, stats?.successes], [1, 1]);
 * ```
 */
export interface SkillStats {
  /** Runs through `executeSkill`, refused ones included. */
  runs: number;
  /** Runs that completed. */
  successes: number;
  /** Failed runs by error code (`"tool_failed"`, `"timeout"`, ...). */
  failures: Record<string, number>;
  /** The median duration of the recent runs, in milliseconds (0 before the first run). */
  medianDurationMs: number;
  /** The last failure's code and message, if any. */
  lastError?: { code: string; message: string; at: string };
  /** When it last ran, as an ISO date. */
  lastRunAt?: string;
  /** Tools runs called that the saved metadata does not list, as `server.tool`. */
  toolsCalled: string[];
}

/**
 * One skill as `listSkills()` reports it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillSummary } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const [summary]: SkillSummary[] = orch.listSkills();
 * assert.deepEqual([summary?.name, summary?.health, summary?.changes], ["add-two", "ok", []]);
 * ```
 */
export interface SkillSummary {
  /** The skill's name, equal to its folder's. */
  name: string;
  /** Empty when the skill is broken and its description unreadable. */
  description: string;
  /** 0 when broken and unreadable. */
  version: number;
  /** Words to find it by. */
  tags: string[];
  /** The tools it uses: the saved list and every tool its runs called. */
  tools: string[];
  /** How it stands; see {@linkcode SkillHealth}. */
  health: SkillHealth;
  /** For `changed` and `breaking`: what changed. */
  changes: ToolChange[];
  /** For `broken`: the file (relative to the skills folder) and why. */
  problem?: { file: string; reason: string };
  /** Its run statistics. */
  stats: SkillStats;
  /** `true` for a private skill of the principal that listed it; absent for a shared one. */
  private?: true;
}

/**
 * One skill as `loadSkill()` reports it.
 *
 * @example
 * ```ts
 * import { type LoadedSkill, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const skill: LoadedSkill = await orch.loadSkill("add-two");
 * assert.match(skill.files["skill.ts"] ?? "", /return args\.a \+ args\.b;/);
 * assert.deepEqual(skill.versions, [1]);
 * ```
 */
export interface LoadedSkill {
  /** The loaded version's metadata, from its `SKILL.md`. */
  metadata: SkillMetadata;
  /** The texts of `SKILL.md` and `skill.ts` of the loaded version. */
  files: { "SKILL.md": string; "skill.ts": string };
  /** Every stored version, oldest first. */
  versions: number[];
  /** The loaded version's folder, absolute. */
  dir: string;
  /** The tool definitions recorded at save time, by `server.tool`. */
  recordedTools: Record<string, RecordedTool>;
}

/**
 * What {@linkcode SkillStore.save} takes besides the name.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SaveSkillInput } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * const input: SaveSkillInput = { description: "Adds two numbers", code: "return args.a + args.b;", tags: ["math"] };
 * await orch.saveSkill("add-two", input);
 * assert.equal((await orch.executeSkill("add-two", { a: 1, b: 2 })).data, 3);
 * ```
 */
export interface SaveSkillInput {
  /** What it does and when to use it (1 to 1,024 characters). */
  description: string;
  /** The program: a task body with `args` in scope, top-level `await` and `return` (Python: its last expression). */
  code: string;
  /** The program's language; a Python skill is kept in `skill.py` (see docs/python.md). Default `"typescript"`. */
  language?: "typescript" | "python";
  /** Words to find it by. */
  tags?: string[];
  /** The JSON Schema of its `args`. Default: any object. */
  params?: JsonSchema;
  /** Tools it uses besides those found in its code (e.g. those a task really called), as `server.tool`. */
  tools?: string[];
}
