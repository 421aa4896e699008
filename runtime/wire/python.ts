/**
 * What the host tells the sandbox about Python: where Pyodide is (a sandbox process that runs Python) and what a
 * Python task brings in its `run` message. Both sides use these shapes; the Worker's runner is
 * `sandbox_runtime/python/python_runner.ts`.
 *
 * @module
 */

/** Where the Worker finds Pyodide: set by the host for sandbox processes that run Python. */
export interface PythonInit {
  /** The folder of the npm package `pyodide` (holding `pyodide.mjs`, the wasm and the stdlib zip). */
  pyodideDir: string;
  /** A memory snapshot made by the host once (`make_snapshot.ts`); without it the interpreter starts cold. */
  snapshotPath?: string;
}

/** What a Python task brings in its `run` message. */
export interface PythonTask {
  /** The servers it may call: Python identifier and the folder of the server's generated `__init__.py`. */
  servers: { identifier: string; dir: string }[];
  /** Host folders to mount at the same path (the workspace, granted folders); the first existing one is the cwd. */
  mounts: string[];
  /** The working folder, mounted, when the task has a workspace. */
  cwd?: string;
  /** The Python skills the code imports (transitively), module name to source, resolved by the host. */
  skills?: Record<string, string>;
}
