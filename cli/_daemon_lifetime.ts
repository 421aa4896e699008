/**
 * How a daemon's life is bounded from outside: a PID file in the state folder (`<state>/daemons/<pid>.json`),
 * written at start and removed at exit, which `mcpx stop` reads to send SIGTERM; and a watch on the process that
 * started it, so that a daemon whose launcher exits (an `npx` killed with `kill $!`, which does not pass the signal
 * on) stops instead of living on under PID 1.
 *
 * @module
 */

import { join } from "node:path";
import { defaultStateDir } from "../runtime/daemon/mod.ts";

/** What a PID file says about a running daemon. */
export interface DaemonRecord {
  pid: number;
  /** `http` or `stdio`. */
  mode: "http" | "stdio";
  /** The MCP endpoint of an HTTP daemon. */
  url?: string;
  /** The mcp.json it serves. */
  config: string;
  /** When it started (ISO 8601). */
  started: string;
  /** The kernel's start time of the process (Linux), so that a reused pid is not taken for the daemon. */
  startTicks?: string;
}

/**
 * The folder of PID files: `daemons/` in the state folder.
 *
 * @param stateDir The state folder; default `$MCPX_STATE_DIR`, `$XDG_STATE_HOME/mcp-executor` or
 *   `~/.local/state/mcp-executor`.
 * @returns The folder's path.
 */
export function daemonsDir(stateDir?: string): string {
  return join(stateDir ?? defaultStateDir(), "daemons");
}

/**
 * Writes this process's PID file; disposing removes it.
 *
 * @param record What to record, without the pid and start time (this process's).
 * @param stateDir The state folder.
 * @returns The file, removed on dispose.
 */
export async function writePidFile(
  record: Omit<DaemonRecord, "pid" | "startTicks">,
  stateDir?: string,
): Promise<AsyncDisposable & { file: string }> {
  const dir = daemonsDir(stateDir);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${Deno.pid}.json`);
  const ticks = await startTicks(Deno.pid);
  const full: DaemonRecord = {
    pid: Deno.pid,
    ...record,
    ...(ticks === undefined ? {} : { startTicks: ticks }),
  };
  await Deno.writeTextFile(file, JSON.stringify(full, null, 2) + "\n", { mode: 0o600 });
  return {
    file,
    async [Symbol.asyncDispose]() {
      await Deno.remove(file).catch(() => {});
    },
  };
}

/**
 * Writes the daemon's PID file, or warns on stderr when it cannot: a state folder that cannot be written costs only
 * `mcpx stop`, not the daemon.
 *
 * @param record What to record.
 * @param stateDir The state folder.
 * @returns The file, removed on dispose; `undefined` when it could not be written.
 */
export async function recordPid(
  record: { mode: "http" | "stdio"; url?: string; config: string },
  stateDir: string | undefined,
): Promise<AsyncDisposable | undefined> {
  try {
    return await writePidFile({ ...record, started: new Date().toISOString() }, stateDir);
  } catch (error) {
    console.error(
      `mcp-executor: warning: cannot write the PID file (mcpx stop will not find this daemon): ${
        (error as Error).message
      }`,
    );
    return undefined;
  }
}

/**
 * Calls `onGone` once when the process that started this one exits (this one is then re-parented, to PID 1 or a
 * subreaper). A daemon started by PID 1 itself (a systemd service, a container's entry point) is never re-parented.
 *
 * @param onGone Told why.
 * @param intervalMs How often to look. Default: 1000.
 * @returns Disposing stops the watch.
 */
export function watchLauncher(onGone: (reason: string) => void, intervalMs = 1000): Disposable {
  const launcher = Deno.ppid;
  const timer = setInterval(() => {
    if (Deno.ppid === launcher) return;
    clearInterval(timer);
    onGone(`the process that started it, pid ${launcher}, exited`);
  }, intervalMs);
  Deno.unrefTimer(timer);
  return { [Symbol.dispose]: () => clearInterval(timer) };
}

/** A PID file found in the state folder. */
export interface FoundDaemon {
  record: DaemonRecord;
  file: string;
  /** Whether the process still runs (and is the one that wrote the file). */
  alive: boolean;
}

/**
 * The daemons recorded in the state folder.
 *
 * @param stateDir The state folder.
 * @returns One entry a PID file; unreadable files are skipped.
 */
export async function listDaemons(stateDir?: string): Promise<FoundDaemon[]> {
  const dir = daemonsDir(stateDir);
  const found: FoundDaemon[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!/^\d+\.json$/.test(entry.name)) continue;
    const file = join(dir, entry.name);
    let record: DaemonRecord;
    try {
      record = JSON.parse(await Deno.readTextFile(file));
    } catch {
      continue;
    }
    if (!Number.isSafeInteger(record.pid) || record.pid <= 1) continue;
    found.push({ record, file, alive: await isAlive(record) });
  }
  return found;
}

/**
 * Whether the process of a record still runs: its pid exists and, where the kernel says, started when it did.
 *
 * @param record The PID file's content.
 * @returns Whether it runs.
 */
export async function isAlive(record: DaemonRecord): Promise<boolean> {
  const ticks = await startTicks(record.pid);
  if (ticks !== undefined) return record.startTicks === undefined || record.startTicks === ticks;
  if (Deno.build.os === "linux") return false;
  try {
    // Elsewhere: a signal that does nothing to a running process, to learn whether it exists.
    Deno.kill(record.pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot; undefined when there is no
 * such process or it has exited and waits to be reaped (a zombie).
 */
async function startTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}
