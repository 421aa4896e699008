/**
 * Reads one skill folder: its current version's metadata, recorded tools and statistics, or why it is broken, and
 * whether a save was cut short after its version was complete.
 *
 * @module
 */

import { join, relative } from "node:path";
import { readTextIfExists } from "./_fs.ts";
import { checkSkillModule, SKILL_HEADER_RE } from "./skill_code.ts";
import { parseSkillMd } from "./skill_md.ts";
import { parseStats, type StatsFile } from "./skill_stats.ts";
import type { RecordedTool, SkillMetadata } from "./types.ts";

/** One skill as read from disk: its current version, or why it cannot be read. */
export interface SkillRecord {
  name: string;
  /** The current version's metadata; missing when `SKILL.md` cannot be read. */
  metadata?: SkillMetadata;
  recordedTools: Record<string, RecordedTool>;
  /** Why the skill is broken: the file (relative to the skills folder) and the reason. */
  problem?: { file: string; reason: string };
  stats: StatsFile;
  /** Stored versions, oldest first. */
  versions: number[];
  /** True when a save was cut short after its version was complete: the current files lag behind. */
  stale: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function versionsOf(folder: string): number[] {
  const versions: number[] = [];
  try {
    for (const entry of Deno.readDirSync(join(folder, "versions"))) {
      if (entry.isDirectory && /^[1-9]\d*$/.test(entry.name)) versions.push(Number(entry.name));
    }
  } catch {
    // No versions folder yet.
  }
  return versions.sort((a, b) => a - b);
}

/**
 * Reads a skill folder.
 *
 * @param skillsDir The skills folder.
 * @param name The skill's name.
 * @returns The record, or `undefined` when the folder holds no skill.
 */
export function readRecord(skillsDir: string, name: string): SkillRecord | undefined {
  const folder = join(skillsDir, name);
  const versions = versionsOf(folder);
  const live = readTextIfExists(join(folder, "SKILL.md"));
  if (live === undefined && versions.length === 0) return undefined;
  const record: SkillRecord = {
    name,
    recordedTools: {},
    stats: parseStats(readTextIfExists(join(folder, "stats.json"))),
    versions,
    stale: false,
  };
  let dir = folder;
  let file = `${name}/SKILL.md`;
  const newest = versions.at(-1);
  try {
    const metadata = live === undefined ? undefined : parseSkillMd(live, name).metadata;
    const header = SKILL_HEADER_RE.exec(readTextIfExists(join(folder, "skill.ts")) ?? "");
    const behind = metadata === undefined || metadata.version < newest! ||
      (header !== null && Number(header[2]) !== metadata.version);
    if (newest !== undefined && behind) {
      // A save stopped after its version was complete: that version is the current one.
      record.stale = true;
      dir = join(folder, "versions", String(newest));
      file = `${name}/versions/${newest}/SKILL.md`;
      record.metadata = parseSkillMd(Deno.readTextFileSync(join(dir, "SKILL.md")), name).metadata;
    } else {
      record.metadata = metadata;
    }
  } catch (error) {
    record.problem = { file, reason: errorText(error) };
    return record;
  }
  const skillTs = readTextIfExists(join(dir, "skill.ts"));
  const tsFile = `${relative(skillsDir, dir).replaceAll("\\", "/")}/skill.ts`;
  try {
    if (skillTs === undefined) throw new Error("missing");
    checkSkillModule(skillTs);
  } catch (error) {
    record.problem = { file: tsFile, reason: errorText(error) };
  }
  try {
    const tools = readTextIfExists(join(dir, "tools.json"));
    if (tools !== undefined) record.recordedTools = JSON.parse(tools);
  } catch (error) {
    record.problem ??= {
      file: tsFile.replace(/skill\.ts$/, "tools.json"),
      reason: errorText(error),
    };
  }
  return record;
}
