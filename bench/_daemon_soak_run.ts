/**
 * The daemon soak: the daemon started as a real subprocess serving Streamable HTTP (`cli/serve.ts --http`, as
 * `mcpx serve --http` runs it) over a real server-memory, and many SDK clients at once for a fixed time. Each client
 * opens a session, runs a mix of `execute_code` tasks (trivial, tool-calling, throwing, timing out, exhausting
 * memory, cancelled by aborting the request) and `search_tools` calls, and now and then ends its session with
 * `DELETE` and opens a new one. The daemon's resident memory, open descriptors and child processes are read from
 * /proc; its open sessions from `/healthz`. `bench/daemon_soak.ts` prints the table; `tests/daemon/soak_test.ts`
 * runs a short one and asserts that nothing leaked. Linux only (it reads /proc).
 *
 * @module
 */

import { Client, StreamableHTTPClientTransport } from "../runtime/sdk.ts";
import {
  callOnce,
  DAEMON_SOAK_KINDS,
  type DaemonSoakKind,
  judge,
  SOAK_CYCLE,
} from "./_daemon_soak_calls.ts";

export { DAEMON_SOAK_KINDS, type DaemonSoakKind };
import { daemonDir, descendants, httpDaemon, isAlive } from "../tests/daemon/_daemon.ts";
import { freePort } from "../tests/helpers/servers.ts";
import { heapAfterGc } from "./_inspector_heap.ts";

/** How the daemon process stood at one moment. */
export interface DaemonSample {
  /** Seconds since the clients started. */
  atSeconds: number;
  /** The daemon's resident memory, in bytes. */
  rssBytes: number;
  /** The daemon's open file descriptors. */
  fds: number;
  /** Of those, sockets (HTTP connections the clients keep alive, server pipes, sandbox control channels). */
  socketFds: number;
  /** Processes below the daemon (its MCP server, the sandbox pool and running sandboxes). */
  children: number;
}

/** Latency of one time window's calls. */
export interface DaemonSoakWindow {
  /** The window's index (0 = the first `windowSeconds`). */
  index: number;
  calls: number;
  /** Over every completed (not aborted) call, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Over the trivial calls only: the cleanest drift signal. */
  trivialP50Ms: number;
  trivialP99Ms: number;
  /** The daemon at the window's end. */
  sample: DaemonSample;
  /** The daemon's V8 heap in use after a full GC at the window's end, in bytes. */
  heapBytes: number;
}

/** What a daemon soak reports. */
export interface DaemonSoakReport {
  /** Calls per kind. */
  calls: Record<DaemonSoakKind, number>;
  /** Calls that ended with their kind's expected error (failed, timeout, memory_limit, the abort). */
  expectedErrors: Record<DaemonSoakKind, number>;
  /** Calls that did not end as their kind must, as `kind: what happened`. */
  unexpected: string[];
  /** Sessions opened (each client's first and every reopen). */
  sessionsOpened: number;
  /** `/healthz` sessions after every client ended its session. */
  sessionsLeft: number;
  /** `mcp_executor_tasks_total` by status, read from `/metrics` at the end. */
  tasksByStatus: Record<string, number>;
  windows: DaemonSoakWindow[];
  /** The daemon after start-up and one call, and after every client left. */
  start: DaemonSample;
  end: DaemonSample;
  /** Processes ever seen below the daemon that still ran after it exited. */
  childrenLeft: number;
  /** The daemon's exit code after SIGTERM. */
  exitCode: number;
  /** Established TCP connections to the daemon's port at the end (idle keep-alive connections of the clients). */
  httpConnections: number;
  /** The daemon's V8 heap in use after a full GC (read through its inspector), after warm-up and at the end. */
  heapAfterGc: { start: number; end: number };
}

/** Options for {@linkcode runDaemonSoak}. */
export interface DaemonSoakOptions {
  /** Clients at once. */
  clients: number;
  /** How long the clients run, in seconds. */
  seconds: number;
  /** Latency window length, in seconds. */
  windowSeconds: number;
  /** After how many calls (at most; drawn per session) a client ends its session and opens another. */
  sessionCalls?: number;
  /** Called after each window. */
  onWindow?: (window: DaemonSoakWindow) => void;
}

/** A process's start time (field 22 of /proc/<pid>/stat), to tell it from a later process with its id. */
function startTime(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function sample(pid: number, started: number, seen: Map<number, string>): DaemonSample {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const below = descendants(pid);
  const fds = [...Deno.readDirSync(`/proc/${pid}/fd`)];
  for (const child of below) {
    const since = startTime(child);
    if (since !== undefined) seen.set(child, since);
  }
  return {
    atSeconds: (performance.now() - started) / 1000,
    rssBytes: rssKb * 1024,
    fds: fds.length,
    socketFds: fds.filter((fd) => {
      try {
        return Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`).startsWith("socket:");
      } catch {
        return false;
      }
    }).length,
    children: below.length,
  };
}

/** Established TCP connections whose local port is `port` (the daemon's ends of its HTTP connections). */
function established(port: number): number {
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const lines = Deno.readTextFileSync(table).split("\n").slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === "01" && Number.parseInt(local?.split(":")[1] ?? "", 16) === port) count++;
    }
  }
  return count;
}

/**
 * Waits (up to 10 s) until the processes below the daemon have stayed the same for a second: the pool refills in
 * the background after a task, so a count taken at once may catch a spare starting.
 */
async function steady(pid: number): Promise<void> {
  let last = "";
  let same = 0;
  for (let i = 0; i < 100 && same < 10; i++) {
    const now = descendants(pid).sort().join(",");
    same = now === last ? same + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function openClient(url: URL): Promise<{ client: Client; end(): Promise<void> }> {
  const transport = new StreamableHTTPClientTransport(url);
  const client = new Client({ name: "daemon-soak", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    async end() {
      // DELETE ends the session on the daemon; close() alone would leave it to the idle timeout.
      await transport.terminateSession();
      await client.close();
    },
  };
}

/**
 * Runs the daemon soak.
 *
 * @param options Clients, duration, window length, session length and a window callback.
 * @returns Calls and errors per kind, leaks, and the latency per window.
 *
 * @example
 * ```ts ignore
 * const report = await runDaemonSoak({ clients: 5, seconds: 8, windowSeconds: 60 });
 * assert.deepEqual(report.unexpected, []);
 * ```
 */
export async function runDaemonSoak(options: DaemonSoakOptions): Promise<DaemonSoakReport> {
  // Every client is the one principal of --no-auth: lift its session cap to the daemon's whole.
  await using dir = await daemonDir({ sessions: { maxPerPrincipal: 256 } });
  const inspect = freePort();
  const daemon = await httpDaemon(dir.config, { denoArgs: [`--inspect=127.0.0.1:${inspect}`] });
  const pid = daemon.process.pid;
  const seen = new Map<number, string>();
  const calls = Object.fromEntries(DAEMON_SOAK_KINDS.map((k) => [k, 0])) as DaemonSoakReport[
    "calls"
  ];
  const expectedErrors = { ...calls };
  const unexpected: string[] = [];
  const done: { at: number; ms: number; kind: DaemonSoakKind }[] = [];
  let sessionsOpened = 0;
  let exitCode = -1;
  try {
    // Warm-up: one session and one tool call, so that the start sample has the server and pool running.
    const warm = await openClient(daemon.url);
    await callOnce(warm.client, "tool");
    await warm.end();
    await steady(pid);
    const started = performance.now();
    const start = sample(pid, started, seen);
    const heapStart = await heapAfterGc(inspect);
    const end = started + options.seconds * 1000;
    const sessionCalls = options.sessionCalls ?? 12;
    const client = async (_: unknown, index: number): Promise<void> => {
      let next = index * 5;
      while (performance.now() < end) {
        let session;
        try {
          session = await openClient(daemon.url);
          sessionsOpened++;
        } catch (error) {
          unexpected.push(`session: cannot open: ${String(error)}`);
          return;
        }
        const budget = 1 + Math.floor(Math.random() * sessionCalls);
        for (let i = 0; i < budget && performance.now() < end; i++) {
          const kind = SOAK_CYCLE[next++ % SOAK_CYCLE.length]!;
          const t0 = performance.now();
          const outcome = await callOnce(session.client, kind);
          calls[kind]++;
          const verdict = judge(kind, outcome);
          if (verdict !== true) unexpected.push(`${kind}: ${verdict}`);
          else if (!["trivial", "tool", "search"].includes(kind)) expectedErrors[kind]++;
          if (kind !== "cancelled") {
            done.push({ at: performance.now(), ms: performance.now() - t0, kind });
          }
        }
        try {
          await session.end();
        } catch (error) {
          unexpected.push(`session: cannot end: ${String(error)}`);
        }
      }
    };
    const windows: DaemonSoakWindow[] = [];
    const windowMs = options.windowSeconds * 1000;
    let reported = 0;
    const report = async (upTo: number) => {
      const index = windows.length;
      const own = done.slice(reported).filter((d) => d.at < upTo);
      reported += own.length;
      const ms = own.map((d) => d.ms);
      const trivial = own.filter((d) => d.kind === "trivial").map((d) => d.ms);
      const window: DaemonSoakWindow = {
        index,
        calls: own.length,
        p50Ms: percentile(ms, 0.5),
        p99Ms: percentile(ms, 0.99),
        trivialP50Ms: percentile(trivial, 0.5),
        trivialP99Ms: percentile(trivial, 0.99),
        sample: sample(pid, started, seen),
        heapBytes: await heapAfterGc(inspect),
      };
      windows.push(window);
      options.onWindow?.(window);
    };
    // One window at a time: each reads the heap through the inspector.
    let reporting = Promise.resolve();
    const ticker = setInterval(() => {
      const upTo = performance.now();
      reporting = reporting.then(() => report(upTo));
    }, windowMs);
    try {
      await Promise.all(Array.from({ length: options.clients }, client));
    } finally {
      clearInterval(ticker);
      await reporting;
    }
    // The calls that finished after the last full window (a run shorter than a window has only this one).
    if (reported < done.length || windows.length === 0) await report(Infinity);
    // Every client has ended its session: the daemon must hold none. Its own bookkeeping may finish a moment
    // after the DELETE's response, so give it up to a second.
    let sessionsLeft = -1;
    for (let i = 0; i < 20; i++) {
      const health = await (await fetch(`${daemon.base}/healthz`)).json();
      sessionsLeft = health.sessions;
      if (sessionsLeft === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const metrics = await (await fetch(`${daemon.base}/metrics`)).text();
    const tasksByStatus: Record<string, number> = {};
    for (const m of metrics.matchAll(/^mcp_executor_tasks_total\{status="(\w+)"\} (\d+)/gm)) {
      tasksByStatus[m[1]!] = Number(m[2]);
    }
    await steady(pid);
    const endSample = sample(pid, started, seen);
    const heapEnd = await heapAfterGc(inspect);
    const httpConnections = established(Number(daemon.url.port));
    daemon.process.kill("SIGTERM");
    exitCode = (await daemon.process.status).code;
    // Let the kernel reap what the daemon stopped.
    await new Promise((r) => setTimeout(r, 200));
    const childrenLeft = [...seen].filter(([child, since]) =>
      isAlive(child) && startTime(child) === since
    ).length;
    return {
      calls,
      expectedErrors,
      unexpected,
      sessionsOpened,
      sessionsLeft,
      tasksByStatus,
      windows,
      start,
      end: endSample,
      heapAfterGc: { start: heapStart, end: heapEnd },
      httpConnections,
      childrenLeft,
      exitCode,
    };
  } finally {
    if (exitCode === -1) await daemon[Symbol.asyncDispose]();
    else await daemon.output;
  }
}
