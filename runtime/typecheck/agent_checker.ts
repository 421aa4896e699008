/**
 * `AgentChecker`: a kept-warm TypeScript language service that checks agent code, as the module the sandbox runs,
 * against the generated `servers/` types, skills and the sandbox globals. It runs in the thread that calls it: the
 * orchestrator reaches it through {@linkcode TypeChecker}, which keeps it in a Worker.
 *
 * The lib files and the generated modules are parsed once and kept (their versions follow the files' modification
 * times); a check replaces only the agent's file, so the next program reuses every other source file.
 *
 * @module
 */

import ts from "typescript";
import { SANDBOX_GLOBALS, serverNamespaces } from "./_agent_globals.ts";
import { wrapCode } from "./_wrap_code.ts";
import type { TypeDiagnostic } from "./diagnostics.ts";

const ROOT = "/__mcpx__/";
const AGENT_FILE = `${ROOT}agent.ts`;
const GLOBALS_FILE = `${ROOT}globals.d.ts`;
const SERVERS_FILE = `${ROOT}servers.d.ts`;

/**
 * Diagnostics that are not errors for agent code: a `return` at top level (the sandbox wraps the code in a
 * function), and values of type `unknown` used as if typed (results of tools without an output type are JSON).
 */
const IGNORED_CODES = new Set([1108, 18046, 2571, 18047, 18048, 18049]);

/** Where the checker finds the generated modules and the skills. */
export interface AgentCheckerOptions {
  /** The generated `servers/` folder. */
  serversDir: string;
  /** The `skills/` folder, when agent code may import skills. */
  skillsDir?: string;
}

/** What one check is about. */
export interface CheckInput {
  /** The agent code, as the task gives it. */
  code: string;
  /** The servers the task may call: their identifier in agent code and their folder name under `servers/`. */
  servers: ReadonlyArray<{ identifier: string; dir: string }>;
}

/**
 * A TypeScript language service that checks agent code (TypeScript 6, the classic compiler API, in process).
 *
 * @example Check a program against no servers
 * ```ts
 * import { AgentChecker } from "./agent_checker.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const checker = new AgentChecker({ serversDir: dir });
 * const found = checker.check({ code: 'const n: number = "x";\nreturn n;', servers: [] });
 * assert.equal(found[0]?.line, 1);
 * assert.match(found[0]?.message ?? "", /not assignable to type 'number'/);
 * ```
 */
export class AgentChecker {
  #service: ts.LanguageService;
  #agent = "";
  #agentVersion = 0;
  #servers = "";
  #serversVersion = 0;
  #versions = new Map<string, { mtime: number; version: string }>();
  /** Host folders as the agent knows them, to keep host paths out of messages. */
  #folders: Array<[string, string]>;

  /**
   * Creates the language service; nothing is read until the first check.
   *
   * @param options The `servers/` and `skills/` folders.
   */
  constructor(options: AgentCheckerOptions) {
    const serversDir = options.serversDir.replace(/\/+$/, "");
    const paths: Record<string, string[]> = { "servers/*": [`${serversDir}/*`] };
    this.#folders = [[serversDir, "servers"]];
    if (options.skillsDir !== undefined) {
      const skillsDir = options.skillsDir.replace(/\/+$/, "");
      paths["skills/*"] = [`${skillsDir}/*`];
      this.#folders.push([skillsDir, "skills"]);
    }
    const compilerOptions: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: false,
      noImplicitAny: false,
      strictNullChecks: false,
      skipLibCheck: true,
      skipDefaultLibCheck: true,
      types: [],
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
      paths,
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => compilerOptions,
      getScriptFileNames: () => [AGENT_FILE, GLOBALS_FILE, SERVERS_FILE],
      getScriptVersion: (file) => this.#version(file),
      getScriptSnapshot: (file) => {
        const text = this.#virtual(file) ?? ts.sys.readFile(file);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (file) => this.#virtual(file) !== undefined || ts.sys.fileExists(file),
      readFile: (file) => this.#virtual(file) ?? ts.sys.readFile(file),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.#service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /**
   * Checks agent code.
   *
   * @param input The code and the servers it may call.
   * @returns The errors in the agent's code, in its own line and column numbers (1-based), in order.
   */
  check(input: CheckInput): TypeDiagnostic[] {
    const servers = serverNamespaces(
      input.servers.map((s) => ({
        identifier: s.identifier,
        specifier: `servers/${s.dir}/index.ts`,
      })),
    );
    if (servers !== this.#servers) {
      this.#servers = servers;
      this.#serversVersion++;
    }
    const wrapped = wrapCode(input.code);
    this.#agent = wrapped.text;
    this.#agentVersion++;
    const all = [
      ...this.#service.getSyntacticDiagnostics(AGENT_FILE),
      ...this.#service.getSemanticDiagnostics(AGENT_FILE),
    ];
    const starts = lineStarts(input.code);
    const found: TypeDiagnostic[] = [];
    for (const d of all) {
      if (IGNORED_CODES.has(d.code) || d.category !== ts.DiagnosticCategory.Error) continue;
      // A skill may be a principal's private one, which the checker cannot see: only servers' modules must exist.
      if (d.code === 2307 && /['"]skills\//.test(String(d.messageText))) continue;
      const at = position(starts, wrapped.original(d.start ?? 0));
      let message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      for (const [dir, name] of this.#folders) message = message.replaceAll(dir, name);
      found.push({ ...at, code: d.code, message });
    }
    return found.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** Releases the language service's programs. */
  dispose(): void {
    this.#service.dispose();
  }

  #virtual(file: string): string | undefined {
    if (file === AGENT_FILE) return this.#agent;
    if (file === GLOBALS_FILE) return SANDBOX_GLOBALS;
    if (file === SERVERS_FILE) return this.#servers;
    return undefined;
  }

  #version(file: string): string {
    if (file === AGENT_FILE) return String(this.#agentVersion);
    if (file === GLOBALS_FILE) return "1";
    if (file === SERVERS_FILE) return String(this.#serversVersion);
    // Generated modules change when a server's tools change (or an output type is inferred): follow the mtime.
    let mtime = 0;
    try {
      mtime = Deno.statSync(file).mtime?.getTime() ?? 0;
    } catch {
      mtime = -1;
    }
    const known = this.#versions.get(file);
    if (known !== undefined && known.mtime === mtime) return known.version;
    const version = `${mtime}:${(Number(known?.version.split(":")[1] ?? 0) + 1)}`;
    this.#versions.set(file, { mtime, version });
    return version;
  }
}

/** The offsets at which the lines of `text` start. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const match of text.matchAll(/\r\n|[\n\r\u2028\u2029]/g)) {
    starts.push(match.index + match[0].length);
  }
  return starts;
}

/** The 1-based line and column of an offset. */
function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
  return { line: line + 1, column: offset - starts[line]! + 1 };
}
