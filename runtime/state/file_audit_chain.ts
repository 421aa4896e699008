/**
 * The embedded engine's audit chain: JSON lines appended to a file that is rotated at a size, the chain going on
 * across rotations (a new file's first line names the last hash of the one before) and restarts (the head is read
 * back from the file at the first append).
 *
 * @module
 */

import { dirname } from "node:path";
import {
  type AuditChain,
  AuditChainChecker,
  type AuditHead,
  type AuditRecord,
  type AuditVerdict,
  chainAuditRecords,
} from "./audit_chain.ts";

/**
 * Options for {@linkcode FileAuditChain}.
 *
 * @example
 * ```ts
 * import type { FileAuditChainOptions } from "./file_audit_chain.ts";
 * import assert from "node:assert/strict";
 * const options: FileAuditChainOptions = { file: "/tmp/audit.jsonl", maxBytes: 65_536, keep: 2 };
 * assert.equal(options.keep, 2);
 * ```
 */
export interface FileAuditChainOptions {
  /** The file lines are appended to (created `0600`, its folder `0700` if missing). */
  file: string;
  /** Rotate before a write would take the file past this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept, as `<file>.1` (newest) to `<file>.<keep>`; 0 keeps none. Default 5. */
  keep?: number;
}

/** How far back from a file's end the head is looked for. */
const TAIL_BYTES = 1024 * 1024;

/**
 * The audit chain in a file and its rotated predecessors. One writer per file: appends are serialized.
 *
 * @example
 * ```ts
 * import { FileAuditChain } from "./file_audit_chain.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const first = new FileAuditChain({ file: `${dir}/audit.jsonl` });
 * await first.append([{ type: "task" }]);
 * await first.close();
 * const again = new FileAuditChain({ file: `${dir}/audit.jsonl` });
 * await again.append([{ type: "task" }]);
 * assert.equal((await again.head()).seq, 2);
 * assert.ok((await again.verify()).intact);
 * await again.close();
 * ```
 */
export class FileAuditChain implements AuditChain {
  #path: string;
  #maxBytes: number;
  #keep: number;
  #file: Deno.FsFile | undefined;
  #size = 0;
  #head: AuditHead | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #encoder = new TextEncoder();

  /**
   * Prepares the chain; the file is opened and its head read at the first append.
   *
   * @param options The file, the rotation size and how many rotated files to keep.
   */
  constructor(options: FileAuditChainOptions) {
    this.#path = options.file;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#keep = options.keep ?? 5;
  }

  /** The file. */
  get where(): string {
    return this.#path;
  }

  /**
   * Chains and appends records, after every earlier append.
   *
   * @param records The records, in order.
   * @returns Resolves once written.
   * @throws {Error} When the file cannot be written; the head stays where it was.
   */
  append(records: readonly AuditRecord[]): Promise<void> {
    const run = this.#tail.then(() => this.#append(records));
    this.#tail = run.catch(() => {});
    return run;
  }

  /**
   * The last line written, read back from the files when nothing was written yet.
   *
   * @returns The head.
   */
  async head(): Promise<AuditHead> {
    await this.#tail;
    this.#head ??= await readFileHead(this.#path);
    return this.#head;
  }

  /**
   * Checks the rotated files, oldest first, then the file.
   *
   * @returns The verdict, naming the first broken line's file and line number.
   */
  async verify(): Promise<AuditVerdict> {
    await this.#tail;
    return await verifyAuditFile(this.#path);
  }

  /**
   * Closes the file after pending appends.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    await this.#tail;
    this.#closeFile();
  }

  async #append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      this.#head ??= await readFileHead(this.#path);
      const { lines, head } = chainAuditRecords(records, this.#head);
      const data = this.#encoder.encode(lines.map((l) => l.text).join("\n") + "\n");
      if (this.#file === undefined) await this.#open();
      if (this.#size > 0 && this.#size + data.length > this.#maxBytes) await this.#rotate();
      let written = 0;
      while (written < data.length) written += await this.#file!.write(data.subarray(written));
      this.#size += data.length;
      this.#head = head;
    } catch (error) {
      this.#closeFile();
      throw error;
    }
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

/** The head of the newest file that holds a chained line (the file, else `<file>.1`). */
async function readFileHead(path: string): Promise<AuditHead> {
  for (const candidate of [path, `${path}.1`]) {
    const head = await lastChainedLine(candidate);
    if (head !== undefined) return head;
  }
  return { seq: 0, hash: null };
}

async function lastChainedLine(path: string): Promise<AuditHead | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    const start = Math.max(0, size - TAIL_BYTES);
    await file.seek(start, Deno.SeekMode.Start);
    const bytes = new Uint8Array(size - start);
    let read = 0;
    while (read < bytes.length) {
      const n = await file.read(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    const lines = new TextDecoder().decode(bytes.subarray(0, read)).split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const line = JSON.parse(lines[i]!) as { seq?: unknown; hash?: unknown };
        if (typeof line.seq === "number" && typeof line.hash === "string") {
          return { seq: line.seq, hash: line.hash };
        }
      } catch {
        // A torn or partial line: look further back (verify reports it).
      }
    }
    return undefined;
  } finally {
    file.close();
  }
}

/**
 * Checks an audit file and its rotated predecessors (`<file>.N` ... `<file>.1`, oldest first, then `<file>`).
 *
 * @param path The audit file.
 * @returns The verdict; a break names the file and the 1-based line number.
 *
 * @example
 * ```ts
 * import { FileAuditChain, verifyAuditFile } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const chain = new FileAuditChain({ file: `${dir}/audit.jsonl` });
 * await chain.append([{ n: 1 }, { n: 2 }]);
 * await chain.close();
 * const text = await Deno.readTextFile(`${dir}/audit.jsonl`);
 * await Deno.writeTextFile(`${dir}/audit.jsonl`, text.replace('"n":2', '"n":7'));
 * const verdict = await verifyAuditFile(`${dir}/audit.jsonl`);
 * assert.equal(verdict.intact, false);
 * assert.equal(verdict.break?.line, 2);
 * ```
 */
export async function verifyAuditFile(path: string): Promise<AuditVerdict> {
  const files: string[] = [];
  for (let i = 1; i <= 1000; i++) {
    if (!await exists(`${path}.${i}`)) break;
    files.unshift(`${path}.${i}`);
  }
  if (await exists(path)) files.push(path);
  const checker = new AuditChainChecker();
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    if (lines.at(-1) === "") lines.pop();
    for (const [index, text] of lines.entries()) {
      const reason = checker.check(text);
      if (reason !== undefined) {
        const seq = /"seq":(\d+)/.exec(text)?.[1];
        return checker.verdict({
          file,
          line: index + 1,
          ...(seq === undefined ? {} : { seq: Number(seq) }),
          reason,
        });
      }
    }
  }
  return checker.verdict();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
