/**
 * Waiting for this process's children to go quiet, from `/proc`: the orchestrator does not expose its sandbox pool,
 * so `bench/speed.ts` cannot call `SandboxPool.settled()`. Instead it waits until every descendant process (sandbox
 * processes and MCP servers) has used no CPU for a while and none has appeared or gone, which is when the pool has
 * refilled: a sandbox process starting uses ~30 ms of CPU, far above one clock tick.
 *
 * @module
 */

interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

const HAS_PROC = (() => {
  try {
    Deno.statSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
})();

function readStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** The descendants of this process and their CPU ticks. */
function descendants(): Map<number, number> {
  const all = new Map<number, ProcStat>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(entry.name);
    if (stat !== undefined) all.set(Number(entry.name), stat);
  }
  const result = new Map<number, number>();
  const frontier = [Deno.pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, stat] of all) {
      if (stat.ppid === parent && !result.has(pid)) {
        result.set(pid, stat.ticks);
        frontier.push(pid);
      }
    }
  }
  return result;
}

function same(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [pid, ticks] of a) if (b.get(pid) !== ticks) return false;
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until this process's descendants are quiet: the same processes, with no new CPU ticks, over `quietMs`
 * (checked every `stepMs`). Without `/proc` it sleeps `fallbackMs`.
 *
 * @param options `quietMs` (default 40), `stepMs` (default 20), `maxMs` (default 5,000), `fallbackMs` (default 300).
 * @returns How long it waited, in milliseconds.
 */
export async function waitQuiet(
  options: { quietMs?: number; stepMs?: number; maxMs?: number; fallbackMs?: number } = {},
): Promise<number> {
  const start = performance.now();
  if (!HAS_PROC) {
    await sleep(options.fallbackMs ?? 300);
    return performance.now() - start;
  }
  const quietMs = options.quietMs ?? 40;
  const stepMs = options.stepMs ?? 20;
  const maxMs = options.maxMs ?? 5_000;
  let last = descendants();
  let quietSince = performance.now();
  while (performance.now() - start < maxMs) {
    await sleep(stepMs);
    const now = descendants();
    if (!same(last, now)) {
      last = now;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= quietMs) break;
  }
  return performance.now() - start;
}

/**
 * CPU time of this process and of its children that have exited and been waited for (Deno reaps a killed sandbox
 * process when its status is awaited), from `/proc/self/stat`.
 *
 * @returns Milliseconds of user + system time, or `undefined` without `/proc`.
 */
export function cpuTimes(): { self: number; reapedChildren: number } | undefined {
  if (!HAS_PROC) return undefined;
  const text = Deno.readTextFileSync("/proc/self/stat");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ").map(Number);
  // fields[0] is field 3: utime 14, stime 15, cutime 16, cstime 17, in clock ticks of 10 ms.
  return {
    self: (fields[11]! + fields[12]!) * 10,
    reapedChildren: (fields[13]! + fields[14]!) * 10,
  };
}

function isSandbox(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("sandbox_runtime/bootstrap.ts");
  } catch {
    return false;
  }
}

/**
 * The live sandbox processes among this process's descendants (their command line runs `bootstrap.ts`) and their
 * CPU time so far. With process reuse a pooled process outlives many tasks, so the CPU of a batch is the reaped
 * children's plus the change in the live ones'.
 *
 * @returns Process id to milliseconds of user + system time; empty without `/proc`.
 */
export function liveSandboxCpu(): Map<number, number> {
  const result = new Map<number, number>();
  if (!HAS_PROC) return result;
  for (const [pid, ticks] of descendants()) {
    if (isSandbox(pid)) result.set(pid, ticks * 10);
  }
  return result;
}

/**
 * The proportional set size (PSS) and resident set size of each live sandbox process, from
 * `/proc/<pid>/smaps_rollup` and `/proc/<pid>/status`.
 *
 * @returns One entry per process, in MB; empty without `/proc`.
 */
export function sandboxMemory(): Array<{ pssMb: number; rssMb: number }> {
  const result: Array<{ pssMb: number; rssMb: number }> = [];
  for (const pid of liveSandboxCpu().keys()) {
    try {
      const pss = /^Pss:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`));
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
      if (pss !== null && rss !== null) {
        result.push({ pssMb: Number(pss[1]) / 1024, rssMb: Number(rss[1]) / 1024 });
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return result;
}
