/**
 * How many Python sandbox processes the daemon keeps warm: `MCPX_PYTHON_POOL_SIZE` when set, else 1 when Pyodide
 * is installed (the daemon serves Python) and 0 when it is not (Python tasks then fail with a message saying how to
 * install it). The library's default is 0 (`pythonPoolSize`).
 *
 * @module
 */

import { resolvePyodideDir } from "../runtime/python/mod.ts";

/**
 * The daemon's `pythonPoolSize`.
 *
 * @param env The environment to read (default: the process's).
 * @returns The number of warm Python processes.
 * @throws {RangeError} When `MCPX_PYTHON_POOL_SIZE` is not a whole number from 0 to 16.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { daemonPythonPoolSize } from "./_python_pool.ts";
 * assert.equal(daemonPythonPoolSize({ MCPX_PYTHON_POOL_SIZE: "0" }), 0);
 * assert.throws(() => daemonPythonPoolSize({ MCPX_PYTHON_POOL_SIZE: "many" }), /MCPX_PYTHON_POOL_SIZE/);
 * ```
 */
export function daemonPythonPoolSize(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): number {
  const text = env.MCPX_PYTHON_POOL_SIZE;
  if (text !== undefined) {
    const size = Number(text);
    if (!/^\d+$/.test(text) || size > 16) {
      throw new RangeError(
        `Invalid MCPX_PYTHON_POOL_SIZE ${
          JSON.stringify(text)
        }: expected a whole number from 0 to 16`,
      );
    }
    return size;
  }
  try {
    resolvePyodideDir();
    return 1;
  } catch {
    return 0;
  }
}
