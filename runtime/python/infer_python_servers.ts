/**
 * The servers a Python program refers to, for an `execute_code` call without `requiredTools`: a namespace used as
 * `memory.read_graph(...)`, or `from servers.memory import ...` / `import servers.memory`. Comments and string
 * contents do not count.
 *
 * @module
 */

/** A configured server as Python code names it. */
export interface PythonServerName {
  /** The server's name in mcp.json. */
  name: string;
  /** Its namespace identifier, e.g. `my_server`. */
  identifier: string;
}

/**
 * Finds the servers a Python program refers to.
 *
 * @param code The Python code.
 * @param servers The configured servers.
 * @returns Their names, in the order of `servers`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inferPythonServers } from "./infer_python_servers.ts";
 * const servers = [{ name: "memory", identifier: "memory" }, { name: "git-hub", identifier: "git_hub" }];
 * assert.deepEqual(inferPythonServers("# memory.read_graph()\nfrom servers.git_hub import x", servers), ["git-hub"]);
 * ```
 */
export function inferPythonServers(
  code: string,
  servers: readonly PythonServerName[],
): string[] {
  const text = stripStringsAndComments(code);
  return servers.filter(({ identifier }) => {
    const id = identifier.replace(/[^A-Za-z0-9_]/g, "");
    if (id === "") return false;
    return new RegExp(`(?<![\\w.])${id}\\s*\\.\\s*[A-Za-z_]|\\bservers\\s*\\.\\s*${id}\\b`).test(
      text,
    );
  }).map(({ name }) => name);
}

/** The code with string literals emptied and comments removed (a light scan, enough to find names). */
function stripStringsAndComments(code: string): string {
  return code.replace(
    /#[^\n]*|[rRbBuUfF]{0,2}("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')/g,
    (match) => (match.startsWith("#") ? "" : '""'),
  );
}
