/**
 * The audit trail: one JSON line per tool call and one per task, with sizes, codes and durations and never
 * argument or result values, appended to a file that is rotated when it reaches a size.
 *
 * @module
 */

import { dirname } from "node:path";
import { z } from "zod";
import { logger } from "../log.ts";
import type { OrchestratorEvent, OrchestratorEventListener } from "../orchestrator/mod.ts";

const log = logger("audit");

/**
 * Default size at which the file is rotated: 10 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_AUDIT_MAX_BYTES } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_AUDIT_MAX_BYTES, 10 * 1024 * 1024);
 * ```
 */
export const DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024;
/**
 * Default number of rotated files kept (`audit.jsonl.1` ... `.5`).
 *
 * @example
 * ```ts
 * import { DEFAULT_AUDIT_KEEP } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_AUDIT_KEEP, 5);
 * ```
 */
export const DEFAULT_AUDIT_KEEP = 5;
/** Lines held in memory while the disk is slow or failing; past it lines are counted as lost. */
const MAX_QUEUED_LINES = 100_000;
/** Lines written in one `write` call at most. */
const BATCH_LINES = 1_000;

/**
 * The `audit` section of `mcp-executor.json`: the file (relative paths are the config file's folder's, resolved by
 * the loader), the size it is rotated at, and how many rotated files are kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditConfigSchema } from "./audit_log.ts";
 * assert.ok(auditConfigSchema.safeParse({ file: "audit.jsonl", maxBytes: 1048576, keep: 3 }).success);
 * assert.ok(!auditConfigSchema.safeParse({ file: "" }).success);
 * ```
 */
export const auditConfigSchema: z.ZodType<AuditLogOptions> = z.strictObject({
  file: z.string().min(1),
  maxBytes: z.number().int().min(65_536).optional(),
  keep: z.number().int().min(0).max(100).optional(),
});

/**
 * Options for {@linkcode AuditLog}.
 *
 * @example
 * ```ts
 * import { AuditLog, type AuditLogOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const options: AuditLogOptions = { file: `${dir}/audit.jsonl`, maxBytes: 65_536, keep: 2 };
 * await using audit = new AuditLog(options);
 * audit.write({ type: "task", time: new Date().toISOString(), taskId: "t1", status: "completed", durationMs: 5,
 *   toolCalls: 0, tokensUsed: 10, tokensDirect: 20 });
 * await audit.flush();
 * assert.equal((await Deno.readTextFile(options.file)).split("\n").length, 2);
 * ```
 */
export interface AuditLogOptions {
  /** The file lines are appended to (created `0600`, its folder created if missing). */
  file: string;
  /** Rotate before a write would take the file past this many bytes. Default 10 MiB, at least 64 KiB. */
  maxBytes?: number;
  /** Rotated files kept, as `<file>.1` (newest) to `<file>.<keep>`; 0 keeps none. Default 5. */
  keep?: number;
}

/**
 * One audit line for an event: only the listed fields, so no value can slip in.
 *
 * @param event A tool-call or task event.
 * @returns The JSON line, without the newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditLine } from "@mcp-executor/runtime";
 * const line = auditLine({ type: "task", time: "2026-01-01T00:00:00.000Z", taskId: "t1", status: "completed",
 *   durationMs: 12, toolCalls: 2, tokensUsed: 40, tokensDirect: 900 });
 * assert.equal(JSON.parse(line).status, "completed");
 * ```
 */
export function auditLine(event: OrchestratorEvent): string {
  if (event.type === "tool_call") {
    const a = event.approval;
    return JSON.stringify({
      time: event.time,
      type: "tool_call",
      principal: event.principal,
      session: event.session,
      taskId: event.taskId,
      server: event.server,
      tool: event.tool,
      durationMs: event.durationMs,
      outcome: event.outcome,
      errorCode: event.errorCode,
      argsBytes: event.argsBytes,
      resultBytes: event.resultBytes,
      approval: a === undefined ? undefined : {
        rule: a.rule,
        action: a.action,
        approved: a.approved,
        waitMs: a.waitMs,
        answeredBy: a.answeredBy,
      },
    });
  }
  return JSON.stringify({
    time: event.time,
    type: "task",
    principal: event.principal,
    session: event.session,
    taskId: event.taskId,
    status: event.status,
    durationMs: event.durationMs,
    errorCode: event.errorCode,
    toolCalls: event.toolCalls,
    tokensUsed: event.tokensUsed,
    tokensDirect: event.tokensDirect,
  });
}

/**
 * Appends audit lines to a file from one writer, in order, in batches, without holding the event loop. The file is
 * rotated before it would pass `maxBytes`. A write failure (disk full, folder removed) is logged once, the lines
 * are counted as lost, and the next write tries again; once it works, a line
 * `{"type":"audit_gap","lost":N}` says how many were lost.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "@mcp-executor/runtime";
 * const dir = await Deno.makeTempDir();
 * await using audit = new AuditLog({ file: `${dir}/audit.jsonl` });
 * audit.write({ type: "task", time: new Date().toISOString(), taskId: "t1", status: "completed",
 *   durationMs: 5, toolCalls: 0, tokensUsed: 10, tokensDirect: 20 });
 * await audit.flush();
 * assert.match(await Deno.readTextFile(`${dir}/audit.jsonl`), /"taskId":"t1"/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AuditLog implements AsyncDisposable {
  #path: string;
  #maxBytes: number;
  #keep: number;
  #file: Deno.FsFile | undefined;
  #size = 0;
  #queue: string[] = [];
  #busy = false;
  #waiters: (() => void)[] = [];
  #failing = false;
  #unreported = 0;
  #lost = 0;
  #closed = false;
  #encoder = new TextEncoder();

  /**
   * Prepares the log; the file is opened on the first write.
   *
   * @param options The file, the rotation size and how many rotated files to keep.
   * @throws {TypeError} When the options do not match {@linkcode auditConfigSchema}.
   */
  constructor(options: AuditLogOptions) {
    const parsed = auditConfigSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(
        `Cannot open audit log: field "${issue?.path.join(".") ?? ""}": ${issue?.message ?? ""}`,
      );
    }
    this.#path = options.file;
    this.#maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.#keep = options.keep ?? DEFAULT_AUDIT_KEEP;
  }

  /** The file lines go to. */
  get path(): string {
    return this.#path;
  }

  /** Lines lost since start: while writing failed, or past the in-memory queue's limit. */
  get lost(): number {
    return this.#lost;
  }

  /**
   * Subscribes to an orchestrator's events.
   *
   * @param orch Anything with `onEvent`, e.g. `MCPOrchestrator`.
   * @returns A function that unsubscribes.
   */
  attach(orch: { onEvent(listener: OrchestratorEventListener): () => void }): () => void {
    return orch.onEvent((event) => this.write(event));
  }

  /**
   * Queues one event's line; it is written soon after, in order. Never throws.
   *
   * @param event A tool-call or task event.
   */
  write(event: OrchestratorEvent): void {
    if (this.#closed) return;
    if (this.#queue.length >= MAX_QUEUED_LINES) {
      this.#lose(1);
      return;
    }
    this.#queue.push(auditLine(event));
    if (!this.#busy) {
      this.#busy = true;
      void this.#drain();
    }
  }

  /**
   * Waits until every line queued so far is written (or counted as lost).
   *
   * @returns Resolves when the queue is empty.
   */
  flush(): Promise<void> {
    if (!this.#busy) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Writes what is queued and closes the file; later events are ignored.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#closeFile();
  }

  /** Same as {@linkcode AuditLog.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const lines = this.#queue.splice(0, BATCH_LINES);
      await this.#writeBatch(lines);
    }
    this.#busy = false;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  async #writeBatch(lines: string[]): Promise<void> {
    const gap = this.#unreported;
    if (gap > 0) {
      lines.unshift(
        JSON.stringify({ time: new Date().toISOString(), type: "audit_gap", lost: gap }),
      );
    }
    const data = this.#encoder.encode(lines.join("\n") + "\n");
    try {
      if (this.#file === undefined) await this.#open();
      if (this.#size > 0 && this.#size + data.length > this.#maxBytes) await this.#rotate();
      let written = 0;
      while (written < data.length) written += await this.#file!.write(data.subarray(written));
      this.#size += data.length;
      this.#unreported -= gap;
      if (this.#failing) {
        this.#failing = false;
        log.info("Writing the audit log {file} works again; {lost} lines were lost", {
          file: this.#path,
          lost: gap,
        });
      }
    } catch (error) {
      this.#closeFile();
      this.#lose(lines.length - (gap > 0 ? 1 : 0));
      if (!this.#failing) {
        this.#failing = true;
        log.error(
          "Cannot write the audit log {file}: {error}; lines are lost until a write works again",
          { file: this.#path, error: error instanceof Error ? error.message : String(error) },
        );
      }
    }
  }

  #lose(count: number): void {
    this.#lost += count;
    this.#unreported += count;
  }

  async #open(): Promise<void> {
    await Deno.mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    const file = await Deno.open(this.#path, { append: true, create: true, mode: 0o600 });
    try {
      this.#size = (await file.stat()).size;
    } catch (error) {
      file.close();
      throw error;
    }
    this.#file = file;
  }

  async #rotate(): Promise<void> {
    this.#closeFile();
    if (this.#keep === 0) {
      await Deno.remove(this.#path).catch(() => {});
    } else {
      for (let i = this.#keep - 1; i >= 1; i--) {
        await Deno.rename(`${this.#path}.${i}`, `${this.#path}.${i + 1}`).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
      }
      await Deno.rename(this.#path, `${this.#path}.1`);
    }
    await this.#open();
  }

  #closeFile(): void {
    try {
      this.#file?.close();
    } catch {
      // Already closed.
    }
    this.#file = undefined;
  }
}
