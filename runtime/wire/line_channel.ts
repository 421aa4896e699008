/**
 * Newline-delimited text over a byte stream: the framing of the control channel between the host and a sandbox
 * process. Both ends use it; the host also caps the size of a line.
 *
 * Both sides of the sandbox use this file: it imports nothing outside `runtime/wire/` and no npm package.
 *
 * @module
 */

const NEWLINE = 0x0a;

/** The part of `Deno.Conn` a {@linkcode LineWriter} needs. */
export interface ByteWriter {
  /** Writes some of the bytes; resolves to how many were written. */
  write(bytes: Uint8Array): Promise<number>;
}

/** The part of `Deno.Conn` {@linkcode readLines} needs. */
export interface ByteReader {
  /** Reads into the buffer; resolves to the count read, or `null` at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Options for {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** The longest line accepted, in bytes, without its newline. Default: no limit. */
  maxLineBytes?: number;
  /** The size of the read buffer. Default: 64 KiB. */
  bufferBytes?: number;
}

/**
 * Reads newline-terminated UTF-8 lines from a stream until it ends, calling `onLine` for each one in order.
 * An unterminated last line is dropped.
 *
 * @param reader The stream to read, e.g. a `Deno.UnixConn`.
 * @param onLine Called synchronously with each line, without its newline.
 * @param options The line size cap and buffer size.
 * @returns A promise that resolves when the stream ends.
 * @throws {RangeError} When a line is longer than `maxLineBytes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLines } from "./line_channel.ts";
 * const bytes = new TextEncoder().encode("a\nb\n");
 * let done = false;
 * const reader = {
 *   read(buffer: Uint8Array): Promise<number | null> {
 *     if (done) return Promise.resolve(null);
 *     done = true;
 *     buffer.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * };
 * const lines: string[] = [];
 * await readLines(reader, (line) => lines.push(line));
 * assert.equal(lines.join(), "a,b");
 * ```
 */
export async function readLines(
  reader: ByteReader,
  onLine: (line: string) => void,
  options: ReadLinesOptions = {},
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? Infinity;
  const buffer = new Uint8Array(options.bufferBytes ?? 64 * 1024);
  const decoder = new TextDecoder();
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  while (true) {
    const count = await reader.read(buffer);
    if (count === null) return;
    let start = 0;
    while (start < count) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end === -1 || end >= count) break;
      const piece = buffer.subarray(start, end);
      if (pendingBytes + piece.length > maxLineBytes) throw tooLong(maxLineBytes);
      if (pending.length === 0) {
        onLine(decoder.decode(piece));
      } else {
        pending.push(piece);
        onLine(decoder.decode(concat(pending, pendingBytes + piece.length)));
        pending.length = 0;
        pendingBytes = 0;
      }
      start = end + 1;
    }
    if (start < count) {
      pending.push(buffer.slice(start, count));
      pendingBytes += count - start;
      if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
    }
  }
}

/**
 * Writes lines to a stream in order, batching the lines queued while a write is in flight into one write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineWriter } from "./line_channel.ts";
 * const chunks: Uint8Array[] = [];
 * const writer = new LineWriter({
 *   write(bytes: Uint8Array): Promise<number> {
 *     chunks.push(bytes.slice());
 *     return Promise.resolve(bytes.length);
 *   },
 * });
 * writer.send('{"type":"ready"}');
 * await writer.flushed();
 * assert.equal(new TextDecoder().decode(chunks[0]), '{"type":"ready"}\n');
 * ```
 */
export class LineWriter {
  #writer: ByteWriter;
  #queue: string[] = [];
  #flushing: Promise<void> | undefined;
  #error: unknown;
  #encoder = new TextEncoder();

  /** @param writer The stream to write, e.g. a `Deno.UnixConn`. */
  constructor(writer: ByteWriter) {
    this.#writer = writer;
  }

  /**
   * Queues one line. The caller makes sure it holds no newline (JSON text never does).
   *
   * @param line The line, without its newline.
   */
  send(line: string): void {
    if (this.#error !== undefined) return;
    this.#queue.push(line);
    this.#flushing ??= this.#flush();
  }

  /**
   * Waits until every queued line is written.
   *
   * @returns A promise that resolves when the queue is empty, or rejects with the write error.
   */
  async flushed(): Promise<void> {
    await this.#flushing;
    if (this.#error !== undefined) throw this.#error;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const text = this.#queue.join("\n") + "\n";
        this.#queue.length = 0;
        let bytes = this.#encoder.encode(text);
        while (bytes.length > 0) {
          const written = await this.#writer.write(bytes);
          bytes = bytes.subarray(written);
        }
      }
    } catch (error) {
      this.#error = error;
      this.#queue.length = 0;
    } finally {
      this.#flushing = undefined;
    }
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function tooLong(maxLineBytes: number): RangeError {
  return new RangeError(`Cannot read message: it is longer than ${maxLineBytes} bytes`);
}
