/**
 * Python agent code on the host side: finding Pyodide, its memory snapshot, the pool of Python sandbox processes,
 * and the generated Python server modules.
 *
 * @module
 */

export { createPythonPool, PYTHON_MEMORY_LIMIT_MB, type PythonPoolOptions } from "./python_pool.ts";
export { makePythonSnapshot, PYODIDE_VERSION, resolvePyodideDir } from "./pyodide_files.ts";
export { PythonPoolSlot } from "./python_pool_slot.ts";
export { generatePythonModule, PYTHON_MODULE_FILE } from "./python_module.ts";
export { inferPythonServers } from "./infer_python_servers.ts";
export { pythonSearchText } from "./python_search.ts";
