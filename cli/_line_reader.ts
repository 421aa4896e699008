/**
 * Lines typed on stdin, read without blocking the event loop (unlike `prompt()`), so that timers and network
 * streams go on while a person thinks. A question that is withdrawn stops waiting; the next line goes to the next
 * question.
 *
 * @module
 */

/** Reads stdin line by line; one reader per process. */
export class LineReader {
  #lines: string[] = [];
  #waiters: ((line: string | null) => void)[] = [];
  #ended = false;
  #started = false;
  #source: ReadableStream<Uint8Array>;

  /**
   * @param source Where lines come from. Default: stdin.
   */
  constructor(source: ReadableStream<Uint8Array> = Deno.stdin.readable) {
    this.#source = source;
  }

  /**
   * The next line, without its line break.
   *
   * @param signal Stops waiting (the line then goes to a later reader).
   * @returns The line, or `null` at the end of input or when the signal aborted.
   */
  read(signal?: AbortSignal): Promise<string | null> {
    this.#start();
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (value: string | null) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(null);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    void (async () => {
      let buffer = "";
      try {
        for await (const text of this.#source.pipeThrough(new TextDecoderStream())) {
          buffer += text;
          let end;
          while ((end = buffer.indexOf("\n")) >= 0) {
            this.#push(buffer.slice(0, end).replace(/\r$/, ""));
            buffer = buffer.slice(end + 1);
          }
        }
      } catch {
        // stdin closed under us: the end of input.
      }
      if (buffer !== "") this.#push(buffer);
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter(null);
    })();
  }

  #push(line: string): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(line);
    else this.#lines.push(line);
  }
}
