/**
 * Makes the Pyodide memory snapshot that every Python sandbox Worker starts from (about 0.1–0.2 s instead of a
 * cold start of about 2 s). The host runs it once per pool as `deno run --allow-read=<pyodide folder>
 * --allow-write=<snapshot file> make_snapshot.ts <pyodide folder> <snapshot file>`, before any agent code exists:
 * the snapshot holds a fresh interpreter with the standard modules the runner uses already imported.
 *
 * This file runs with the sandbox runtime: it imports nothing from the host and no npm package.
 *
 * @module
 */

/** The standard modules imported before the snapshot is taken (the runner's own, and common agent imports). */
export const SNAPSHOT_IMPORTS = [
  "ast",
  "asyncio",
  "json",
  "logging",
  "traceback",
  "re",
  "datetime",
  "collections",
  "pyodide.code",
  "pyodide.ffi",
];

if (import.meta.main) {
  const [dir, out] = Deno.args;
  if (dir === undefined || out === undefined) {
    throw new TypeError(
      "Cannot make the Python snapshot: expected the pyodide folder and an output file",
    );
  }
  const url = new URL(`file://${encodeURI(dir.replace(/\/+$/, ""))}/pyodide.mjs`).href;
  const { loadPyodide } = await import(url) as {
    loadPyodide(options: Record<string, unknown>): Promise<{
      runPython(code: string): unknown;
      makeMemorySnapshot(): Uint8Array;
    }>;
  };
  const py = await loadPyodide({ indexURL: `${dir.replace(/\/+$/, "")}/`, _makeSnapshot: true });
  py.runPython(SNAPSHOT_IMPORTS.map((name) => `import ${name}`).join("\n"));
  await Deno.writeFile(out, py.makeMemorySnapshot(), { mode: 0o600 });
  Deno.exit(0);
}
