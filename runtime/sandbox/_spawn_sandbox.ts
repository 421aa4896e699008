/**
 * Spawning a sandbox process: its private socket folder, its listener and the `deno run` child; and the redaction of
 * host paths in its diagnostics. Private to `sandbox_process.ts`.
 *
 * @module
 */

import { join } from "node:path";
import { sandboxCommand } from "./sandbox_command.ts";
import type { PythonInit, WorkerPermissions } from "../wire/mod.ts";

/** How a sandbox process is started. */
export interface SandboxProcessOptions {
  /** The sandbox runtime's folder (holding `bootstrap.ts`), an absolute path. */
  runtimeDir: string;
  /** The dedicated, writable `DENO_DIR` of sandbox processes. */
  denoDir: string;
  /** Where the process's private socket folder is made. */
  socketDir: string;
  /** The V8 heap cap, in MB. */
  heapMb: number;
  /** The Worker's complete permissions (the generated `servers/` folder included in `read`). */
  permissions: WorkerPermissions;
  /** The process's working folder: relative paths in agent code resolve against it. Default: the host's. */
  cwd?: string;
  /** `file:` URLs the Worker imports before it reports ready. Default: none. */
  preload?: string[];
  /** The longest line accepted from the process, in bytes. Default: 16 MiB. */
  maxMessageBytes?: number;
  /** How long the process may take to connect and report ready, in milliseconds. Default: 15 000. */
  startupTimeoutMs?: number;
  /** Host paths to replace in diagnostics (stderr lines), e.g. `{ "/srv/app/.sandbox": "<state>" }`. */
  redactions?: Record<string, string>;
  /** How many tasks the process may run, each in a fresh Worker. Default: 1 (killed after its task). */
  maxTasks?: number;
  /**
   * A process whose resident memory grew by more than this, in MB, since it was first ready (fresh Worker
   * after a task against the first) is not reused: the next task then starts from about the memory of a fresh
   * process, so the memory limits act the same. Default: 8.
   */
  maxReuseRssGrowthMb?: number;
  /** Set for a process that runs Python: its Worker loads Pyodide from here before it reports ready. */
  python?: PythonInit;
}

/** A spawned child, the listener it will connect to, and the folder holding the socket. */
export interface Spawned {
  child: Deno.ChildProcess;
  listener: Deno.UnixListener;
  socketFolder: string;
}

/**
 * Listens on a fresh socket in a `0700` folder and spawns the sandbox child with a cleared environment.
 *
 * @param options The process options.
 * @returns The child, the listener and the socket folder.
 * @throws {Error} When the socket or the child cannot be made (both are cleaned up).
 */
export async function spawnSandbox(options: SandboxProcessOptions): Promise<Spawned> {
  const socketFolder = await makeSocketFolder(options.socketDir);
  const socketPath = join(socketFolder, "c.sock");
  let listener: Deno.UnixListener | undefined;
  let child: Deno.ChildProcess;
  try {
    listener = Deno.listen({ transport: "unix", path: socketPath });
    const { args, env } = sandboxCommand({
      runtimeDir: options.runtimeDir,
      socketPath,
      denoDir: options.denoDir,
      heapMb: options.heapMb,
      permissions: options.permissions,
      preload: options.preload ?? [],
      ...(options.python === undefined ? {} : { python: options.python }),
    });
    child = new Deno.Command(Deno.execPath(), {
      args,
      env,
      clearEnv: true,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    listener?.close();
    await Deno.remove(socketFolder, { recursive: true }).catch(() => {});
    throw error;
  }
  return { child, listener, socketFolder };
}

/**
 * The non-blank lines with host paths replaced, the longest path first.
 *
 * @param lines The lines.
 * @param redactions Path to name, e.g. `{ "/srv/app/.sandbox": "<state>" }`.
 * @returns The lines joined by newlines.
 */
export function redactLines(lines: string[], redactions: Record<string, string>): string {
  const sorted = Object.entries(redactions).sort(([a], [b]) => b.length - a.length);
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) => sorted.reduce((text, [path, name]) => text.replaceAll(path, name), line))
    .join("\n");
}

async function makeSocketFolder(parent: string): Promise<string> {
  await Deno.mkdir(parent, { recursive: true, mode: 0o700 });
  let folder = await Deno.makeTempDir({ dir: parent, prefix: "s" });
  // A Unix socket path must fit in 108 bytes; fall back to the system's temp folder when the state folder is deep.
  if (join(folder, "c.sock").length > 100) {
    await Deno.remove(folder);
    folder = await Deno.makeTempDir({ prefix: "mcpx" });
  }
  await Deno.chmod(folder, 0o700);
  return folder;
}
