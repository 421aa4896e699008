/**
 * Whether a sandbox process whose Worker was just replaced may run another task. `worker.terminate()` does not end a
 * Worker stuck in a synchronous loop or in `Atomics.wait`: its thread lives on (spinning, or waiting) beside the
 * fresh Worker. Deno names each Worker's thread `worker-<n>`, so the check reads the child's threads from
 * `/proc/<pid>/task/`: exactly one Worker thread (the fresh one) may be left, the process may use almost no CPU
 * while it waits, its working folder must be the one it started in, and its resident memory must be under the reuse
 * cap (what it held when first ready plus `maxReuseRssGrowthMb`). Anything unreadable fails the check.
 *
 * @module
 */

/** Limits of {@linkcode checkReusable}. */
export interface ReuseCheckOptions {
  /** The most resident memory, in bytes, a process may hold to be reused. */
  maxRssBytes: number;
  /** How long the process is watched while idle, in milliseconds. Default: 10. */
  windowMs?: number;
  /** The most CPU time, in milliseconds, the whole process may use in that window. Default: 2. */
  maxCpuMs?: number;
  /** How long to wait for an ended Worker's thread to go away, in windows. Default: 5. */
  attempts?: number;
  /**
   * The working folder the process started in. The working folder is the process's, not the Worker's: a task that
   * changed it (`Deno.chdir` into a folder it may read) would leave it to the next task, so the process must still
   * be there. Not checked when absent.
   */
  cwd?: string;
}

interface ThreadSample {
  name: string;
  cpuNs: number;
}

/**
 * Tells why a sandbox process must not be reused, after its Worker was replaced and the new one reported ready.
 *
 * @param pid The sandbox process.
 * @param options The memory cap and the idle window.
 * @returns `undefined` when the process may be reused, otherwise the reason it may not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReusable } from "./reuse_check.ts";
 * // The test process itself runs no Worker thread, so it is not "one fresh Worker, idle".
 * const reason = await checkReusable(Deno.pid, { maxRssBytes: 2 ** 40 });
 * assert.match(reason ?? "", /Worker thread/);
 * ```
 */
export async function checkReusable(
  pid: number,
  options: ReuseCheckOptions,
): Promise<string | undefined> {
  const windowMs = options.windowMs ?? 10;
  const maxCpuNs = (options.maxCpuMs ?? 2) * 1e6;
  const attempts = options.attempts ?? 5;
  try {
    // First the ended Worker's thread must go (polled every millisecond, for at most `attempts` windows): its
    // teardown is not idle time. Then one whole window with exactly one Worker thread and almost no CPU.
    const deadline = performance.now() + attempts * windowMs;
    let before = await sampleThreads(pid);
    while (workerCount(before) !== 1) {
      if (performance.now() > deadline) {
        return `${workerCount(before)} Worker threads are alive after the Worker was replaced`;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      before = await sampleThreads(pid);
    }
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = await sampleThreads(pid);
    const workers = workerCount(after);
    if (workers !== 1) return `${workers} Worker threads are alive after the Worker was replaced`;
    let cpuNs = 0;
    for (const [tid, thread] of after) cpuNs += thread.cpuNs - (before.get(tid)?.cpuNs ?? 0);
    if (cpuNs > maxCpuNs) {
      return `it used ${(cpuNs / 1e6).toFixed(1)} ms of CPU in ${windowMs} ms while idle`;
    }
    if (options.cwd !== undefined) {
      const [now, start] = await Promise.all([
        Deno.readLink(`/proc/${pid}/cwd`),
        Deno.realPath(options.cwd),
      ]);
      if (now !== start) return "its working folder was changed";
    }
    const rss = await rssBytes(pid);
    if (rss > options.maxRssBytes) {
      return `it holds ${Math.round(rss / 2 ** 20)} MB of resident memory, over the reuse cap of ${
        Math.round(options.maxRssBytes / 2 ** 20)
      } MB`;
    }
    return undefined;
  } catch (error) {
    return `its threads cannot be read: ${(error as Error).name}`;
  }
}

function workerCount(threads: Map<number, ThreadSample>): number {
  let count = 0;
  for (const thread of threads.values()) if (thread.name.startsWith("worker-")) count++;
  return count;
}

async function sampleThreads(pid: number): Promise<Map<number, ThreadSample>> {
  const threads = new Map<number, ThreadSample>();
  const tids: number[] = [];
  for await (const entry of Deno.readDir(`/proc/${pid}/task`)) tids.push(Number(entry.name));
  await Promise.all(tids.map(async (tid) => {
    try {
      const [name, stat] = await Promise.all([
        Deno.readTextFile(`/proc/${pid}/task/${tid}/comm`),
        Deno.readTextFile(`/proc/${pid}/task/${tid}/schedstat`),
      ]);
      threads.set(tid, { name: name.trim(), cpuNs: Number(stat.split(" ")[0]) });
    } catch (error) {
      // A thread that ended between the listing and the read is simply gone.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }));
  return threads;
}

/**
 * The resident memory of a process, from `/proc/<pid>/status`.
 *
 * @param pid The process.
 * @returns VmRSS in bytes.
 * @throws {Error} When it cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rssBytes } from "./reuse_check.ts";
 * assert.ok(await rssBytes(Deno.pid) > 0);
 * ```
 */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (match === null) throw new Error("no VmRSS");
  return Number(match[1]) * 1024;
}

/** What {@linkcode checkFreshWorker} needs. */
export interface FreshWorkerOptions {
  /** The sandbox process. */
  pid: number;
  /** How long the fresh Worker may take to report ready, in milliseconds. */
  timeoutMs: number;
  /** The most resident memory, in bytes, a process may hold to be reused. */
  maxRssBytes: number;
  /** The working folder the process started in (see {@linkcode ReuseCheckOptions.cwd}). */
  cwd?: string;
}

/**
 * Waits for a recycled process's fresh Worker to report ready, then runs {@linkcode checkReusable}.
 *
 * @param ready Resolves when the fresh Worker's `ready` (with the right nonce) arrived.
 * @param options The process, the deadline and the memory cap.
 * @returns `undefined` when the process may be reused, otherwise the reason it may not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFreshWorker } from "./reuse_check.ts";
 * const never = new Promise<void>(() => {});
 * const reason = await checkFreshWorker(never, { pid: Deno.pid, timeoutMs: 10, maxRssBytes: 2 ** 40 });
 * assert.equal(reason, "its fresh Worker was not ready in time");
 * ```
 */
export async function checkFreshWorker(
  ready: Promise<void>,
  options: FreshWorkerOptions,
): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const inTime = await Promise.race([
    ready.then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), options.timeoutMs)),
  ]);
  clearTimeout(timer);
  if (!inTime) return "its fresh Worker was not ready in time";
  return await checkReusable(options.pid, {
    maxRssBytes: options.maxRssBytes,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
}
