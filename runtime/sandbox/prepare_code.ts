/**
 * Turns agent code (a TypeScript module body with top-level `await` and top-level `return`) into what the sandbox
 * Worker runs, keeping every agent line on its own line number (and every column after line 1 in place).
 *
 * The usual form is a script: the TypeScript syntax is erased (see `strip_types.ts`) and the code becomes
 *
 * ```text
 * line 1:  (async () => {"use strict"; <imports as await import()> return async function __agent__() {<line 1>
 * line N:  <agent line N>
 * last:    }; })
 * ```
 *
 * which the Worker evaluates: no module loader, about 0.06 ms. Code whose TypeScript cannot be erased (enums,
 * namespaces, parameter properties) or that needs a module (`import.meta`) becomes a module instead, which the
 * Worker imports by a computed `data:` URL and Deno transpiles (about 2 ms):
 *
 * ```text
 * line 1:  <imports> export default async function __agent__() {<agent line 1>
 * ```
 *
 * Either way the agent's import declarations are blanked where they stand and moved to line 1 with `servers/...`
 * and `skills/...` specifiers rewritten to absolute `file:` URLs, and each server binding becomes a namespace. Every
 * import is resolved by the Worker at run time, against the Worker's own permissions.
 *
 * @module
 */

import { parse } from "@babel/parser";
import type { PythonTask, ServerBinding } from "../wire/mod.ts";
import { type AgentProgram, parseAgentCode } from "./parse_agent_code.ts";
import { eraseTypes, type TypeErasure } from "./strip_types.ts";

type Program = AgentProgram;
type Statement = Program["body"][number];
type ImportDeclaration = Extract<Statement, { type: "ImportDeclaration" }>;

/** The name of the function that wraps the agent code. */
export const AGENT_FUNCTION = "__agent__";

/** The script name agent code has in stack traces. */
export const AGENT_SOURCE_NAME = "agent.ts";

/** Where agent imports and server bindings point. */
export interface PrepareCodeOptions {
  /** The servers in scope as namespaces. Default: none. */
  servers?: ServerBinding[];
  /** The `file:` URL of the generated `servers/` folder, ending in `/`. */
  serversUrl: string;
  /** The `file:` URL of the `skills/` folder, ending in `/`; without it, skill imports are refused. */
  skillsUrl?: string;
  /**
   * The `file:` URL (ending in `/`) that `skills/<name>/...` resolves to instead of `<skillsUrl><name>/`: the task
   * principal's private skill of that name; `undefined` for a name without one. Default: none.
   */
  skillFolderUrl?: (name: string) => string | undefined;
  /** Always produce a module (Deno transpiles it), never a script. Default: `false`. */
  forceModule?: boolean;
  /** The code's AST from {@linkcode parseAgentCode}, when the caller parsed it already (the blocker did). */
  program?: AgentProgram;
  /**
   * What an import URL loads instead, e.g. a generated server's `index.ts` to its one-file `_module.js`; applies
   * to import declarations and server bindings. Default: none.
   */
  moduleUrls?: ReadonlyMap<string, string>;
}

/** Code ready for the sandbox. */
export interface PreparedCode {
  /** `script`: evaluate it, call the result, call what that resolves to. `module`: import it, call its default. */
  format: "script" | "module" | "python";
  /** For `python`: its servers, mounts and working folder (see `python_code.ts`). */
  python?: PythonTask;
  /** The text to evaluate or import. */
  source: string;
  /** How many characters line 1 carries in front of the agent's own line 1. */
  firstLineOffset: number;
}

interface ImportInfo {
  node: ImportDeclaration;
  url: string;
}

const PARSE_OPTIONS = { allowReturnOutsideFunction: true, attachComment: false } as const;

/**
 * Prepares agent code for the sandbox; see the module doc for the shapes it produces.
 *
 * @param code The agent code.
 * @param options The server bindings and the `servers/` and `skills/` folder URLs.
 * @returns The format, the text and the offset of the agent's code on line 1.
 * @throws {SyntaxError} When the code does not parse, has an `export`, or imports anything but `servers/...` or
 *   `skills/...`; the message names the line and column.
 * @throws {TypeError} When a server binding's identifier is not an identifier or its URL is not a `file:` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareCode } from "./prepare_code.ts";
 * const prepared = prepareCode('import { echo } from "servers/echo/index.ts";\nconst n: number = 1;\nreturn n;', {
 *   serversUrl: "file:///app/servers/",
 * });
 * assert.equal(prepared.format, "script");
 * assert.ok(prepared.source.includes('await import("file:///app/servers/echo/index.ts")'));
 * assert.equal(prepared.source.split("\n")[1], "const n         = 1;");
 * ```
 */
export function prepareCode(code: string, options: PrepareCodeOptions): PreparedCode {
  let program: Program;
  try {
    program = options.program ?? parseAgentCode(code);
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const reason = String((error as Error).message).replace(/ \(\d+:\d+\)$/, "");
    throw new SyntaxError(
      loc === undefined
        ? `Cannot parse agent code: ${reason}`
        : `Cannot parse agent code at line ${loc.line}, column ${loc.column + 1}: ${reason}`,
      { cause: error },
    );
  }
  const imports: ImportInfo[] = [];
  const blanks: Array<[number, number]> = [];
  const semicolons: number[] = [];
  const interpreter =
    (program as { interpreter?: { start?: number | null; end?: number | null } | null })
      .interpreter;
  if (interpreter?.start != null && interpreter.end != null) {
    blanks.push([interpreter.start, interpreter.end]);
  }
  for (const node of program.body) {
    if (node.type === "ImportDeclaration") {
      const url = resolveSpecifier(node, options);
      imports.push({ node, url: options.moduleUrls?.get(url) ?? url });
      blanks.push([node.start ?? 0, node.end ?? 0]);
      // A `;` where the import stood keeps ASI from joining the lines around it.
      semicolons.push(node.start ?? 0);
    } else if (
      node.type === "ExportNamedDeclaration" || node.type === "ExportDefaultDeclaration" ||
      node.type === "ExportAllDeclaration" || node.type === "TSExportAssignment" ||
      node.type === "TSNamespaceExportDeclaration"
    ) {
      throw refusal(node, "export declarations are not allowed: return a value instead");
    } else if (node.type === "TSImportEqualsDeclaration") {
      throw refusal(node, '"import x = ..." is not supported: use an import declaration');
    }
  }
  const given = options.servers ?? [];
  given.forEach(checkBinding);
  const servers = given.map((server) => ({
    ...server,
    moduleUrl: options.moduleUrls?.get(server.moduleUrl) ?? server.moduleUrl,
  }));
  if (options.forceModule !== true) {
    const script = toScript(code, program, imports, { blanks, semicolons }, servers);
    if (script !== undefined) return script;
  }
  return toModule(code, imports, { blanks, semicolons }, servers);
}

function toScript(
  code: string,
  program: Program,
  imports: ImportInfo[],
  removed: TypeErasure,
  servers: ServerBinding[],
): PreparedCode | undefined {
  const erasure = eraseTypes(code, program);
  if (erasure === undefined) return undefined;
  const body = edit(
    code,
    [...removed.blanks, ...erasure.blanks],
    [...removed.semicolons, ...erasure.semicolons],
  );
  // Blanked imports are safe by construction; erased types are checked by parsing what is left.
  if (erasure.blanks.length > 0 || erasure.semicolons.length > 0) {
    try {
      parse(body, {
        ...PARSE_OPTIONS,
        sourceType: "script",
        strictMode: true,
        allowAwaitOutsideFunction: true,
      });
    } catch {
      // Erasing changed what parses: let Deno transpile the code instead.
      return undefined;
    }
  }
  const bound = new Set<string>();
  const statements: string[] = [];
  for (const { node, url } of imports) {
    if (node.importKind === "type") continue;
    statements.push(...importStatements(node, url, bound));
  }
  for (const server of servers) {
    if (bound.has(server.identifier)) continue;
    bound.add(server.identifier);
    statements.push(
      `const ${server.identifier} = await import(${JSON.stringify(server.moduleUrl)});`,
    );
  }
  const prefix = [
    '(async () => {"use strict";',
    ...statements,
    `return async function ${AGENT_FUNCTION}() {`,
  ].join(" ");
  return {
    format: "script",
    source: `${prefix}${body}\n}; })\n//# sourceURL=${AGENT_SOURCE_NAME}\n`,
    firstLineOffset: prefix.length,
  };
}

function toModule(
  code: string,
  imports: ImportInfo[],
  removed: TypeErasure,
  servers: ServerBinding[],
): PreparedCode {
  const bound = new Set<string>();
  const statements = imports.map(({ node, url }) => {
    for (const specifier of node.specifiers) bound.add(specifier.local.name);
    return rewriteImport(node, url);
  });
  for (const server of servers) {
    if (bound.has(server.identifier)) continue;
    bound.add(server.identifier);
    statements.push(`import * as ${server.identifier} from ${JSON.stringify(server.moduleUrl)};`);
  }
  const prefix = [...statements, `export default async function ${AGENT_FUNCTION}() {`].join(" ");
  return {
    format: "module",
    source: `${prefix}${edit(code, removed.blanks, removed.semicolons)}\n}\n`,
    firstLineOffset: prefix.length,
  };
}

/** `import` declarations as `await import()` statements, for a script. */
function importStatements(node: ImportDeclaration, url: string, bound: Set<string>): string[] {
  const options = importAttributes(node);
  const load = `await import(${JSON.stringify(url)}${
    options === "" ? "" : `, { with: ${options} }`
  })`;
  const fields: string[] = [];
  let namespace: string | undefined;
  for (const specifier of node.specifiers) {
    if (specifier.type === "ImportNamespaceSpecifier") {
      namespace = specifier.local.name;
    } else if (specifier.type === "ImportDefaultSpecifier") {
      fields.push(`default: ${specifier.local.name}`);
    } else if (specifier.importKind !== "type") {
      const imported = specifier.imported.type === "Identifier"
        ? specifier.imported.name
        : JSON.stringify(specifier.imported.value);
      fields.push(
        imported === specifier.local.name ? imported : `${imported}: ${specifier.local.name}`,
      );
    } else {
      continue;
    }
    bound.add(specifier.local.name);
  }
  if (namespace !== undefined) {
    const statements = [`const ${namespace} = ${load};`];
    if (fields.length > 0) statements.push(`const { ${fields.join(", ")} } = ${namespace};`);
    return statements;
  }
  if (fields.length > 0) return [`const { ${fields.join(", ")} } = ${load};`];
  // Only type specifiers: nothing to load. No specifiers at all: a side-effect import.
  return node.specifiers.length > 0 ? [] : [`${load};`];
}

function importAttributes(node: ImportDeclaration): string {
  const attributes = (node.attributes ?? []).map((attribute) => {
    const key = attribute.key.type === "Identifier"
      ? attribute.key.name
      : JSON.stringify(attribute.key.value);
    return `${key}: ${JSON.stringify(attribute.value.value)}`;
  });
  return attributes.length > 0 ? `{ ${attributes.join(", ")} }` : "";
}

function rewriteImport(node: ImportDeclaration, url: string): string {
  const kind = node.importKind === "type" ? "type " : "";
  const names: string[] = [];
  const named: string[] = [];
  for (const specifier of node.specifiers) {
    if (specifier.type === "ImportDefaultSpecifier") names.push(specifier.local.name);
    else if (specifier.type === "ImportNamespaceSpecifier") {
      names.push(`* as ${specifier.local.name}`);
    } else {
      const imported = specifier.imported.type === "Identifier"
        ? specifier.imported.name
        : JSON.stringify(specifier.imported.value);
      const type = specifier.importKind === "type" ? "type " : "";
      named.push(
        imported === specifier.local.name
          ? `${type}${imported}`
          : `${type}${imported} as ${specifier.local.name}`,
      );
    }
  }
  if (named.length > 0) names.push(`{ ${named.join(", ")} }`);
  const attributes = importAttributes(node);
  const from = names.length > 0 ? `${names.join(", ")} from ` : "";
  const withClause = attributes === "" ? "" : ` with ${attributes}`;
  return `import ${kind}${from}${JSON.stringify(url)}${withClause};`;
}

function resolveSpecifier(node: ImportDeclaration, options: PrepareCodeOptions): string {
  const specifier = node.source.value;
  const match = /^(?:\.\/)?(servers|skills)\/(.+)$/.exec(specifier);
  if (match === null) {
    throw refusal(
      node,
      `cannot import ${
        JSON.stringify(specifier)
      }: agent code may import only from "servers/..." and "skills/..."`,
    );
  }
  const [, folder, rest = ""] = match;
  const base = folder === "servers" ? options.serversUrl : options.skillsUrl;
  if (base === undefined) {
    throw refusal(
      node,
      `cannot import ${JSON.stringify(specifier)}: skills are not available here`,
    );
  }
  // `servers/memory` is short for `servers/memory/index.ts`.
  const path = /^[\w.-]+$/.test(rest) && !rest.includes(".") ? `${rest}/index.ts` : rest;
  if (folder === "skills" && rest.startsWith(".")) {
    // Hidden folders are no skills; a principal's private skills are reached by `skills/<name>/` alone.
    throw refusal(
      node,
      `cannot import ${JSON.stringify(specifier)}: hidden folders of skills/ cannot be imported`,
    );
  }
  const slash = path.indexOf("/");
  const own = folder === "skills" && slash > 0
    ? options.skillFolderUrl?.(path.slice(0, slash))
    : undefined;
  const root = own ?? (base.endsWith("/") ? base : `${base}/`);
  const url = new URL(own === undefined ? path : path.slice(slash + 1), root).href;
  if (!url.startsWith(root) || /%2e|%2f|%5c/i.test(path)) {
    throw refusal(
      node,
      `cannot import ${JSON.stringify(specifier)}: it leaves the ${folder}/ folder`,
    );
  }
  return url;
}

function checkBinding(server: ServerBinding): void {
  if (!/^[A-Za-z_$][\w$]*$/.test(server.identifier)) {
    throw new TypeError(
      `Cannot bind server "${server.name}": ${
        JSON.stringify(server.identifier)
      } is not an identifier`,
    );
  }
  if (!server.moduleUrl.startsWith("file:")) {
    throw new TypeError(
      `Cannot bind server "${server.name}": module URL ${
        JSON.stringify(server.moduleUrl)
      } is not a file: URL`,
    );
  }
}

function refusal(node: Statement, reason: string): SyntaxError {
  const start = node.loc?.start;
  const where = start === undefined ? "" : ` at line ${start.line}, column ${start.column + 1}`;
  return new SyntaxError(`Cannot run agent code${where}: ${reason}`);
}

/**
 * Overwrites every character in the ranges with a space, keeping line breaks so that no position moves, then puts a
 * `;` at each of the given offsets.
 */
function edit(code: string, ranges: Array<[number, number]>, semicolons: number[]): string {
  if (ranges.length === 0 && semicolons.length === 0) return code;
  const chars = code.split("");
  for (const [start, end] of ranges) {
    for (let index = start; index < end; index++) {
      const char = chars[index];
      if (char !== "\n" && char !== "\r" && char !== "\u2028" && char !== "\u2029") {
        chars[index] = " ";
      }
    }
  }
  for (const offset of semicolons) chars[offset] = ";";
  return chars.join("");
}
