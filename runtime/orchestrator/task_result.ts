/**
 * Building a {@linkcode TaskResult} from a sandbox run, or for a task that never ran.
 *
 * @module
 */

import type { SandboxRunResult } from "../sandbox/mod.ts";
import { codeModeTokensAsync, savedRatio } from "../tokens/mod.ts";
import { truncateJson } from "./truncate_json.ts";
import { logger } from "../log.ts";

const log = logger("orchestrator");
import type { AgentTask, TaskErrorInfo, TaskResult } from "../types.ts";

/** What the orchestrator adds to a sandbox run to make a result. */
export interface RunAccounting {
  /** Calls forwarded to servers, as `"server.tool"`. */
  toolsCalled: string[];
  /** Classic tool calling's tokens for the same work. */
  directTokens: number;
  /** The blocker's warnings. */
  warnings: string[];
  /** The `maxResultBytes` limit. */
  maxResultBytes: number;
}

/** Cuts a text to at most `max` characters, ending with a note of how much was cut. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `…[${text.length} chars, cut to the limit "maxResultBytes"]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

async function withTokens(task: AgentTask, result: TaskResult): Promise<TaskResult> {
  try {
    result.stats.tokensUsed = await codeModeTokensAsync({
      code: task.code,
      data: result.data,
      logs: result.logs,
      ...(result.error === undefined ? {} : { error: result.error }),
    });
  } catch (error) {
    // Token accounting never fails a task: a tokenizer that throws counts 0.
    log.warn("Cannot count tokens of task {id}: {error}", { id: task.id, error: String(error) });
  }
  result.stats.tokensSaved = savedRatio(result.stats.tokensUsed, result.stats.tokensDirect);
  return result;
}

/**
 * The result of a task that ran: its status, value (cut to `maxResultBytes`), logs, error and stats.
 *
 * @param task The task.
 * @param run What the sandbox reported.
 * @param accounting Calls, tokens, warnings and the result limit.
 * @returns The result, with token counts (counted without holding the event loop).
 */
export function resultOfRun(
  task: AgentTask,
  run: SandboxRunResult,
  accounting: RunAccounting,
): Promise<TaskResult> {
  const result: TaskResult = {
    id: task.id,
    status: run.status,
    logs: run.logs,
    stats: {
      duration: run.durationMs,
      tokensUsed: 0,
      tokensDirect: accounting.directTokens,
      tokensSaved: 0,
      memoryUsed: run.peakRssBytes,
      toolsCalled: accounting.toolsCalled,
    },
  };
  if (accounting.warnings.length > 0) result.warnings = accounting.warnings;
  if (run.status === "completed" && run.value !== undefined) {
    const cut = truncateJson(run.value, accounting.maxResultBytes);
    result.data = cut.value;
    if (cut.truncated) {
      result.dataTruncated = true;
      result.logs = [
        ...result.logs,
        `[mcp-executor] the return value (${cut.originalBytes} bytes as JSON) was cut to the maxResultBytes limit of ${accounting.maxResultBytes} bytes`,
      ];
    }
  }
  if (run.error !== undefined) {
    // The sandbox has removed control sequences; an error is no larger than a return value may be.
    const max = accounting.maxResultBytes;
    const error: TaskErrorInfo = {
      name: cutText(run.error.name, 200),
      code: cutText(run.error.code, 200),
      message: cutText(run.error.message, max),
    };
    if (run.error.stack !== undefined) error.stack = cutText(run.error.stack, max);
    result.error = error;
  }
  return withTokens(task, result);
}

/**
 * The result of a task refused or cancelled before it ran.
 *
 * @param task The task.
 * @param status `"failed"` or `"cancelled"`.
 * @param error Why it did not run.
 * @param directTokens Classic tool calling's fixed cost (the tool definitions).
 * @returns The result, with token counts (counted without holding the event loop).
 */
export function resultWithoutRun(
  task: AgentTask,
  status: "failed" | "cancelled",
  error: TaskErrorInfo,
  directTokens: number,
): Promise<TaskResult> {
  return withTokens(task, {
    id: task.id,
    status,
    logs: [],
    error,
    stats: {
      duration: 0,
      tokensUsed: 0,
      tokensDirect: directTokens,
      tokensSaved: 0,
      memoryUsed: 0,
      toolsCalled: [],
    },
  });
}
