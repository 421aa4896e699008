/**
 * The host's own cap on console output from a sandbox. The Worker caps its logs too, but agent code can post log
 * messages itself, so the host counts again and never keeps more than the limit.
 *
 * @module
 */

/**
 * Collects log lines up to a byte limit; the line that crosses it is cut, later ones are dropped, and
 * {@linkcode LogBuffer.lines} ends with a note saying how much was cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogBuffer } from "./log_buffer.ts";
 * const logs = new LogBuffer(8);
 * logs.add("12345");
 * logs.add("67890");
 * assert.equal(logs.lines()[1], "678");
 * assert.equal(
 *   logs.lines()[2],
 *   '[2 bytes of log output cut: the limit is 8 bytes (limit "maxLogBytes")]',
 * );
 * ```
 */
export class LogBuffer {
  #limit: number;
  #lines: string[] = [];
  #bytes = 0;
  #dropped = 0;
  #encoder = new TextEncoder();

  /** @param limitBytes The most UTF-8 bytes of log text to keep. */
  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  /**
   * Adds one line, or the part of it that fits.
   *
   * @param text The line's text.
   */
  add(text: string): void {
    const remaining = this.#limit - this.#bytes;
    if (remaining <= 0) {
      this.#dropped += this.#byteLength(text);
      return;
    }
    if (text.length * 3 <= remaining) {
      this.#bytes += this.#byteLength(text);
      this.#lines.push(text);
      return;
    }
    const bytes = this.#encoder.encode(text);
    if (bytes.length <= remaining) {
      this.#bytes += bytes.length;
      this.#lines.push(text);
      return;
    }
    const { read, written } = this.#encoder.encodeInto(text, new Uint8Array(remaining));
    this.#lines.push(text.slice(0, read));
    this.#bytes += written;
    this.#dropped += bytes.length - written;
  }

  /**
   * Counts bytes that were cut elsewhere (by the Worker) into the note.
   *
   * @param bytes How many bytes were cut.
   */
  addDropped(bytes: number): void {
    this.#dropped += bytes;
  }

  /**
   * The kept lines, plus a final note when anything was cut.
   *
   * @returns A new array.
   */
  lines(): string[] {
    if (this.#dropped === 0) return [...this.#lines];
    return [
      ...this.#lines,
      `[${this.#dropped} bytes of log output cut: the limit is ${this.#limit} bytes (limit "maxLogBytes")]`,
    ];
  }

  #byteLength(text: string): number {
    return this.#encoder.encode(text).length;
  }
}
