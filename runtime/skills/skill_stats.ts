/**
 * Per-skill run statistics, kept in `skills/<name>/stats.json`: runs, successes, failures by error code, the
 * median duration, the last error, and the tools runs called beyond those the skill was saved with.
 *
 * @module
 */

import type { TaskResult } from "../types.ts";
import type { RecordedTool, SkillStats } from "./types.ts";

/** How many recent durations the median is taken over. */
const DURATIONS_KEPT = 101;

/** What `stats.json` holds: the public statistics plus what computing them needs. */
export interface StatsFile extends SkillStats {
  /** Recent durations in milliseconds, oldest first. */
  durations: number[];
  /** The definitions of the tools in `toolsCalled`, recorded when a run first called them. */
  observedTools: Record<string, RecordedTool>;
}

/**
 * Statistics of a skill that never ran.
 *
 * @returns Zero runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyStats } from "./skill_stats.ts";
 * assert.equal(emptyStats().runs, 0);
 * ```
 */
export function emptyStats(): StatsFile {
  return {
    runs: 0,
    successes: 0,
    failures: {},
    medianDurationMs: 0,
    toolsCalled: [],
    durations: [],
    observedTools: {},
  };
}

/**
 * Reads `stats.json`'s text; anything unreadable counts as no runs, so a damaged file never stops a skill.
 *
 * @param text The file's text, or `undefined` when there is none.
 * @returns The statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStats } from "./skill_stats.ts";
 * assert.equal(parseStats('{"runs":3,"successes":2,"durations":[1,5,9]}').medianDurationMs, 5);
 * assert.equal(parseStats("not json").runs, 0);
 * ```
 */
export function parseStats(text: string | undefined): StatsFile {
  if (text === undefined) return emptyStats();
  try {
    const value = JSON.parse(text) as Partial<StatsFile>;
    const stats = emptyStats();
    if (Number.isInteger(value.runs)) stats.runs = value.runs!;
    if (Number.isInteger(value.successes)) stats.successes = value.successes!;
    if (value.failures !== null && typeof value.failures === "object") {
      stats.failures = value.failures;
    }
    if (Array.isArray(value.durations)) stats.durations = value.durations.filter(Number.isFinite);
    if (Array.isArray(value.toolsCalled)) stats.toolsCalled = value.toolsCalled.map(String);
    if (value.observedTools !== null && typeof value.observedTools === "object") {
      stats.observedTools = value.observedTools;
    }
    if (value.lastError !== undefined) stats.lastError = value.lastError;
    if (typeof value.lastRunAt === "string") stats.lastRunAt = value.lastRunAt;
    stats.medianDurationMs = median(stats.durations);
    return stats;
  } catch {
    return emptyStats();
  }
}

/**
 * The public part of the statistics.
 *
 * @param stats What `stats.json` holds.
 * @returns Runs, successes, failures, median duration, last error and the tools runs called.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyStats, publicStats } from "./skill_stats.ts";
 * assert.equal("durations" in publicStats(emptyStats()), false);
 * ```
 */
export function publicStats(stats: StatsFile): SkillStats {
  const { durations: _d, observedTools: _o, ...rest } = stats;
  return { ...rest, failures: { ...rest.failures }, toolsCalled: [...rest.toolsCalled] };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Adds one run to the statistics.
 *
 * @param stats The statistics so far (not changed).
 * @param result The run's result.
 * @param options The tools the skill was saved with, and a way to record a newly called tool's definition.
 * @returns The new statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyStats, updateStats } from "./skill_stats.ts";
 * const stats = updateStats(emptyStats(), {
 *   id: "t", status: "failed", logs: [], error: { name: "ToolError", code: "tool_failed", message: "no" },
 *   stats: { duration: 5, tokensUsed: 0, tokensDirect: 0, tokensSaved: 0, memoryUsed: 0, toolsCalled: ["m.a"] },
 * }, { known: [], record: () => undefined });
 * assert.deepEqual([stats.runs, stats.failures.tool_failed, stats.toolsCalled], [1, 1, ["m.a"]]);
 * ```
 */
export function updateStats(
  stats: StatsFile,
  result: TaskResult,
  options: { known: readonly string[]; record: (tool: string) => RecordedTool | undefined },
): StatsFile {
  const next: StatsFile = {
    ...stats,
    failures: { ...stats.failures },
    toolsCalled: [...stats.toolsCalled],
    observedTools: { ...stats.observedTools },
    durations: [...stats.durations, result.stats.duration].slice(-DURATIONS_KEPT),
  };
  next.runs++;
  next.lastRunAt = new Date().toISOString();
  if (result.status === "completed") {
    next.successes++;
  } else {
    const code = result.error?.code ?? result.status;
    next.failures[code] = (next.failures[code] ?? 0) + 1;
    next.lastError = {
      code,
      message: (result.error?.message ?? result.status).slice(0, 500),
      at: next.lastRunAt,
    };
  }
  for (const tool of new Set(result.stats.toolsCalled)) {
    if (options.known.includes(tool)) continue;
    if (!next.toolsCalled.includes(tool)) next.toolsCalled.push(tool);
    if (next.observedTools[tool] === undefined) {
      const recorded = options.record(tool);
      if (recorded !== undefined) next.observedTools[tool] = recorded;
    }
  }
  next.toolsCalled.sort();
  next.medianDurationMs = median(next.durations);
  return next;
}
