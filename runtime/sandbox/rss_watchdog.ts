/**
 * Watches a child process's resident memory. ArrayBuffers live outside V8's heap, so the heap cap alone lets a
 * sandbox grow without bound; this samples `VmRSS` from `/proc/<pid>/status` and reports when it crosses a limit.
 *
 * @module
 */

/** Memory figures of one process, in bytes. */
export interface MemorySample {
  /** Resident set size now (`VmRSS`). */
  rssBytes: number;
  /** The highest resident set size so far (`VmHWM`). */
  peakBytes: number;
}

/**
 * Reads a process's resident memory from `/proc/<pid>/status` (Linux only).
 *
 * @param pid The process id.
 * @returns The sample, or `undefined` when the process is gone or `/proc` is not there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMemory } from "./rss_watchdog.ts";
 * const sample = await readMemory(Deno.pid);
 * if (sample !== undefined) assert.ok(sample.rssBytes > 0);
 * ```
 */
export async function readMemory(pid: number): Promise<MemorySample | undefined> {
  try {
    return parseStatus(await Deno.readTextFile(`/proc/${pid}/status`));
  } catch {
    return undefined;
  }
}

/**
 * Reads a process's resident memory synchronously (a few microseconds: no trip through the event loop).
 *
 * @param pid The process id.
 * @returns The sample, or `undefined` when the process is gone or `/proc` is not there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMemorySync } from "./rss_watchdog.ts";
 * const sample = readMemorySync(Deno.pid);
 * if (sample !== undefined) assert.ok(sample.peakBytes >= sample.rssBytes);
 * ```
 */
export function readMemorySync(pid: number): MemorySample | undefined {
  try {
    return parseStatus(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return undefined;
  }
}

function parseStatus(text: string): MemorySample | undefined {
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  if (rss === null) return undefined;
  const peak = /^VmHWM:\s+(\d+) kB/m.exec(text);
  const rssBytes = Number(rss[1]) * 1024;
  return {
    rssBytes,
    peakBytes: peak === null ? rssBytes : Math.max(rssBytes, Number(peak[1]) * 1024),
  };
}

/**
 * Tells whether the resident-memory limit can be enforced here: it needs `/proc/<pid>/status` (Linux). Where it
 * cannot (macOS, or a host denied read access to `/proc`), `memoryLimitMb` does nothing and only `heapMb` caps a
 * sandbox's memory; the orchestrator logs this warning at start.
 *
 * @returns A warning to log, or `undefined` when the limit is enforced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryWatchWarning } from "./rss_watchdog.ts";
 * const warning = memoryWatchWarning();
 * if (warning !== undefined) assert.match(warning, /memoryLimitMb is not enforced/);
 * ```
 */
export function memoryWatchWarning(): string | undefined {
  if (readMemorySync(Deno.pid) !== undefined) return undefined;
  return "memoryLimitMb is not enforced here: /proc/<pid>/status cannot be read (it exists on Linux only), so the resident memory of sandbox processes (ArrayBuffers outside the V8 heap) is not watched; heapMb still caps their JavaScript heap";
}

/** Options for {@linkcode RssWatchdog}. */
export interface RssWatchdogOptions {
  /** The resident memory, in bytes, above which `onExceeded` is called once. */
  limitBytes: number;
  /** How often to sample, in milliseconds. Default: 50. */
  intervalMs?: number;
  /** Called once, with the sample, when the limit is crossed. */
  onExceeded(sample: MemorySample): void;
}

/**
 * Samples a process's memory at an interval until stopped, keeping the peak and calling back once when the
 * resident set crosses the limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RssWatchdog } from "./rss_watchdog.ts";
 * const watchdog = new RssWatchdog(Deno.pid, { limitBytes: 64 * 2 ** 30, onExceeded: () => {} });
 * await new Promise((resolve) => setTimeout(resolve, 60));
 * watchdog.stop(true);
 * await watchdog.idle;
 * assert.ok(watchdog.peakBytes >= 0);
 * ```
 */
export class RssWatchdog {
  #pid: number;
  #options: RssWatchdogOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sampling: Promise<void> | undefined;
  #stopped = false;
  #fired = false;
  #peakBytes = 0;

  /**
   * Starts sampling; the first sample comes after one interval.
   *
   * @param pid The process to watch.
   * @param options The limit, the interval and the callback.
   */
  constructor(pid: number, options: RssWatchdogOptions) {
    this.#pid = pid;
    this.#options = options;
    // The first sample waits one interval: a short task gets its sample from stop() instead.
    this.#timer = setTimeout(() => this.#tick(), options.intervalMs ?? 50);
  }

  /** The highest resident memory seen, in bytes (0 before the first sample). */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Resolves when no sample is in flight. */
  get idle(): Promise<void> {
    return this.#sampling ?? Promise.resolve();
  }

  /**
   * Stops sampling, optionally after one last synchronous sample (to catch the peak of a process still alive).
   *
   * @param lastSample Take the last sample; pass `false` for a process that is gone.
   */
  stop(lastSample: boolean): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (lastSample) this.#record(readMemorySync(this.#pid));
  }

  #tick(): void {
    this.#sampling = this.#sample().then(() => {
      this.#sampling = undefined;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => this.#tick(), this.#options.intervalMs ?? 50);
      }
    });
  }

  async #sample(): Promise<void> {
    this.#record(await readMemory(this.#pid));
  }

  #record(sample: MemorySample | undefined): void {
    if (sample === undefined) return;
    this.#peakBytes = Math.max(this.#peakBytes, sample.peakBytes);
    if (!this.#fired && sample.rssBytes > this.#options.limitBytes) {
      this.#fired = true;
      this.#options.onExceeded(sample);
    }
  }
}
