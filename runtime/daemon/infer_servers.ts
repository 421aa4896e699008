/**
 * {@linkcode inferServers}: the servers a program refers to, for an `execute_code` call without `requiredTools`.
 *
 * @module
 */

import { parse } from "@babel/parser";

/** A configured server as agent code can name it. */
export interface ServerName {
  /** The server's name in mcp.json. */
  name: string;
  /** The namespace identifier agent code uses, e.g. `my_server`. */
  identifier: string;
  /** Its folder under `servers/`. */
  dir: string;
}

/** Keys of AST nodes that never hold code. */
const SKIPPED = new Set(["loc", "start", "end", "extra", "leadingComments", "trailingComments"]);

/**
 * Finds the servers a program refers to: a server's namespace identifier used as a value (`memory.readGraph()`,
 * `const m = memory`), and `servers/<dir>/...` in an import or a string. Names only as object keys or as
 * property names after a dot do not count. The program is parsed with the same parser as the pattern blocker.
 *
 * @param code The agent code.
 * @param servers The configured servers.
 * @returns The names of the servers referred to, in the order of `servers`; `[]` when the code does not parse
 *   (the task then fails with the parser's message when it runs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inferServers } from "./infer_servers.ts";
 * const servers = [
 *   { name: "memory", identifier: "memory", dir: "memory" },
 *   { name: "file-system", identifier: "file_system", dir: "file-system" },
 *   { name: "github", identifier: "github", dir: "github" },
 * ];
 * const code = 'import { readFile } from "servers/file-system/index.ts";\n' +
 *   "const g = await memory.readGraph();\nreturn { github: g.entities.length };";
 * assert.deepEqual(inferServers(code, servers), ["memory", "file-system"]);
 * ```
 */
export function inferServers(code: string, servers: readonly ServerName[]): string[] {
  let program: unknown;
  try {
    program = parse(code, {
      sourceType: "module",
      plugins: ["typescript", "decorators"],
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      errorRecovery: false,
    }).program;
  } catch {
    return [];
  }
  const identifiers = new Set<string>();
  const strings: string[] = [];
  visit(program, undefined, undefined, (node, parent, key) => {
    if (node.type === "Identifier" && isValueReference(parent, key)) {
      identifiers.add(node.name as string);
    } else if (node.type === "StringLiteral" && typeof node.value === "string") {
      strings.push(node.value);
    } else if (node.type === "TemplateElement") {
      const value = (node.value as { cooked?: string } | undefined)?.cooked;
      if (typeof value === "string") strings.push(value);
    }
  });
  return servers
    .filter((server) =>
      identifiers.has(server.identifier) ||
      strings.some((text) =>
        text.includes(`servers/${server.dir}/`) || text === `servers/${server.dir}`
      )
    )
    .map((server) => server.name);
}

interface Node {
  type: string;
  [key: string]: unknown;
}

function visit(
  node: unknown,
  parent: Node | undefined,
  key: string | undefined,
  onNode: (node: Node, parent: Node | undefined, key: string | undefined) => void,
): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, parent, key, onNode);
    return;
  }
  if (typeof node !== "object" || node === null || typeof (node as Node).type !== "string") return;
  const current = node as Node;
  onNode(current, parent, key);
  for (const [childKey, child] of Object.entries(current)) {
    if (!SKIPPED.has(childKey) && typeof child === "object" && child !== null) {
      visit(child, current, childKey, onNode);
    }
  }
}

/** Whether an identifier at `parent[key]` is a value reference, not a property name, key or label. */
function isValueReference(parent: Node | undefined, key: string | undefined): boolean {
  if (parent === undefined) return true;
  const computed = parent.computed === true;
  switch (parent.type) {
    case "MemberExpression":
    case "OptionalMemberExpression":
      return key !== "property" || computed;
    case "ObjectProperty":
    case "ObjectMethod":
    case "ClassProperty":
    case "ClassMethod":
    case "TSPropertySignature":
      return key !== "key" || computed || parent.shorthand === true;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return false;
    default:
      return true;
  }
}
