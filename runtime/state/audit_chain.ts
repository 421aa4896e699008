/**
 * The tamper-evident audit chain both engines keep: each line carries `seq`, `prev` (the previous line's hash) and
 * `hash`, the SHA-256 (hex) of the line's canonical JSON (RFC 8785) without `hash`.
 *
 * @module
 */

import { canonicalJsonHash } from "../codegen/mod.ts";

/**
 * One audit record before it is chained: a JSON object without `seq`, `prev` or `hash`.
 *
 * @example
 * ```ts
 * import type { AuditRecord } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const record: AuditRecord = { type: "task", taskId: "t1" };
 * assert.equal(record.type, "task");
 * ```
 */
export type AuditRecord = Record<string, unknown>;

/**
 * Where a chain ends: the last line's `seq` and `hash`; `{ seq: 0, hash: null }` for an empty chain.
 *
 * @example
 * ```ts
 * import type { AuditHead } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const empty: AuditHead = { seq: 0, hash: null };
 * assert.equal(empty.seq, 0);
 * ```
 */
export interface AuditHead {
  /** The last line's sequence number, 0 when there is none. */
  seq: number;
  /** The last line's hash, `null` when there is none. */
  hash: string | null;
}

/**
 * The first line that breaks a chain: where it is and why.
 *
 * @example
 * ```ts
 * import type { AuditBreak } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const b: AuditBreak = { file: "audit.jsonl", line: 3, seq: 3, reason: "its hash does not match its content" };
 * assert.equal(b.line, 3);
 * ```
 */
export interface AuditBreak {
  /** The file, for the embedded engine. */
  file?: string;
  /** The 1-based line number in `file`. */
  line?: number;
  /** The line's `seq`, when it could be read. */
  seq?: number;
  /** What is wrong with it. */
  reason: string;
}

/**
 * What {@linkcode AuditChainChecker} or a chain's `verify()` found.
 *
 * @example
 * ```ts
 * import type { AuditVerdict } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const v: AuditVerdict = { intact: true, lines: 0, unchained: 0, first: 0, head: { seq: 0, hash: null } };
 * assert.ok(v.intact);
 * ```
 */
export interface AuditVerdict {
  /** True when every chained line checks out. */
  intact: boolean;
  /** Chained lines checked. */
  lines: number;
  /** Lines before the chain starts that carry no hash (written before the chain existed). */
  unchained: number;
  /** The first chained line's `seq` (above 1 when older lines were rotated away), 0 when none. */
  first: number;
  /** The last good line. */
  head: AuditHead;
  /** The first line that breaks the chain. */
  break?: AuditBreak;
}

/**
 * Where the daemon appends its audit trail: a file (embedded) or a table (PostgreSQL).
 *
 * @example
 * ```ts
 * import { type AuditChain, FileAuditChain } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const chain: AuditChain = new FileAuditChain({ file: `${dir}/audit.jsonl` });
 * await chain.append([{ type: "task", taskId: "t1" }]);
 * assert.equal((await chain.head()).seq, 1);
 * assert.ok((await chain.verify()).intact);
 * await chain.close();
 * ```
 */
export interface AuditChain {
  /** Where the lines go, for logs: a file path or a table. */
  readonly where: string;
  /** Chains the records after the current head and stores them, in order, all or none. */
  append(records: readonly AuditRecord[]): Promise<void>;
  /**
   * How long a writer may hold a first line back to gather more into one `append` (default 0): an append to
   * PostgreSQL is a transaction under the chain's lock, so lines of a burst of calls are better written together.
   */
  readonly gatherMs?: number;
  /** The last stored line. */
  head(): Promise<AuditHead>;
  /** Checks every stored line and names the first that breaks the chain. */
  verify(): Promise<AuditVerdict>;
  /** Releases what the chain holds (an open file); the store's `close()` calls it. */
  close(): Promise<void>;
}

/**
 * Chains records after a head: the JSON lines to store and the new head.
 *
 * @param records The records, in order.
 * @param head The current head.
 * @returns The lines (without newline), their `seq`s and hashes, and the head after the last.
 *
 * @example
 * ```ts
 * import { chainAuditRecords } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const { lines, head } = chainAuditRecords([{ a: 1 }, { a: 2 }], { seq: 0, hash: null });
 * assert.equal(head.seq, 2);
 * assert.equal(JSON.parse(lines[1]!.text).prev, JSON.parse(lines[0]!.text).hash);
 * ```
 */
export function chainAuditRecords(
  records: readonly AuditRecord[],
  head: AuditHead,
): { lines: { seq: number; prev: string | null; hash: string; text: string }[]; head: AuditHead } {
  let { seq, hash: prev } = head;
  const lines = records.map((record) => {
    const { seq: _s, prev: _p, hash: _h, ...fields } = record;
    seq += 1;
    const body = { ...fields, seq, prev };
    const hash = canonicalJsonHash(body);
    const line = { seq, prev, hash, text: JSON.stringify({ ...body, hash }) };
    prev = hash;
    return line;
  });
  return { lines, head: { seq, hash: prev } };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks lines one after another. Lines without `hash` before the first chained one count as unchained (written
 * before the chain existed); the first chained line may start past 1 when older files were rotated away, and must
 * have `prev: null` when its `seq` is 1.
 *
 * @example
 * ```ts
 * import { AuditChainChecker, chainAuditRecords } from "./audit_chain.ts";
 * import assert from "node:assert/strict";
 * const { lines } = chainAuditRecords([{ a: 1 }, { a: 2 }], { seq: 0, hash: null });
 * const checker = new AuditChainChecker();
 * assert.equal(checker.check(lines[0]!.text), undefined);
 * assert.match(checker.check(lines[1]!.text.replace('"a":2', '"a":3')) ?? "", /hash/);
 * ```
 */
export class AuditChainChecker {
  #head: AuditHead | undefined;
  #lines = 0;
  #unchained = 0;
  #first = 0;

  /**
   * Checks the next line.
   *
   * @param text One JSON line.
   * @returns Why it breaks the chain, or `undefined` when it is fine.
   */
  check(text: string): string | undefined {
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      return "it is not JSON";
    }
    if (typeof line !== "object" || line === null || Array.isArray(line)) {
      return "it is not a JSON object";
    }
    const { hash, ...body } = line as Record<string, unknown>;
    if (hash === undefined && this.#head === undefined) {
      this.#unchained++;
      return undefined;
    }
    const { seq, prev } = body;
    if (typeof hash !== "string" || !HEX64.test(hash)) return "it has no valid hash";
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) {
      return "it has no valid seq";
    }
    if (prev !== null && (typeof prev !== "string" || !HEX64.test(prev))) {
      return "it has no valid prev";
    }
    if (canonicalJsonHash(body) !== hash) return "its hash does not match its content";
    if (this.#head === undefined) {
      if (seq === 1 && prev !== null) return "the first line names a previous line";
      this.#first = seq;
    } else {
      if (seq !== this.#head.seq + 1) return `its seq ${seq} does not follow ${this.#head.seq}`;
      if (prev !== this.#head.hash) return "its prev is not the hash of the line before";
    }
    this.#head = { seq, hash };
    this.#lines++;
    return undefined;
  }

  /**
   * The verdict so far.
   *
   * @param breaking The first break, when one was found.
   * @returns The verdict.
   */
  verdict(breaking?: AuditBreak): AuditVerdict {
    return {
      intact: breaking === undefined,
      lines: this.#lines,
      unchained: this.#unchained,
      first: this.#first,
      head: this.#head ?? { seq: 0, hash: null },
      ...(breaking === undefined ? {} : { break: breaking }),
    };
  }
}
