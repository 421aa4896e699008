/**
 * Turns MCP tool and server names into valid, collision-free TypeScript identifiers and file names.
 *
 * Tool names are free-form strings (`read_graph`, `get-sum`, `my.tool name`, `3d`, `delete`); generated code needs
 * identifiers: camelCase for functions, PascalCase for types, and a snake_case-safe namespace per server. Every
 * function here is pure and deterministic: the same names in the same order always give the same result.
 *
 * @module
 */

/** Words no generated identifier may be: reserved words, strict-mode restrictions and confusing globals. */
// deno-fmt-ignore
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  // ECMAScript reserved words, including future and strict-mode ones.
  "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in",
  "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public", "return", "static",
  "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  // Not reserved, but declaring them is an error in strict code or shadows a value every program relies on.
  "arguments", "eval", "undefined", "NaN", "Infinity",
]);

/**
 * Names a server namespace must not take because agent code needs the global of that name.
 * Checked in addition to {@linkcode RESERVED_WORDS}.
 */
// deno-fmt-ignore
const SANDBOX_GLOBALS: ReadonlySet<string> = new Set([
  "Array", "Boolean", "Date", "Deno", "Error", "JSON", "Map", "Math", "Number", "Object", "Promise", "RegExp", "Set",
  "String", "Symbol", "URL", "console", "crypto", "fetch", "globalThis", "self", "setTimeout", "clearTimeout",
  "structuredClone", "queueMicrotask",
]);

/** Function names that would clash with a file the generator writes beside the tool files (`index.ts`). */
const RESERVED_FUNCTION_NAMES: ReadonlySet<string> = new Set(["index"]);

const IDENTIFIER_RE = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/**
 * Splits a name into words: runs of letters and digits, with accents removed (`café` -> `cafe`).
 * Everything else (`_`, `-`, `.`, spaces, punctuation, emoji) separates words.
 */
function splitWords(name: string): string[] {
  const plain = name.normalize("NFKD").replace(/\p{M}/gu, "");
  return plain.split(/[^\p{ID_Continue}]+|_+/u).filter((word) => word.length > 0);
}

/** `USER` -> `User`; mixed-case words keep their inner capitals (`listPRs` stays). */
function normalizeShouting(word: string): string {
  const isShouting = word.length > 1 && word === word.toUpperCase() && word !== word.toLowerCase();
  return isShouting ? word[0] + word.slice(1).toLowerCase() : word;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `ReadGraph` -> `readGraph`, `URLFetch` -> `urlFetch`, `URL` -> `url`. */
function lowerLeading(word: string): string {
  const upperRun = /^\p{Lu}+/u.exec(word)?.[0] ?? "";
  if (upperRun.length === word.length) return word.toLowerCase();
  if (upperRun.length <= 1) return word.charAt(0).toLowerCase() + word.slice(1);
  // Keep the last capital of the run when lowercase follows: it starts the next word.
  const keep = upperRun.length - 1;
  return word.slice(0, keep).toLowerCase() + word.slice(keep);
}

/** Prefixes `_` when the text cannot start an identifier (a leading digit). */
function fixStart(text: string): string {
  return /^[\p{ID_Start}$_]/u.test(text) ? text : `_${text}`;
}

/**
 * Converts a tool name to a camelCase function name.
 *
 * Separators (`_`, `-`, `.`, spaces, any non-identifier character) start a new word, accents are dropped,
 * a leading digit gets a `_` prefix, a reserved word gets a `_` suffix, and an empty result becomes `tool`.
 * Collisions between names are not handled here: see {@linkcode assignFunctionNames}.
 *
 * @param name The tool's name as the MCP server reports it.
 * @returns A valid TypeScript identifier.
 *
 * @example Convert tool names
 * ```ts
 * import { toFunctionName } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toFunctionName("read_graph"), "readGraph");
 * assert.equal(toFunctionName("get-sum"), "getSum");
 * assert.equal(toFunctionName("delete"), "delete_");
 * ```
 */
export function toFunctionName(name: string): string {
  const words = splitWords(name).map(normalizeShouting);
  if (words.length === 0) return "tool";
  const [first = "", ...rest] = words;
  const camel = fixStart(lowerLeading(first) + rest.map(capitalize).join(""));
  return RESERVED_WORDS.has(camel) || RESERVED_FUNCTION_NAMES.has(camel) ? `${camel}_` : camel;
}

/**
 * Converts a name to a PascalCase type name (`read_graph` -> `ReadGraph`).
 *
 * @param name Any name: a tool name, a function name, a `$defs` key.
 * @returns A valid TypeScript type name; `Type` when the name has no letters or digits.
 *
 * @example Convert names to type names
 * ```ts
 * import { toTypeName } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toTypeName("read_graph"), "ReadGraph");
 * assert.equal(toTypeName("createEntities"), "CreateEntities");
 * ```
 */
export function toTypeName(name: string): string {
  const words = splitWords(name).map(normalizeShouting);
  if (words.length === 0) return "Type";
  return fixStart(words.map(capitalize).join(""));
}

/**
 * Converts a server name to the identifier its namespace is bound to in agent code.
 *
 * Words are joined with `_` and keep their case (`sequential-thinking` -> `sequential_thinking`); reserved words
 * and globals agent code needs (`console`, `fetch`, `Deno`...) get a `_` suffix; an empty result becomes `server`.
 * Collisions between servers are not handled here: see {@linkcode assignServerIdentifiers}.
 *
 * @param name The server's name in mcp.json.
 * @returns A valid TypeScript identifier.
 *
 * @example Convert a server name
 * ```ts
 * import { toServerIdentifier } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toServerIdentifier("sequential-thinking"), "sequential_thinking");
 * ```
 */
export function toServerIdentifier(name: string): string {
  const words = splitWords(name);
  if (words.length === 0) return "server";
  const snake = fixStart(words.join("_"));
  return RESERVED_WORDS.has(snake) || SANDBOX_GLOBALS.has(snake) ? `${snake}_` : snake;
}

/**
 * Converts a server name to the name of its folder under the generated `servers/` folder.
 *
 * Letters, digits, `-`, `_` and `.` are kept (`sequential-thinking` stays), any other character becomes `_`,
 * leading dots are dropped (no hidden folders, no `..`), and an empty result becomes `server`.
 *
 * @param name The server's name in mcp.json.
 * @returns A single path segment, safe on every file system.
 *
 * @example Folder names
 * ```ts
 * import { toServerDirName } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toServerDirName("sequential-thinking"), "sequential-thinking");
 * assert.equal(toServerDirName("../etc"), "_etc");
 * ```
 */
export function toServerDirName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "");
  return safe.length === 0 ? "server" : safe;
}

/**
 * Makes names unique, in order: the first keeps its name, later ones get `2`, `3`... appended.
 *
 * Names are compared ignoring case, so that the files named after them cannot collide on a case-insensitive file
 * system (`getURL.ts` and `getUrl.ts`).
 *
 * @param names The candidate names, in the order that decides who keeps the plain name.
 * @param taken Names that are already in use and must not be returned.
 * @returns One unique name per input, in the same order.
 *
 * @example Deduplicate
 * ```ts
 * import { uniqueNames } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(uniqueNames(["getSum", "getSum", "GetSum"]), ["getSum", "getSum2", "GetSum3"]);
 * ```
 */
export function uniqueNames(names: readonly string[], taken: Iterable<string> = []): string[] {
  const used = new Set<string>();
  for (const name of taken) used.add(name.toLowerCase());
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${name}${n}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * Gives each tool of one server a unique camelCase function name.
 *
 * @param toolNames The server's tool names in `tools/list` order; that order decides who gets a `2` suffix.
 * @returns One function name per tool, in the same order.
 *
 * @example Two tools that map to one name
 * ```ts
 * import { assignFunctionNames } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(assignFunctionNames(["get_sum", "get-sum"]), ["getSum", "getSum2"]);
 * ```
 */
export function assignFunctionNames(toolNames: readonly string[]): string[] {
  return uniqueNames(toolNames.map(toFunctionName));
}

/**
 * Gives each server a unique namespace identifier.
 *
 * @param serverNames Server names in a stable order (for example mcp.json order); it decides the suffixes.
 * @returns One identifier per server, in the same order.
 *
 * @example Two servers that map to one identifier
 * ```ts
 * import { assignServerIdentifiers } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(assignServerIdentifiers(["my-server", "my.server"]), ["my_server", "my_server2"]);
 * ```
 */
export function assignServerIdentifiers(serverNames: readonly string[]): string[] {
  return uniqueNames(serverNames.map(toServerIdentifier));
}

/**
 * Reports whether a string is a valid TypeScript identifier (reserved words included).
 *
 * @param text The candidate.
 * @returns `true` when `text` can be written as a bare identifier or property name.
 *
 * @example Check identifiers
 * ```ts
 * import { isIdentifier } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isIdentifier("entityType"));
 * assert.ok(!isIdentifier("entity-type"));
 * ```
 */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER_RE.test(text);
}

/**
 * The path of a tool's generated file, relative to the generated `servers/` folder.
 *
 * @param serverDir The server's folder, from {@linkcode toServerDirName}.
 * @param functionName The tool's function name, from {@linkcode assignFunctionNames}.
 * @returns `<serverDir>/<functionName>.ts`, always with `/` separators.
 *
 * @example A tool's file
 * ```ts
 * import { toolFilePath } from "./identifiers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toolFilePath("memory", "readGraph"), "memory/readGraph.ts");
 * ```
 */
export function toolFilePath(serverDir: string, functionName: string): string {
  return `${serverDir}/${functionName}.ts`;
}
