/**
 * One skill as `listSkills()` reports it: its tools, their changes since it was saved, and its health.
 *
 * @module
 */

import type { Tool } from "../sdk.ts";
import { publicStats } from "./skill_stats.ts";
import type { VisibleSkill } from "./skill_spaces.ts";
import { compareTools } from "./tool_changes.ts";
import type { JsonSchema, SkillSummary } from "./types.ts";

/**
 * Summarizes a skill a principal sees.
 *
 * @param skill The skill, its record and whether it is shared.
 * @param current A server's current tools; `undefined` when it is not connected.
 * @param servers The configured server names.
 * @returns The summary and the skill's params schema.
 */
export function summarize(
  skill: VisibleSkill,
  current: (server: string) => readonly Tool[] | undefined,
  servers: readonly string[],
): [SkillSummary, JsonSchema] {
  const { name, record, shared } = skill;
  const { metadata, stats } = record;
  const tools = [...new Set([...(metadata?.tools ?? []), ...stats.toolsCalled])].sort();
  const changes = record.problem === undefined
    ? compareTools(tools, { ...stats.observedTools, ...record.recordedTools }, current, servers)
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
  return [summary, metadata?.params ?? {}];
}
