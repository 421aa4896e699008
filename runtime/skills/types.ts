/**
 * The shapes the skills store reads, writes and reports.
 *
 * @module
 */

/** A JSON Schema, as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** What `SKILL.md`'s front matter records about one version of a skill. */
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
}

/** A tool's definition as recorded when a skill was saved, to tell later what changed. */
export interface RecordedTool {
  /** SHA-256 of the whole definition, as in the server's `_manifest.json`. */
  sha256: string;
  /** The tool's description. */
  description?: string;
  /** The tool's input schema. */
  inputSchema: JsonSchema;
}

/** One change of a tool a skill uses, since the skill was saved. */
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
 */
export type SkillHealth = "ok" | "changed" | "breaking" | "broken";

/** Run statistics of a skill, kept in its `stats.json`. */
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

/** One skill as `listSkills()` reports it. */
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
}

/** One skill as `loadSkill()` reports it. */
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

/** What {@linkcode SkillStore.save} takes besides the name. */
export interface SaveSkillInput {
  /** What it does and when to use it (1 to 1,024 characters). */
  description: string;
  /** The program: a task body with `args` in scope, top-level `await` and `return`. */
  code: string;
  /** Words to find it by. */
  tags?: string[];
  /** The JSON Schema of its `args`. Default: any object. */
  params?: JsonSchema;
  /** Tools it uses besides those found in its code (e.g. those a task really called), as `server.tool`. */
  tools?: string[];
}
