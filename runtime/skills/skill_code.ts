/**
 * A skill's code: what it uses (tools, server namespaces, other skills), and the `skill.ts` module made of it.
 *
 * `skill.ts` wraps the saved task body in `export async function run(args)`, with the body's own imports moved to
 * the top and rewritten to paths relative to the file, and an `import * as <server>` for each server namespace the
 * body uses. So the file is both the task body (the function's body, lines unchanged) and a module other tasks and
 * skills import: `import { run } from "skills/<name>/skill.ts"`.
 *
 * @module
 */

import { parse } from "@babel/parser";
import { assignFunctionNames } from "../codegen/mod.ts";
import { parseToolRef } from "../tool_ref.ts";

type Program = ReturnType<typeof parse>["program"];
type Statement = Program["body"][number];
type ImportDeclaration = Extract<Statement, { type: "ImportDeclaration" }>;
// deno-lint-ignore no-explicit-any
type AnyNode = any;

/**
 * A connected server as skill code sees it.
 *
 * @example
 * ```ts
 * import type { SkillHost, SkillServer } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const memory: SkillServer = { name: "memory", identifier: "memory", dirName: "memory", tools: ["read_graph"] };
 * const servers: SkillHost["servers"] = () => [memory];
 * assert.deepEqual(servers().map((s) => s.tools.length), [1]);
 * ```
 */
export interface SkillServer {
  /** The server's name in the config. */
  name: string;
  /** Its namespace identifier in agent code, e.g. `memory`, `sequential_thinking`. */
  identifier: string;
  /** Its folder under `servers/`. */
  dirName: string;
  /** Its tools' names, in listing order. */
  tools: readonly string[];
}

/** What {@linkcode analyzeSkillCode} found. */
export interface SkillCodeInfo {
  /** Tools the code calls, as `server.tool`, or a whole `server` when it uses a namespace in another way. */
  tools: string[];
  /** Servers whose namespace the code uses without importing it. */
  namespaces: string[];
  /** Skills it imports. */
  skills: string[];
  /** Its import declarations, in order. */
  imports: ImportDeclaration[];
  /** The code's text. */
  code: string;
}

const PARSE_OPTIONS: NonNullable<Parameters<typeof parse>[1]> = {
  allowReturnOutsideFunction: true,
  attachComment: false,
  sourceType: "module",
  plugins: ["typescript"],
};

const SKILL_IMPORT_RE = /^(?:\.\/)?skills\/([a-z0-9-]+)\/(?:versions\/\d+\/)?skill\.ts$/;
const SERVER_IMPORT_RE = /^(?:\.\/)?servers\/([^/]+)(?:\/(.+))?$/;

/** The first line of every generated `skill.ts`. */
export const SKILL_HEADER_RE = /^\/\/ Skill "([a-z0-9-]+)" version (\d+)/;

/** Type positions, where a server identifier names a type, not the namespace. */
const TYPE_PARENTS = new Set([
  "TSQualifiedName",
  "TSTypeReference",
  "TSTypeQuery",
  "TSExpressionWithTypeArguments",
]);

function where(loc: { line: number; column: number } | undefined): string {
  return loc === undefined ? "" : ` at line ${loc.line}, column ${loc.column + 1}`;
}

/**
 * Parses TypeScript with the project's Babel parser, throwing a `SyntaxError` that names the line and column.
 *
 * @param code The text.
 * @param what What the text is, for the message (e.g. `skill code`).
 * @returns The program.
 * @throws {SyntaxError} When the text does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTypeScript } from "./skill_code.ts";
 * assert.equal(parseTypeScript("const a: number = 1;", "code").body.length, 1);
 * assert.throws(() => parseTypeScript("const a = ;", "code"), /Cannot parse code at line 1, column 11/);
 * ```
 */
export function parseTypeScript(code: string, what: string): Program {
  try {
    return parse(code, PARSE_OPTIONS).program;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const reason = String((error as Error).message).replace(/ \(\d+:\d+\)$/, "");
    throw new SyntaxError(`Cannot parse ${what}${where(loc)}: ${reason}`, { cause: error });
  }
}

/**
 * Finds what a skill's code uses: the tools it calls through server namespaces (`memory.readGraph(...)`) or named
 * imports from `servers/...`, and the skills it imports.
 *
 * @param code The skill's code: a task body.
 * @param servers The connected servers.
 * @returns The tools, namespaces and skills it uses, and its imports.
 * @throws {SyntaxError} When the code does not parse, has an `export`, or imports anything but `servers/...` and
 *   `skills/<name>/skill.ts`; the message names the line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeSkillCode } from "./skill_code.ts";
 * const info = analyzeSkillCode("const g = await memory.readGraph();\nreturn g.entities.length;", [
 *   { name: "memory", identifier: "memory", dirName: "memory", tools: ["read_graph"] },
 * ]);
 * assert.deepEqual(info.tools, ["memory.read_graph"]);
 * assert.deepEqual(info.namespaces, ["memory"]);
 * ```
 */
export function analyzeSkillCode(code: string, servers: readonly SkillServer[]): SkillCodeInfo {
  const program = parseTypeScript(code, "skill code");
  const byIdentifier = new Map(servers.map((s) => [s.identifier, s]));
  const byDir = new Map(servers.map((s) => [s.dirName, s]));
  const functions = new Map(servers.map((s) => {
    const names = assignFunctionNames(s.tools);
    return [s.name, new Map(s.tools.map((tool, i) => [names[i]!, tool]))];
  }));
  const tools = new Set<string>();
  const namespaces = new Set<string>();
  const skills = new Set<string>();
  const imports: ImportDeclaration[] = [];
  const bound = new Set<string>();
  for (const node of program.body) {
    if (node.type === "ImportDeclaration") {
      imports.push(node);
      for (const specifier of node.specifiers) bound.add(specifier.local.name);
      const source = node.source.value;
      const skill = SKILL_IMPORT_RE.exec(source);
      const server = SERVER_IMPORT_RE.exec(source);
      if (skill !== null) {
        skills.add(skill[1]!);
      } else if (server !== null && !source.includes("..")) {
        const target = byDir.get(server[1]!);
        if (target === undefined || node.importKind === "type") continue;
        for (const specifier of node.specifiers) {
          const tool =
            specifier.type === "ImportSpecifier" && specifier.imported.type === "Identifier"
              ? functions.get(target.name)?.get(specifier.imported.name)
              : undefined;
          if (specifier.type === "ImportSpecifier" && specifier.importKind === "type") continue;
          tools.add(tool === undefined ? target.name : `${target.name}.${tool}`);
        }
      } else {
        throw new SyntaxError(
          `Cannot use skill code${where(node.loc?.start)}: cannot import ${
            JSON.stringify(source)
          }: a skill may import only from "servers/..." and "skills/<name>/skill.ts"`,
        );
      }
    } else if (declaresArgs(node)) {
      throw new SyntaxError(
        `Cannot use skill code${
          where(node.loc?.start)
        }: "args" is already declared (it holds the skill's arguments): use another name`,
      );
    } else if (node.type.startsWith("Export") || node.type === "TSExportAssignment") {
      throw new SyntaxError(
        `Cannot use skill code${
          where(node.loc?.start)
        }: export declarations are not allowed: return a value instead`,
      );
    }
  }
  walk(program, undefined, "", (node, parent, key) => {
    if (node.type !== "Identifier" || bound.has(node.name)) return;
    const server = byIdentifier.get(node.name);
    if (server === undefined || parent === undefined) return;
    const member = parent.type === "MemberExpression" || parent.type === "OptionalMemberExpression";
    if (member && key === "property" && !parent.computed) return;
    if (
      (parent.type === "ObjectProperty" || parent.type.endsWith("Method")) && key === "key" &&
      !parent.computed
    ) return;
    if (TYPE_PARENTS.has(parent.type) || parent.type.startsWith("Import")) return;
    namespaces.add(server.name);
    if (member && key === "object" && !parent.computed && parent.property.type === "Identifier") {
      const tool = functions.get(server.name)?.get(parent.property.name);
      if (tool !== undefined) tools.add(`${server.name}.${tool}`);
      // A server whose tools are unknown (not connected) is recorded whole, which saving then refuses.
      else if (server.tools.length === 0) tools.add(server.name);
      return;
    }
    tools.add(server.name);
  });
  // A whole server covers its single tools.
  const serverNames = servers.map((s) => s.name);
  for (const tool of [...tools]) {
    const ref = parseToolRef(tool, serverNames);
    if (ref?.tool !== undefined && tools.has(ref.server)) tools.delete(tool);
  }
  return {
    tools: [...tools].sort(),
    namespaces: [...namespaces].sort(),
    skills: [...skills].sort(),
    imports,
    code,
  };
}

/** Whether a top-level statement declares `args`, which the wrapper's parameter already is. */
function declaresArgs(node: Statement): boolean {
  if (node.type === "VariableDeclaration") {
    return node.declarations.some((d) => JSON.stringify(d.id).includes('"name":"args"'));
  }
  return (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") &&
    node.id?.name === "args";
}

function walk(
  node: AnyNode,
  parent: AnyNode,
  key: string,
  visit: (node: AnyNode, parent: AnyNode, key: string) => void,
): void {
  visit(node, parent, key);
  for (const [childKey, value] of Object.entries(node)) {
    if (childKey === "loc" || childKey === "extra") continue;
    if (Array.isArray(value)) {
      for (const child of value) {
        if (child !== null && typeof child === "object" && typeof child.type === "string") {
          walk(child, node, childKey, visit);
        }
      }
    } else if (
      value !== null && typeof value === "object" && typeof (value as AnyNode).type === "string"
    ) {
      walk(value, node, childKey, visit);
    }
  }
}

/** Where `skill.ts` finds the servers and the other skills, relative to its own folder. */
export interface SkillModuleOptions {
  /** The skill's name and version, for the header. */
  name: string;
  version: number;
  /** The relative path from the file's folder to `servers/`, e.g. `../../servers`. */
  serversPath: string;
  /** The relative path from the file's folder to `skills/`, e.g. `..`. */
  skillsPath: string;
  /**
   * The relative path from the file's folder to the folder of each skill it imports, where that is not under
   * `skillsPath` (a private skill importing a shared one). Default: `<skillsPath>/<name>`.
   */
  skillPaths?: Readonly<Record<string, string>>;
  /** The servers whose namespaces the code uses, as `{ identifier, dirName }`. */
  namespaces: ReadonlyArray<{ identifier: string; dirName: string }>;
}

/**
 * Writes `skill.ts` from analyzed skill code (see the module doc for its shape).
 *
 * @param info What {@linkcode analyzeSkillCode} returned.
 * @param options Name, version and the relative paths to `servers/` and `skills/`.
 * @returns The module's text.
 * @throws {SyntaxError} When the code does not parse as a function body (e.g. it declares `args` again).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeSkillCode, renderSkillModule } from "./skill_code.ts";
 * const servers = [{ name: "memory", identifier: "memory", dirName: "memory", tools: ["read_graph"] }];
 * const info = analyzeSkillCode("return (await memory.readGraph()).entities.length;", servers);
 * const text = renderSkillModule(info, {
 *   name: "count", version: 1, serversPath: "../../servers", skillsPath: "..", namespaces: servers,
 * });
 * assert.ok(text.includes('import * as memory from "../../servers/memory/index.ts";'));
 * assert.ok(text.includes("export async function run(args: any): Promise<any> {"));
 * ```
 */
export function renderSkillModule(info: SkillCodeInfo, options: SkillModuleOptions): string {
  const { code } = info;
  const imports = options.namespaces.map((ns) =>
    `import * as ${ns.identifier} from ${
      JSON.stringify(`${options.serversPath}/${ns.dirName}/index.ts`)
    };`
  );
  const chars = code.split("");
  const bindsRun = info.imports.some((node) => node.specifiers.some((s) => s.local.name === "run"));
  for (const node of info.imports) {
    const start = node.start ?? 0;
    const end = node.end ?? 0;
    const source = node.source;
    imports.push(
      code.slice(start, source.start ?? 0) + JSON.stringify(rebase(source.value, options)) +
        code.slice(source.end ?? 0, end),
    );
    for (let i = start; i < end; i++) if (chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
  }
  const head = [
    `// Skill "${options.name}" version ${options.version}, saved by mcp-executor. run() holds the saved code.`,
    "// deno-lint-ignore-file",
    ...imports,
    "",
    `/** Runs skill "${options.name}"; executeSkill validates \`args\` against its params schema first. */`,
    // Code that imports another skill's `run` under that name keeps it: the wrapper is then exported as `run`
    // under another local name.
    bindsRun
      ? `async function ${WRAPPER}(args: any): Promise<any> {`
      : "export async function run(args: any): Promise<any> {",
  ];
  const tail = bindsRun ? `\n}\nexport { ${WRAPPER} as run };\n` : "\n}\n";
  const text = `${head.join("\n")}\n${chars.join("")}${tail}`;
  try {
    parse(text, { ...PARSE_OPTIONS, allowReturnOutsideFunction: false });
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const line = loc === undefined || loc.line <= head.length
      ? undefined
      : { line: loc.line - head.length, column: loc.column };
    const reason = String((error as Error).message).replace(/ \(\d+:\d+\)$/, "");
    throw new SyntaxError(`Cannot use skill code${where(line)}: ${reason}`, { cause: error });
  }
  return text;
}

/** The wrapper's local name when the saved code binds `run` itself. */
const WRAPPER = "__mcpxSkillRun";

function rebase(specifier: string, options: SkillModuleOptions): string {
  const server = SERVER_IMPORT_RE.exec(specifier);
  if (server !== null) {
    const rest = server[2] ?? "index.ts";
    const path = !rest.includes(".") ? `${rest}/index.ts` : rest;
    return `${options.serversPath}/${server[1]}/${server[2] === undefined ? "index.ts" : path}`;
  }
  const skill = /^(?:\.\/)?skills\/([^/]+)\/(.*)$/.exec(specifier);
  if (skill === null) return `${options.skillsPath}/${specifier.replace(/^(?:\.\/)?skills\//, "")}`;
  return `${options.skillPaths?.[skill[1]!] ?? `${options.skillsPath}/${skill[1]}`}/${skill[2]}`;
}

export { checkSkillModule, rebaseSkillModule } from "./skill_module.ts";
