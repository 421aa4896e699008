/**
 * The sandbox pool: the host's entry point for running agent code. Each task gets its own sandbox process, killed
 * after the task. Tasks with the default permission set take a pre-started process whose Worker is already created;
 * the pool refills in the background after each result. Tasks with their own permissions or heap cap get a fresh
 * process whose flags cover exactly that set.
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBinding, WorkerPermissions } from "../sandbox_runtime/protocol.ts";
import {
  dirUrl,
  isDefaultPermissions,
  listServerModules,
  type PoolSettings,
  resolvePoolSettings,
  type SandboxPoolOptions,
} from "./pool_settings.ts";
import type { AgentProgram } from "./parse_agent_code.ts";
import { prepareCode, type PreparedCode } from "./prepare_code.ts";
import {
  type CatalogRequest,
  sandboxError,
  type SandboxRunResult,
  type ToolCallRequest,
} from "./run_result.ts";
import { SandboxProcess } from "./sandbox_process.ts";
import type { AgentProgress } from "./task_run.ts";

export type { SandboxPoolOptions } from "./pool_settings.ts";

/** One task for {@linkcode SandboxPool.run}. */
export interface SandboxRunOptions {
  /** The task's id. */
  taskId: string;
  /** The agent code: a TypeScript module body with top-level `await` and `return`. */
  code: string;
  /** The code's AST from `parseAgentCode`, when the caller parsed it already (it is then not parsed again). */
  program?: AgentProgram;
  /** The servers in scope as namespaces. Default: none. */
  servers?: ServerBinding[];
  /** The Worker's extra permissions. Default: none (the pooled set: read on `servers/` and `skills/`). */
  permissions?: WorkerPermissions;
  /**
   * The process's working folder, for a task with a workspace (its permissions should cover it); relative paths in
   * agent code resolve against it. A task with a `cwd` gets a fresh process. Default: `/`.
   */
  cwd?: string;
  /** Overrides {@linkcode SandboxPoolOptions.timeoutMs}. */
  timeoutMs?: number;
  /** Overrides {@linkcode SandboxPoolOptions.heapMb}; a different value needs a fresh process. */
  heapMb?: number;
  /** Overrides {@linkcode SandboxPoolOptions.memoryLimitMb}. */
  memoryLimitMb?: number;
  /** Overrides {@linkcode SandboxPoolOptions.maxLogBytes}. */
  maxLogBytes?: number;
  /** Cancels the task: it ends as `cancelled` and its process is killed. */
  signal?: AbortSignal;
  /** Answers a tool call; what it throws reaches the agent as a ToolError. */
  onToolCall(call: ToolCallRequest): Promise<unknown>;
  /** Receives the agent code's own progress reports. */
  onProgress?(report: AgentProgress): void;
  /** Answers agent code's reads of the tool catalog (`tools.search`, `tools.list`). Default: they fail. */
  onCatalog?(request: CatalogRequest): Promise<unknown>;
}

const WARM_UP_CODE =
  'import { a } from "servers/a/index.ts";\nconst n: number = await a({}) as number;\nreturn n;';

interface Spare {
  starting: Promise<SandboxProcess | undefined>;
  process?: SandboxProcess;
  error?: unknown;
}

/**
 * Runs agent code in sandbox processes, one process per task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SandboxPool } from "./process_pool.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await using pool = await SandboxPool.create({
 *     serversDir: `${root}/servers`,
 *     stateDir: `${root}/state`,
 *     poolSize: 1,
 *   });
 *   const result = await pool.run({
 *     taskId: "t1",
 *     code: "const n: number = 20;\nconsole.log('adding');\nreturn n + 1;",
 *     onToolCall: ({ server, tool }) => Promise.reject(new Error(`No tool ${server}.${tool}`)),
 *   });
 *   assert.equal(result.value, 21);
 *   assert.deepEqual(result.logs, ["adding"]);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class SandboxPool implements AsyncDisposable {
  #settings: PoolSettings;
  #spares: Spare[] = [];
  #processes = new Set<SandboxProcess>();
  #starting = new Set<Promise<unknown>>();
  #preload: string[] = [];
  #refill: { timer: ReturnType<typeof setTimeout>; promise: Promise<void> } | undefined;
  #closed = false;

  private constructor(settings: PoolSettings) {
    this.#settings = settings;
  }

  /**
   * Creates a pool: wipes and recreates its `DENO_DIR`, and starts the idle processes.
   *
   * @param options The folders and default limits.
   * @returns The pool, with its idle processes ready.
   * @throws {TypeError} When a limit is not a positive number or the pool size not a whole number.
   * @throws {Error} When the first sandbox processes cannot start; the message carries their stderr.
   */
  static async create(options: SandboxPoolOptions): Promise<SandboxPool> {
    const settings = resolvePoolSettings(options);
    const pool = new SandboxPool(settings);
    const denoDir = join(settings.stateDir, "deno_dir");
    await Deno.remove(denoDir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.mkdir(denoDir, { recursive: true, mode: 0o700 });
    await Deno.mkdir(join(settings.stateDir, "sockets"), { recursive: true, mode: 0o700 });
    if (settings.preloadServers) pool.#preload = await listServerModules(settings.serversDir);
    // Compile the parser now rather than during the first task.
    prepareCode(WARM_UP_CODE, { serversUrl: dirUrl(settings.serversDir) });
    for (let index = 0; index < settings.poolSize; index++) pool.#addSpare();
    const spares = [...pool.#spares];
    await Promise.all(spares.map((spare) => spare.starting));
    const failed = spares.find((spare) => spare.error !== undefined);
    if (failed !== undefined) {
      await pool.close();
      throw failed.error;
    }
    return pool;
  }

  /**
   * Runs agent code in a sandbox process of its own.
   *
   * @param options The code, servers, permissions, limits, cancellation signal and tool-call handler.
   * @returns The outcome. It never rejects for the task's own failure: syntax errors, limits and crashes are
   *   results with `status` and `error`.
   * @throws {Error} When the pool is closed.
   * @throws {TypeError} When a server binding is malformed (an identifier that is not one, a URL not `file:`) or a
   *   permission path is not absolute.
   */
  async run(options: SandboxRunOptions): Promise<SandboxRunResult> {
    if (this.#closed) {
      throw new Error(`Cannot run task "${options.taskId}": the sandbox pool is closed`);
    }
    const started = performance.now();
    const settings = this.#settings;
    let prepared: PreparedCode;
    try {
      prepared = prepareCode(options.code, {
        ...(options.program === undefined ? {} : { program: options.program }),
        servers: options.servers ?? [],
        serversUrl: dirUrl(settings.serversDir),
        ...(settings.skillsDir === undefined ? {} : { skillsUrl: dirUrl(settings.skillsDir) }),
      });
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return failure(started, sandboxError("syntax_error", error.message));
    }
    if (options.signal?.aborted) {
      return {
        ...failure(started, sandboxError("cancelled", `Task "${options.taskId}" was cancelled`)),
        status: "cancelled",
      };
    }
    const heapMb = options.heapMb ?? settings.heapMb;
    try {
      const sandbox = isDefaultPermissions(options.permissions) && heapMb === settings.heapMb &&
          options.cwd === undefined
        ? await this.#takeSpare()
        : await this.#start(this.#workerPermissions(options.permissions), heapMb, [], options.cwd);
      return await sandbox.run({
        taskId: options.taskId,
        prepared,
        pathAliases: this.#pathAliases(),
        timeoutMs: options.timeoutMs ?? settings.timeoutMs,
        memoryLimitMb: options.memoryLimitMb ?? settings.memoryLimitMb,
        maxLogBytes: options.maxLogBytes ?? settings.maxLogBytes,
        onToolCall: options.onToolCall,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.onCatalog === undefined ? {} : { onCatalog: options.onCatalog }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      return failure(started, sandboxError("sandbox_crashed", (error as Error).message));
    } finally {
      this.#scheduleRefill();
    }
  }

  /** How many idle processes are ready, and how many processes are alive in all. */
  get size(): { idle: number; alive: number } {
    return {
      idle: this.#spares.filter((spare) => spare.process?.idle).length,
      alive: this.#processes.size,
    };
  }

  /**
   * Waits until the pool is at rest: no refill pending, every idle process started (or failed), and every process
   * of a finished task gone. Useful before measuring, and in tests.
   *
   * @returns A promise that resolves when the pool is at rest.
   */
  async settled(): Promise<void> {
    while (true) {
      const waits: Promise<unknown>[] = [...this.#starting];
      if (this.#refill !== undefined) waits.push(this.#refill.promise);
      for (const sandbox of this.#processes) if (!sandbox.idle) waits.push(sandbox.closed);
      if (waits.length === 0) return;
      await Promise.allSettled(waits);
    }
  }

  /**
   * Replaces the idle processes with fresh ones, e.g. after the generated `servers/` modules changed (idle Workers
   * may hold the old modules preloaded).
   *
   * @returns A promise that resolves when the old processes are gone and the new ones are starting.
   */
  async recycle(): Promise<void> {
    const old = this.#spares;
    this.#spares = [];
    if (this.#settings.preloadServers) {
      this.#preload = await listServerModules(this.#settings.serversDir);
    }
    await Promise.all(old.map(async (spare) => (await spare.starting)?.close()));
    if (!this.#closed) this.#topUp();
  }

  /**
   * Kills every process, idle or running (running tasks end as `cancelled`), and waits until they are gone.
   *
   * @returns A promise that resolves when every child has exited.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refill?.timer);
    this.#refill = undefined;
    this.#spares = [];
    await Promise.allSettled([...this.#starting]);
    await Promise.all([...this.#processes].map((sandbox) => sandbox.close()));
  }

  /** Same as {@linkcode SandboxPool.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #takeSpare(): Promise<SandboxProcess> {
    while (this.#spares.length > 0) {
      const index = this.#spares.findIndex((spare) => spare.process?.idle);
      const [spare] = this.#spares.splice(index === -1 ? 0 : index, 1);
      const sandbox = await spare?.starting;
      if (sandbox?.idle) return sandbox;
      await sandbox?.close();
    }
    return await this.#start(
      this.#workerPermissions(undefined),
      this.#settings.heapMb,
      this.#preload,
    );
  }

  #addSpare(): void {
    const spare: Spare = {
      starting: this.#start(
        this.#workerPermissions(undefined),
        this.#settings.heapMb,
        this.#preload,
      )
        .then((sandbox) => (spare.process = sandbox), (error) => {
          spare.error = error;
          return undefined;
        }),
    };
    this.#spares.push(spare);
  }

  #scheduleRefill(): void {
    if (this.#closed || this.#refill !== undefined) return;
    // After the result has reached the caller: starting a process competes for the CPU.
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.#refill = undefined;
      this.#topUp();
      resolve();
    }, 0);
    this.#refill = { timer, promise };
  }

  #topUp(): void {
    this.#spares = this.#spares.filter((spare) =>
      spare.process === undefined || spare.process.idle
    );
    while (!this.#closed && this.#spares.length < this.#settings.poolSize) this.#addSpare();
  }

  async #start(
    permissions: WorkerPermissions,
    heapMb: number,
    preload: string[],
    // "/" for a task without a workspace: Deno.cwd() needs no permission, and must not tell the host's paths.
    cwd = "/",
  ): Promise<SandboxProcess> {
    const settings = this.#settings;
    const starting = SandboxProcess.start({
      cwd,
      runtimeDir: settings.runtimeDir,
      denoDir: join(settings.stateDir, "deno_dir"),
      socketDir: join(settings.stateDir, "sockets"),
      heapMb,
      permissions,
      preload,
      maxMessageBytes: settings.maxMessageBytes,
      redactions: this.#redactions(),
    });
    this.#starting.add(starting);
    try {
      const sandbox = await starting;
      this.#processes.add(sandbox);
      sandbox.closed.then(() => this.#processes.delete(sandbox));
      if (this.#closed) {
        await sandbox.close();
        throw new Error("Cannot start sandbox process: the sandbox pool is closed");
      }
      return sandbox;
    } finally {
      this.#starting.delete(starting);
    }
  }

  #workerPermissions(extra: WorkerPermissions | undefined): WorkerPermissions {
    const { serversDir, skillsDir } = this.#settings;
    return {
      read: [serversDir, ...(skillsDir === undefined ? [] : [skillsDir]), ...(extra?.read ?? [])],
      write: [...(extra?.write ?? [])],
      net: [...(extra?.net ?? [])],
    };
  }

  #pathAliases(): Record<string, string> {
    const { serversDir, skillsDir, runtimeDir } = this.#settings;
    const aliases: Record<string, string> = {
      [dirUrl(serversDir)]: "servers/",
      [`${serversDir}/`]: "servers/",
      [`${runtimeDir}/`]: "sandbox/",
    };
    if (skillsDir !== undefined) {
      aliases[dirUrl(skillsDir)] = "skills/";
      aliases[`${skillsDir}/`] = "skills/";
    }
    return aliases;
  }

  #redactions(): Record<string, string> {
    const { serversDir, skillsDir, runtimeDir, stateDir } = this.#settings;
    const redactions: Record<string, string> = {};
    const named: Array<[string | undefined, string]> = [
      [serversDir, "<servers>"],
      [skillsDir, "<skills>"],
      [runtimeDir, "<runtime>"],
      [stateDir, "<state>"],
    ];
    for (const [path, name] of named) {
      if (path === undefined) continue;
      redactions[path] = name;
      redactions[pathToFileURL(path).href] = name;
    }
    return redactions;
  }
}

function failure(started: number, error: SandboxRunResult["error"]): SandboxRunResult {
  const result: SandboxRunResult = {
    status: "failed",
    logs: [],
    durationMs: performance.now() - started,
    peakRssBytes: 0,
    toolCalls: 0,
  };
  if (error !== undefined) result.error = error;
  return result;
}
