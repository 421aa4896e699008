/**
 * The command line and environment a sandbox process starts with. Kept apart from the process handling so that
 * tests can check exactly what a sandbox may touch.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import type { BootstrapConfig, PythonInit, WorkerPermissions } from "../wire/mod.ts";

/** What a sandbox process is started with. */
export interface SandboxCommandOptions {
  /**
   * The sandbox runtime's folder (holding `bootstrap.ts`), an absolute path. The process may also read its sibling
   * `wire/` folder, which holds what both sides of the boundary share.
   */
  runtimeDir: string;
  /** The Unix socket the process connects to, an absolute path. */
  socketPath: string;
  /** The dedicated, writable `DENO_DIR` of sandbox processes. */
  denoDir: string;
  /** The V8 heap cap, in MB. */
  heapMb: number;
  /** The Worker's permissions, complete: the generated `servers/` folder is already in `read`. */
  permissions: WorkerPermissions;
  /** `file:` URLs the Worker imports before it reports ready. */
  preload: string[];
  /** For a process that runs Python: the Pyodide folder and snapshot, which the process and Worker may read. */
  python?: PythonInit;
}

/** The arguments and environment for `new Deno.Command(Deno.execPath(), ...)`. */
export interface SandboxCommand {
  /** Everything after the executable. */
  args: string[];
  /** The whole environment: the command runs with `clearEnv: true`. */
  env: Record<string, string>;
}

/**
 * Builds the command line of one sandbox process: `deno run` with a cleared environment except `DENO_DIR` and
 * `NO_COLOR`, no config, no npm, no remote modules, no prompt, the heap cap, and permissions that cover the runtime's
 * own folder, the Worker's set and the control socket (which the Worker never gets).
 *
 * @param options The runtime folder, socket, `DENO_DIR`, heap cap, Worker permissions and preloads.
 * @returns The arguments and the complete environment.
 * @throws {TypeError} When a path is not absolute or holds a comma or a control character, or a host is malformed
 *   (a comma would split a permission flag's list).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sandboxCommand } from "./sandbox_command.ts";
 * const { args, env } = sandboxCommand({
 *   runtimeDir: "/app/runtime/sandbox_runtime",
 *   socketPath: "/tmp/s1/c.sock",
 *   denoDir: "/app/.sandbox/deno_dir",
 *   heapMb: 128,
 *   permissions: { read: ["/app/servers"] },
 *   preload: [],
 * });
 * assert.ok(args.includes("--allow-net=unix:/tmp/s1/c.sock"));
 * assert.equal(Object.keys(env).join(), "DENO_DIR,NO_COLOR");
 * ```
 */
export function sandboxCommand(options: SandboxCommandOptions): SandboxCommand {
  const { runtimeDir, socketPath, permissions } = options;
  for (const path of [runtimeDir, socketPath, options.denoDir]) checkPath(path);
  const read = [...(permissions.read ?? [])];
  // Python (issue 21): the Worker may read the Pyodide package and the host's snapshot, nothing more.
  if (options.python !== undefined) {
    read.push(options.python.pyodideDir);
    if (options.python.snapshotPath !== undefined) read.push(options.python.snapshotPath);
  }
  const write = [...(permissions.write ?? [])];
  const net = [...(permissions.net ?? [])];
  read.forEach(checkPath);
  write.forEach(checkPath);
  net.forEach(checkHost);
  if (!Number.isInteger(options.heapMb) || options.heapMb < 16) {
    throw new RangeError(
      `Cannot start sandbox: heap cap must be an integer of at least 16 MB, got ${options.heapMb}`,
    );
  }
  const config: BootstrapConfig = {
    permissions: {
      read: read.length > 0 ? read : false,
      write: write.length > 0 ? write : false,
      net: net.length > 0 ? net : false,
    },
    preload: options.preload,
  };
  if (options.python !== undefined) config.python = options.python;
  const args = [
    "run",
    "--no-prompt",
    "--cached-only",
    "--no-config",
    "--no-npm",
    "--no-remote",
    "--unstable-worker-options",
    `--v8-flags=--max-old-space-size=${options.heapMb}`,
    `--allow-read=${unique([runtimeDir, wireDir(runtimeDir), ...read, socketPath]).join(",")}`,
    `--allow-write=${unique([...write, socketPath]).join(",")}`,
    `--allow-net=${unique([...net, `unix:${socketPath}`]).join(",")}`,
    `${runtimeDir.replace(/\/+$/, "")}/bootstrap.ts`,
    socketPath,
    JSON.stringify(config),
  ];
  return { args, env: { DENO_DIR: options.denoDir, NO_COLOR: "1" } };
}

function checkPath(path: string): void {
  // deno-lint-ignore no-control-regex
  if (typeof path !== "string" || !isAbsolute(path) || /[,\u0000-\u001f]/.test(path)) {
    throw new TypeError(
      `Cannot grant sandbox access to ${
        JSON.stringify(path)
      }: expected an absolute path without commas`,
    );
  }
}

function checkHost(host: string): void {
  if (
    typeof host !== "string" ||
    !/^(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)
  ) {
    throw new TypeError(
      `Cannot grant sandbox network access to ${
        JSON.stringify(host)
      }: expected a host or host:port`,
    );
  }
}

/** The shared `wire/` folder beside the sandbox runtime's folder. */
function wireDir(runtimeDir: string): string {
  return join(dirname(runtimeDir.replace(/\/+$/, "")), "wire");
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
