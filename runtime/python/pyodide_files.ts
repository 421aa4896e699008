/**
 * Where the Pyodide interpreter is on this host, and the memory snapshot Python sandbox processes start from.
 *
 * Pyodide comes from the npm package `pyodide` (pinned in deno.json). Its tarball holds the interpreter
 * (`pyodide.asm.wasm`) and the standard library (`python_stdlib.zip`), so Python runs offline; packages outside the
 * standard library would come from a CDN at run time and are out of scope.
 *
 * @module
 */

import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

/** The Pyodide version the project pins (deno.json's `pyodide` import). */
export const PYODIDE_VERSION = "314.0.8";

/**
 * The folder of the npm package `pyodide`: `pyodideDir` when given, else the one Node's resolution finds from
 * this module (the project's `node_modules`).
 *
 * @param pyodideDir A folder to use instead.
 * @returns The absolute folder, which holds `pyodide.mjs`.
 * @throws {Error} When no folder with `pyodide.mjs` is found; the message says how to install it.
 */
export function resolvePyodideDir(pyodideDir?: string): string {
  let dir = pyodideDir === undefined ? undefined : resolve(pyodideDir);
  if (dir === undefined) {
    try {
      dir = dirname(createRequire(import.meta.url).resolve("pyodide/package.json"));
    } catch {
      dir = undefined;
    }
  }
  if (dir === undefined || !exists(join(dir, "pyodide.mjs"))) {
    throw new Error(
      `Cannot run Python: the npm package "pyodide@${PYODIDE_VERSION}" is not installed; ` +
        `run "deno install" in the project, or pass "pyodideDir"`,
    );
  }
  return dir;
}

/**
 * Makes the memory snapshot in a child process that may read only the Pyodide folder and write only the snapshot.
 *
 * @param pyodideDir The Pyodide folder.
 * @param options The snapshot file to write and the sandbox runtime's folder.
 * @returns Resolves when the file is written.
 * @throws {Error} When the child fails; the message carries its last stderr lines.
 */
export async function makePythonSnapshot(
  pyodideDir: string,
  options: { file: string; runtimeDir?: string; denoDir: string },
): Promise<void> {
  const runtimeDir = options.runtimeDir ??
    fromFileUrl(new URL("../sandbox_runtime/", import.meta.url));
  const script = join(runtimeDir, "python", "make_snapshot.ts");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      "--no-npm",
      "--no-remote",
      `--allow-read=${runtimeDir},${pyodideDir}`,
      `--allow-write=${options.file}`,
      script,
      pyodideDir,
      options.file,
    ],
    env: { DENO_DIR: options.denoDir, NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const tail = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(
      `Cannot make the Python snapshot: the child exited with ${output.code}: ${tail}`,
    );
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
