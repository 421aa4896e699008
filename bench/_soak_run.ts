/**
 * The soak: many mixed tasks through one orchestrator over a real server-memory, sampling the host after each window
 * of tasks: its resident memory, its open file descriptors, its child processes, the sandbox sockets and temporary
 * folders left, and the task latency. `bench/soak.ts` prints it as a table; `tests/soak_test.ts` runs a short one
 * and asserts that nothing leaks.
 *
 * @module
 */

import { join } from "node:path";
import { type AgentTask, MCPOrchestrator, type TaskResult } from "../runtime/mod.ts";
import { npmServer } from "../tests/helpers/servers.ts";
import { processes } from "../tests/helpers/processes.ts";

/** The kinds of task the soak mixes, in the order it cycles through them. */
export const SOAK_KINDS = ["trivial", "tool", "throws", "timeout", "memory", "cancelled"] as const;

/** One kind of soak task. */
export type SoakKind = typeof SOAK_KINDS[number];

const PROGRAMS: Record<SoakKind, { code: string; tools: string[]; expect: TaskResult["status"] }> =
  {
    trivial: { code: "return 1 + 1;", tools: [], expect: "completed" },
    tool: {
      code: "const g = await memory.readGraph();\nreturn g.entities.length;",
      tools: ["memory"],
      expect: "completed",
    },
    throws: { code: 'throw new Error("boom");', tools: [], expect: "failed" },
    timeout: { code: "while (true) {}", tools: [], expect: "timeout" },
    memory: {
      // Large arrays reach the heap cap in a few steps; millions of small objects make V8 collect for seconds first.
      code: "const hog = [];\nwhile (true) hog.push(new Array(1_000_000).fill(Math.random()));",
      tools: [],
      expect: "failed",
    },
    cancelled: {
      code: "await new Promise((r) => setTimeout(r, 10_000));\nreturn 1;",
      tools: [],
      expect: "cancelled",
    },
  };

/** How the host stood after one window of tasks. */
export interface SoakSample {
  /** Tasks finished so far. */
  tasks: number;
  /** The host's resident memory, in bytes. */
  rssBytes: number;
  /** The host's V8 heap in use, in bytes (RSS also holds what V8 reserved and has not returned). */
  heapUsedBytes: number;
  /** The host's open file descriptors. */
  fds: number;
  /** Child processes of the host: the MCP server and the sandbox pool's idle processes while running. */
  children: number;
  /** Entries left in the sandbox socket folder (each task's socket folder should be gone). */
  sockets: number;
  /** Latency of this window's tasks, from executeTask() to its result, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

/** What a soak reports. */
export interface SoakReport {
  samples: SoakSample[];
  /** Results whose status was not the one their kind expects, as `kind: status code message`. */
  unexpected: string[];
  /** Count of results per kind and status. */
  outcomes: Record<string, number>;
  /** After shutdown: child processes, temporary entries left in the state folder, open fds. */
  after: { children: number; tempEntries: number; fds: number };
  /** Before the orchestrator started: the baseline for `after`. */
  before: { children: number; tempEntries: number; fds: number };
}

/** Options for {@linkcode runSoak}. */
export interface SoakOptions {
  /** Tasks to run. */
  count: number;
  /** Tasks per sample. */
  window: number;
  /** Tasks running at once (also the orchestrator's maxConcurrentTasks). */
  concurrency: number;
  /** Called after each sample. */
  onSample?: (sample: SoakSample) => void;
}

/**
 * File descriptors Deno's Node compatibility layer opens once, at the first child process a `node:child_process`
 * user (the MCP SDK's stdio transport) starts, and keeps: two sockets, the same after one server start or after many
 * restarts. A leak grows with tasks or restarts; these do not.
 */
export const ONE_TIME_FDS = 2;

function countFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

/** Processes whose parent is this process. */
function childPids(): number[] {
  return processes().filter((p) => p.ppid === Deno.pid).map((p) => p.pid);
}

/** What the orchestrator keeps in its state folder by design. */
const OWN_ENTRIES = ["deno_dir", "sockets", "workspaces", "sessions", "search_usage.json"];

/**
 * Entries left in the orchestrator's state folder besides its own (`deno_dir`, `sockets`, `workspaces`), plus
 * the socket folders in `sockets/`. (The system temporary folder is shared with other processes, so it is not
 * counted.)
 */
function stateLeftovers(stateDir: string): number {
  let count = 0;
  try {
    for (const entry of Deno.readDirSync(stateDir)) {
      if (!OWN_ENTRIES.includes(entry.name)) count++;
    }
    count += [...Deno.readDirSync(join(stateDir, "sockets"))].length;
  } catch {
    // No state folder: nothing left.
  }
  return count;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * Runs the soak.
 *
 * @param options Count, window, concurrency and a sample callback.
 * @returns The samples, the unexpected outcomes and what was left after shutdown.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const before = { children: childPids().length, tempEntries: 0, fds: countFds() };
  const dir = await Deno.makeTempDir({ prefix: "mcp-executor-soak-" });
  await Deno.mkdir(join(dir, "data"));
  const orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: npmServer("server-memory", [], {
          MEMORY_FILE_PATH: join(dir, "data", "memory.jsonl"),
        }),
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    maxConcurrentTasks: options.concurrency,
    poolSize: Math.min(2, options.concurrency),
    taskTimeoutMs: 10_000,
    heapMb: 64,
    memoryLimitMb: 192,
  });
  const samples: SoakSample[] = [];
  const unexpected: string[] = [];
  const outcomes: Record<string, number> = {};
  let after = { children: -1, tempEntries: -1, fds: -1 };
  try {
    await orch.initialize();
    let next = 0;
    let latencies: number[] = [];
    let done = 0;
    const runOne = async (index: number): Promise<void> => {
      const kind = SOAK_KINDS[index % SOAK_KINDS.length]!;
      const program = PROGRAMS[kind];
      const task: AgentTask = {
        id: `soak-${index}`,
        description: `soak ${kind}`,
        code: program.code,
        requiredTools: program.tools,
        status: "pending",
      };
      if (kind === "timeout") task.timeoutMs = 100;
      if (kind === "cancelled") task.signal = AbortSignal.timeout(30);
      const started = performance.now();
      const result = await orch.executeTask(task);
      latencies.push(performance.now() - started);
      const key = `${kind}:${result.status}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (result.status !== program.expect) {
        unexpected.push(`${kind}: ${result.status} ${result.error?.code} ${result.error?.message}`);
      }
    };
    while (done < options.count) {
      const windowEnd = Math.min(options.count, done + options.window);
      const worker = async () => {
        while (next < windowEnd) await runOne(next++);
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      done = windowEnd;
      await orch.settled();
      const sorted = latencies.sort((a, b) => a - b);
      latencies = [];
      const sample: SoakSample = {
        tasks: done,
        rssBytes: Deno.memoryUsage().rss,
        heapUsedBytes: Deno.memoryUsage().heapUsed,
        fds: countFds(),
        children: childPids().length,
        sockets: [...Deno.readDirSync(join(dir, "state", "sockets"))].length,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
      };
      samples.push(sample);
      options.onSample?.(sample);
    }
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    const tempEntries = stateLeftovers(join(dir, "state"));
    await Deno.remove(dir, { recursive: true });
    after = { children: childPids().length, tempEntries, fds: countFds() };
  }
  return { samples, unexpected, outcomes, after, before };
}
