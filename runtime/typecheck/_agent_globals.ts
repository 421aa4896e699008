/**
 * The declarations the checker puts beside agent code: the sandbox's own globals (`progress`, `tools`, `args`,
 * `Deno`) and one namespace per server the task may call, typed by its generated `index.ts`.
 *
 * @module
 */

/** The sandbox globals every task sees, as TypeScript declarations (a script, so they are global). */
export const SANDBOX_GLOBALS = `// The globals of the mcp-executor sandbox, for the type checker.
/** One entry of the tool catalog. */
interface McpxCatalogEntry {
  name: string;
  server: string;
  tool: string;
  functionName: string;
  description: string;
  [key: string]: any;
}
/** Reports the task's progress to the host. */
declare function progress(done: number, total?: number, message?: string): void;
/** The tool catalog: discovery only, calls are still checked against the task's tools. */
declare const tools: {
  search(query: string, options?: { limit?: number; server?: string }): Promise<McpxCatalogEntry[]>;
  list(server?: string): Promise<McpxCatalogEntry[]>;
};
/** A skill's arguments (any: they are checked against its params schema at run time). */
declare const args: any;
/** Deno's namespace, loose: the Worker's permissions decide what works. */
declare const Deno: any;
`;

/**
 * The declarations of the server namespaces agent code may use without an import.
 *
 * @param bindings Each server's identifier in agent code and the specifier of its generated `index.ts`.
 * @returns A script declaring `const <identifier>: typeof import("<specifier>")` for each.
 */
export function serverNamespaces(
  bindings: ReadonlyArray<{ identifier: string; specifier: string }>,
): string {
  return bindings.map((b) =>
    `declare const ${b.identifier}: typeof import(${JSON.stringify(b.specifier)});\n`
  ).join("");
}
