/**
 * The pool of sandbox processes that run Python agent code: a {@linkcode SandboxPool} whose Workers load Pyodide
 * (from a memory snapshot made once, at creation) before they report ready. It has its own state folder (its own
 * `DENO_DIR` and sockets) beside the TypeScript pool's, and its own size: a pooled Python process holds an
 * interpreter of 100–150 MB, so the library keeps none warm unless asked (`pythonPoolSize`).
 *
 * @module
 */

import { join } from "node:path";
import { SandboxPool, type SandboxPoolOptions } from "../sandbox/mod.ts";
import { makePythonSnapshot, resolvePyodideDir } from "./pyodide_files.ts";

/** Options of {@linkcode createPythonPool}: those of a sandbox pool, plus where Pyodide is. */
export interface PythonPoolOptions extends Omit<SandboxPoolOptions, "python"> {
  /** The npm package `pyodide`'s folder. Default: found from the project's `node_modules`. */
  pyodideDir?: string;
  /** Start interpreters from a memory snapshot made at creation (about 10x faster). Default: `true`. */
  snapshot?: boolean;
}

/** The resident-memory limit of a Python sandbox process, in MB, unless given: an interpreter is 100–150 MB. */
export const PYTHON_MEMORY_LIMIT_MB = 512;

/**
 * Creates the pool of Python sandbox processes: finds Pyodide, makes the snapshot in `<stateDir>/python/`, and
 * starts `poolSize` processes with an interpreter ready.
 *
 * @param options The pool's folders, size and limits, and where Pyodide is.
 * @returns The pool; its `run()` takes Python code.
 * @throws {Error} When Pyodide is not installed or the snapshot cannot be made.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPythonPool } from "./python_pool.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await using pool = await createPythonPool({ serversDir: `${root}/servers`, stateDir: root, poolSize: 0 });
 *   const result = await pool.run({ taskId: "t1", code: "print('adding')\n20 + 1", onToolCall: () => Promise.resolve(null) });
 *   assert.equal(result.value, 21);
 *   assert.deepEqual(result.logs, ["adding"]);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export async function createPythonPool(options: PythonPoolOptions): Promise<SandboxPool> {
  const { pyodideDir, snapshot, ...rest } = options;
  const dir = resolvePyodideDir(pyodideDir);
  const stateDir = join(options.stateDir, "python");
  await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
  let snapshotPath: string | undefined;
  if (snapshot !== false) {
    snapshotPath = join(stateDir, "snapshot.bin");
    const denoDir = join(stateDir, "snapshot_deno_dir");
    await makePythonSnapshot(dir, {
      file: snapshotPath,
      denoDir,
      ...(options.runtimeDir === undefined ? {} : { runtimeDir: options.runtimeDir }),
    });
    await Deno.remove(denoDir, { recursive: true }).catch(() => {});
  }
  return await SandboxPool.create({
    ...rest,
    stateDir,
    memoryLimitMb: Math.max(options.memoryLimitMb ?? 0, PYTHON_MEMORY_LIMIT_MB),
    // A fresh interpreter after a task is not byte for byte the first one.
    maxReuseRssGrowthMb: options.maxReuseRssGrowthMb ?? 64,
    preloadServers: false,
    python: { pyodideDir: dir, ...(snapshotPath === undefined ? {} : { snapshotPath }) },
  });
}
