/**
 * Python inside the sandbox Worker: {@linkcode loadPython} loads Pyodide once per Worker, {@linkcode runPython}
 * runs one task's code as a module body. Runs inside the sandbox: imports nothing from the host.
 *
 * @module
 */

export { loadPython, type PythonHandlers, runPython } from "./python_runner.ts";
export type { PythonInit, PythonTask } from "./python_runner.ts";
