/**
 * `TypeChecker`: checks agent code with TypeScript 7, the native compiler, in a process of its own (`tsgo`, through
 * the `typescript/unstable/async` API), so that a check never holds the event loop other sessions' tasks run on.
 * The compiler keeps the lib files and the generated `servers/` modules between checks; a check rewrites the
 * agent's file and tells the compiler what changed. Why this compiler: docs/typecheck.md and
 * `bench/typecheck_bench.ts`.
 *
 * @module
 */

import { join } from "node:path";
import { confinedFileSystem } from "./_confined_fs.ts";
import { API, type Snapshot } from "typescript-native/unstable/async";
import { logger } from "../log.ts";
import { SANDBOX_GLOBALS, serverNamespaces } from "./_agent_globals.ts";
import { COMPILER_OPTIONS, IGNORED_CODES, mapDiagnostic } from "./_diagnostic_map.ts";
import { ServerFiles } from "./_server_files.ts";
import { wrapCode } from "./_wrap_code.ts";
import type { TypeDiagnostic } from "./diagnostics.ts";

const log = logger("typecheck");

/** Where the checker finds the generated modules and the skills, and how long a check may take. */
export interface TypeCheckerOptions {
  /** The generated `servers/` folder. */
  serversDir: string;
  /** The `skills/` folder, when agent code may import skills. */
  skillsDir?: string;
  /** How long one check may take before the task runs unchecked, in milliseconds. Default 10,000. */
  checkTimeoutMs?: number;
}

/** What one check is about. */
export interface CheckInput {
  /** The agent code, as the task gives it. */
  code: string;
  /** The servers the task may call: their identifier in agent code and their folder name under `servers/`. */
  servers: ReadonlyArray<{ identifier: string; dir: string }>;
}

/** What one check found, with its cost. */
export interface CheckOutcome {
  /** The type errors, in the agent's line numbers, in order. */
  diagnostics: TypeDiagnostic[];
  /** How long the check took, in milliseconds. */
  ms: number;
  /** The compiler process's resident memory after the check, in bytes (0 when unknown). */
  rssBytes: number;
}

/**
 * The two texts the checker checks for a task besides the generated modules: the agent's code wrapped as the
 * sandbox runs it (the body of an async function, imports moved in front on line 1), and the declarations of the
 * sandbox globals and server namespaces.
 *
 * @param input The code and the servers it may call.
 * @returns The wrapped agent file and the globals (a script).
 *
 * @example
 * ```ts
 * import { checkedTexts } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const texts = checkedTexts({ code: "return 1;", servers: [{ identifier: "memory", dir: "memory" }] });
 * assert.match(texts.agent, /^async function __agent__\(\) \{return 1;/);
 * assert.match(texts.globals, /declare const memory: typeof import\("servers\/memory\/index.ts"\)/);
 * ```
 */
export function checkedTexts(input: CheckInput): { agent: string; globals: string } {
  return { agent: wrapCode(input.code).text, globals: SANDBOX_GLOBALS + namespacesOf(input) };
}

function namespacesOf(input: CheckInput): string {
  return serverNamespaces(
    input.servers.map((s) => ({
      identifier: s.identifier,
      specifier: `servers/${s.dir}/index.ts`,
    })),
  );
}

interface Session {
  api: API;
  dir: string;
  snapshot?: Snapshot;
  namespaces?: string;
  files: ServerFiles;
}

/**
 * Checks agent code in a TypeScript 7 compiler process. Checks run one at a time. A check that fails or takes too
 * long resolves to `undefined` (the task then runs unchecked, with a log line), and the next check starts a fresh
 * compiler: the checker never fails a task by its own fault.
 *
 * @example
 * ```ts
 * import { TypeChecker } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await using checker = new TypeChecker({ serversDir: dir });
 * const outcome = await checker.check({ code: "const n: number = 'one';\nreturn n;", servers: [] });
 * assert.equal(outcome?.diagnostics[0]?.line, 1);
 * assert.match(outcome?.diagnostics[0]?.message ?? "", /not assignable to type 'number'/);
 * ```
 */
export class TypeChecker implements AsyncDisposable {
  #options: TypeCheckerOptions;
  #session: Promise<Session> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * Creates the checker; the compiler starts on {@linkcode TypeChecker.warm} or the first check.
   *
   * @param options The `servers/` and `skills/` folders and the check deadline.
   */
  constructor(options: TypeCheckerOptions) {
    this.#options = options;
  }

  /**
   * Starts the compiler and checks an empty program, so that the lib files are loaded before the first task.
   *
   * @returns The outcome of the empty check.
   */
  warm(): Promise<CheckOutcome | undefined> {
    return this.check({ code: "", servers: [] });
  }

  /**
   * Checks agent code.
   *
   * @param input The code and the servers it may call.
   * @returns The outcome, or `undefined` when the checker failed, timed out or is closed.
   */
  check(input: CheckInput): Promise<CheckOutcome | undefined> {
    const run = this.#queue.then(() => this.#checkWithDeadline(input));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stops the compiler process and removes its folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#stop();
  }

  async #checkWithDeadline(input: CheckInput): Promise<CheckOutcome | undefined> {
    if (this.#closed) return undefined;
    const ms = this.#options.checkTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    });
    try {
      const checking = this.#check(input);
      // Past the deadline the compiler is stopped, and the abandoned check rejects: nobody awaits it then.
      checking.catch(() => {});
      const outcome = await Promise.race([checking, deadline]);
      if (outcome !== "timeout") return outcome;
      log.warn("A type check took over {ms} ms: the task runs unchecked", { ms });
    } catch (error) {
      log.warn("A type check failed, the task runs unchecked: {error}", {
        error: String((error as Error)?.message ?? error),
      });
    } finally {
      clearTimeout(timer);
    }
    // A compiler that failed or hangs is replaced for the next check.
    await this.#stop();
    return undefined;
  }

  async #check(input: CheckInput): Promise<CheckOutcome> {
    const started = performance.now();
    const session = await (this.#session ??= this.#start());
    const changed = [join(session.dir, "agent.ts")];
    const wrapped = wrapCode(input.code);
    await Deno.writeTextFile(changed[0]!, wrapped.text);
    const namespaces = namespacesOf(input);
    if (namespaces !== session.namespaces) {
      await Deno.writeTextFile(join(session.dir, "servers.d.ts"), namespaces);
      changed.push(join(session.dir, "servers.d.ts"));
      session.namespaces = namespaces;
    }
    const files = await session.files.changes(input.servers.map((s) => s.dir));
    const config = join(session.dir, "tsconfig.json");
    const next = session.snapshot === undefined
      ? await session.api.updateSnapshot({ openProjects: [config] })
      : await session.api.updateSnapshot({
        fileChanges: { changed: [...changed, ...files.changed], created: files.created },
      });
    await session.snapshot?.dispose();
    session.snapshot = next;
    guardProcess(session.api);
    const program = next.getProject(config)?.program;
    if (program === undefined) throw new Error("The compiler did not open the checker's project");
    const agent = changed[0]!;
    const all = [
      ...await program.getSyntacticDiagnostics(agent),
      ...await program.getSemanticDiagnostics(agent),
    ];
    const folders: Array<[string, string]> = [[this.#options.serversDir, "servers"]];
    if (this.#options.skillsDir !== undefined) folders.push([this.#options.skillsDir, "skills"]);
    const diagnostics = all.filter((d) => !IGNORED_CODES.has(d.code))
      .flatMap((d) => mapDiagnostic(d, { code: input.code, wrapped, folders }))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    return { diagnostics, ms: performance.now() - started, rssBytes: rssOf(session.api) };
  }

  async #start(): Promise<Session> {
    const dir = await Deno.makeTempDir({ prefix: "mcpx-typecheck-" });
    await Deno.chmod(dir, 0o700);
    const paths: Record<string, string[]> = { "servers/*": [`${this.#options.serversDir}/*`] };
    if (this.#options.skillsDir !== undefined) {
      paths["skills/*"] = [`${this.#options.skillsDir}/*`];
    }
    await Deno.writeTextFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, paths },
        files: ["agent.ts", "globals.d.ts", "servers.d.ts"],
      }),
    );
    await Deno.writeTextFile(join(dir, "globals.d.ts"), SANDBOX_GLOBALS);
    await Deno.writeTextFile(join(dir, "servers.d.ts"), "");
    await Deno.writeTextFile(join(dir, "agent.ts"), "");
    const roots = [dir, this.#options.serversDir, this.#options.skillsDir];
    return {
      api: new API({ cwd: dir, fs: confinedFileSystem(roots) }),
      dir,
      files: new ServerFiles(this.#options.serversDir),
    };
  }

  async #stop(): Promise<void> {
    const session = await this.#session?.catch(() => undefined);
    this.#session = undefined;
    if (session === undefined) return;
    await session.snapshot?.dispose().catch(() => {});
    await session.api.close().catch(() => {});
    await Deno.remove(session.dir, { recursive: true }).catch(() => {});
  }
}

/** The compiler's child process, once started (the API keeps it to itself). */
function processOf(
  api: API,
): { pid?: number; on?(event: string, fn: () => void): unknown } | undefined {
  return (api as unknown as { client?: { process?: { pid?: number } } }).client?.process;
}

const guarded = new WeakSet<object>();

/** A compiler process that fails later (a signal, a broken pipe) must not throw an unhandled `error` event. */
function guardProcess(api: API): void {
  const child = processOf(api);
  if (child === undefined || guarded.has(child)) return;
  guarded.add(child);
  child.on?.("error", () => {});
}

/** The compiler process's resident memory, from /proc (0 where there is none). */
function rssOf(api: API): number {
  const pid = processOf(api)?.pid;
  if (pid === undefined) return 0;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
