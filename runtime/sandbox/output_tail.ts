/**
 * Drains a child's output stream and keeps only its last lines, for diagnostics. A sandbox's stdout and stderr carry
 * untrusted text: they are read so the child never blocks on a full pipe, and never printed.
 *
 * @module
 */

/** Options for {@linkcode OutputTail}. */
export interface OutputTailOptions {
  /** How many of the last lines to keep. Default: 20; 0 keeps nothing and only drains. */
  maxLines?: number;
  /** Longer lines are cut to this many characters. Default: 500. */
  maxLineLength?: number;
}

/**
 * Reads a byte stream to its end, keeping its last few lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputTail } from "./output_tail.ts";
 * const tail = new OutputTail(ReadableStream.from([new TextEncoder().encode("a\nb\nc")]), { maxLines: 2 });
 * await tail.done;
 * assert.equal(tail.lines().join(), "b,c");
 * ```
 */
export class OutputTail {
  #lines: string[] = [];
  #partial = "";
  #maxLines: number;
  #maxLineLength: number;
  /** Resolves when the stream has ended (or failed). */
  readonly done: Promise<void>;

  /**
   * Starts draining at once.
   *
   * @param stream The stream to drain, e.g. a child's `stderr`.
   * @param options How many lines to keep and how long each may be.
   */
  constructor(stream: ReadableStream<Uint8Array>, options: OutputTailOptions = {}) {
    this.#maxLines = options.maxLines ?? 20;
    this.#maxLineLength = options.maxLineLength ?? 500;
    this.done = this.#drain(stream);
  }

  /**
   * The last lines seen, the unterminated one included.
   *
   * @returns A new array, oldest first.
   */
  lines(): string[] {
    const lines = this.#partial === "" ? [...this.#lines] : [...this.#lines, this.#partial];
    return this.#maxLines === 0 ? [] : lines.slice(-this.#maxLines);
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        if (this.#maxLines === 0) continue;
        this.#push(decoder.decode(chunk, { stream: true }));
      }
      if (this.#maxLines > 0) this.#push(decoder.decode());
    } catch {
      // The stream failed (the child is gone): what was read so far is all there is.
    }
  }

  #push(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = this.#cut(parts.pop() ?? "");
    for (const part of parts) {
      this.#lines.push(this.#cut(part));
      if (this.#lines.length > this.#maxLines) this.#lines.shift();
    }
  }

  #cut(line: string): string {
    return line.length > this.#maxLineLength ? `${line.slice(0, this.#maxLineLength)}...` : line;
  }
}
