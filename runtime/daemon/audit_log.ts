/**
 * The audit trail: one JSON line per tool call and one per task, with sizes, codes and durations and never
 * argument or result values, appended to a file that is rotated when it reaches a size.
 *
 * @module
 */

import { z } from "zod";
import { logger } from "../log.ts";
import type { OrchestratorEvent, OrchestratorEventListener } from "../orchestrator/mod.ts";
import { type AuditChain, type AuditRecord, FileAuditChain } from "../state/mod.ts";

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
  return JSON.stringify(auditRecord(event));
}

/** The fields of an event's audit line, before the chain adds `seq`, `prev` and `hash`. */
function auditRecord(event: OrchestratorEvent): AuditRecord {
  if (event.type === "tool_call") {
    const a = event.approval;
    return {
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
    };
  }
  return {
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
  };
}

/**
 * Appends audit lines from one writer, in order, in batches, without holding the event loop, to a chained file
 * (rotated before it would pass `maxBytes`) or to a state store's {@linkcode AuditChain} (`{ chain }`). Each line
 * carries `seq`, `prev` and `hash` (see `mcpx audit verify`). A write failure (disk full, folder removed, database
 * down) is logged once, the lines are counted as lost, and the next write tries again; once it works, a line
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
 * assert.match(await Deno.readTextFile(`${dir}/audit.jsonl`), /"taskId":"t1".*"seq":1/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AuditLog implements AsyncDisposable {
  #chain: AuditChain;
  #ownsChain: boolean;
  #queue: AuditRecord[] = [];
  #busy = false;
  #waiters: (() => void)[] = [];
  #failing = false;
  #unreported = 0;
  #lost = 0;
  #closed = false;
  #replica: string | undefined;

  /**
   * Prepares the log; a file is opened on the first write.
   *
   * @param target A file with its rotation settings, or `{ chain }`: a store's audit chain, which the store closes;
   *   with `replica`, every line names the replica that wrote it (before it is hashed, so the chain covers it).
   * @throws {TypeError} When file options do not match {@linkcode auditConfigSchema}.
   */
  constructor(target: AuditLogOptions | { chain: AuditChain; replica?: string | undefined }) {
    if ("chain" in target) {
      this.#chain = target.chain;
      this.#ownsChain = false;
      this.#replica = target.replica || undefined;
      return;
    }
    const parsed = auditConfigSchema.safeParse(target);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(
        `Cannot open audit log: field "${issue?.path.join(".") ?? ""}": ${issue?.message ?? ""}`,
      );
    }
    this.#chain = new FileAuditChain({
      file: target.file,
      maxBytes: target.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES,
      keep: target.keep ?? DEFAULT_AUDIT_KEEP,
    });
    this.#ownsChain = true;
  }

  /** Where lines go: the file, or the store's table. */
  get path(): string {
    return this.#chain.where;
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
    const record = auditRecord(event);
    if (this.#replica !== undefined) record.replica = this.#replica;
    this.#queue.push(record);
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
   * Writes what is queued and closes the file (a store's chain is left to the store); later events are ignored.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#ownsChain) await this.#chain.close();
  }

  /** Same as {@linkcode AuditLog.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #drain(): Promise<void> {
    const gather = this.#chain.gatherMs ?? 0;
    if (gather > 0 && !this.#closed) await new Promise((resolve) => setTimeout(resolve, gather));
    while (this.#queue.length > 0) {
      const records = this.#queue.splice(0, BATCH_LINES);
      await this.#writeBatch(records);
    }
    this.#busy = false;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  async #writeBatch(records: AuditRecord[]): Promise<void> {
    const gap = this.#unreported;
    if (gap > 0) {
      const line: AuditRecord = { time: new Date().toISOString(), type: "audit_gap", lost: gap };
      if (this.#replica !== undefined) line.replica = this.#replica;
      records.unshift(line);
    }
    try {
      await this.#chain.append(records);
      this.#unreported -= gap;
      if (this.#failing) {
        this.#failing = false;
        log.info("Writing the audit log {file} works again; {lost} lines were lost", {
          file: this.#chain.where,
          lost: gap,
        });
      }
    } catch (error) {
      this.#lose(records.length - (gap > 0 ? 1 : 0));
      if (!this.#failing) {
        this.#failing = true;
        log.error(
          "Cannot write the audit log {file}: {error}; lines are lost until a write works again",
          {
            file: this.#chain.where,
            error: error instanceof Error ? error.message : String(error),
          },
        );
      }
    }
  }

  #lose(count: number): void {
    this.#lost += count;
    this.#unreported += count;
  }
}
