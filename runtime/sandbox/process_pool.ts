/**
 * The sandbox pool: the host's entry point for running agent code. Each task gets its own sandbox process, killed
 * after the task. Tasks with the default permission set take a pre-started process whose Worker is already created;
 * the pool refills in the background after each result. Tasks with their own permissions or heap cap get a fresh
 * process whose flags cover exactly that set.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBinding, WorkerPermissions } from "../sandbox_runtime/protocol.ts";
import { prepareCode, type PreparedCode } from "./prepare_code.ts";
import { sandboxError, type SandboxRunResult, type ToolCallRequest } from "./run_result.ts";
import { SandboxProcess } from "./sandbox_process.ts";

/** How a {@linkcode SandboxPool} is set up. Every limit is a default a task may override. */
export interface SandboxPoolOptions {
  /** The generated `servers/` folder; agent code may import from it. */
  serversDir: string;
  /** A folder the pool owns: its `DENO_DIR` (wiped at start) and socket folders go here. */
  stateDir: string;
  /** The `skills/` folder; agent code may import from it when given. */
  skillsDir?: string;
  /** The sandbox runtime's folder. Default: `../sandbox_runtime/` beside this module (must be on disk). */
  runtimeDir?: string;
  /** How many idle processes to keep ready. Default: 2. */
  poolSize?: number;
  /** Deadline of a task, in milliseconds. Default: 30 000. */
  timeoutMs?: number;
  /** V8 heap cap of a sandbox process, in MB. Default: 128. */
  heapMb?: number;
  /** Resident-memory limit of a sandbox process, in MB. Default: 256. */
  memoryLimitMb?: number;
  /** Console output kept per task, in bytes. Default: 65 536. */
  maxLogBytes?: number;
  /** The largest single message from a sandbox (return value, tool arguments), in bytes. Default: 16 MiB. */
  maxMessageBytes?: number;
  /** Import the generated server modules in idle Workers before a task arrives. Default: `true`. */
  preloadServers?: boolean;
}

/** One task for {@linkcode SandboxPool.run}. */
export interface SandboxRunOptions {
  /** The task's id. */
  taskId: string;
  /** The agent code: a TypeScript module body with top-level `await` and `return`. */
  code: string;
  /** The servers in scope as namespaces. Default: none. */
  servers?: ServerBinding[];
  /** The Worker's extra permissions. Default: none (the pooled set: read on `servers/` and `skills/`). */
  permissions?: WorkerPermissions;
  /**
   * The process's working folder, for a task with a workspace (its permissions should cover it); relative paths in
   * agent code resolve against it. A task with a `cwd` gets a fresh process. Default: an empty folder of the pool's.
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
}

const WARM_UP_CODE =
  'import { a } from "servers/a/index.ts";\nconst n: number = await a({}) as number;\nreturn n;';

interface Settings {
  serversDir: string;
  stateDir: string;
  skillsDir: string | undefined;
  runtimeDir: string;
  poolSize: number;
  timeoutMs: number;
  heapMb: number;
  memoryLimitMb: number;
  maxLogBytes: number;
  maxMessageBytes: number;
  preloadServers: boolean;
}

interface Spare {
  starting: Promise<SandboxProcess | undefined>;
  process?: SandboxProcess;
  error?: unknown;
}

/**
 * Runs agent code in sandbox processes, one process per task.
 *
 * @example
 * ```ts ignore
 * import { SandboxPool } from "./process_pool.ts";
 * await using pool = await SandboxPool.create({ serversDir: "/app/servers", stateDir: "/app/.sandbox" });
 * const result = await pool.run({
 *   taskId: "t1",
 *   code: "const graph = await memory.read_graph({});\nreturn graph.entities.length;",
 *   servers: [{ name: "memory", identifier: "memory", moduleUrl: "file:///app/servers/memory/index.ts" }],
 *   onToolCall: ({ server, tool, args }) => connections.call(server, tool, args),
 * });
 * ```
 */
export class SandboxPool implements AsyncDisposable {
  #settings: Settings;
  #spares: Spare[] = [];
  #processes = new Set<SandboxProcess>();
  #starting = new Set<Promise<unknown>>();
  #preload: string[] = [];
  #refill: { timer: ReturnType<typeof setTimeout>; promise: Promise<void> } | undefined;
  #closed = false;

  private constructor(settings: Settings) {
    this.#settings = settings;
  }

  /**
   * Creates a pool: wipes and recreates its `DENO_DIR`, and starts the idle processes.
   *
   * @param options The folders and default limits.
   * @returns The pool, with its idle processes ready.
   * @throws {TypeError} When a folder is missing or a limit is not a positive number.
   * @throws {Error} When the first sandbox processes cannot start; the message carries their stderr.
   */
  static async create(options: SandboxPoolOptions): Promise<SandboxPool> {
    const settings = resolveSettings(options);
    const pool = new SandboxPool(settings);
    const denoDir = join(settings.stateDir, "deno_dir");
    await Deno.remove(denoDir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.mkdir(denoDir, { recursive: true, mode: 0o700 });
    await Deno.mkdir(join(settings.stateDir, "sockets"), { recursive: true, mode: 0o700 });
    await Deno.mkdir(join(settings.stateDir, "cwd"), { recursive: true, mode: 0o700 });
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
      const sandbox = isDefault(options.permissions) && heapMb === settings.heapMb &&
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
    cwd: string = join(this.#settings.stateDir, "cwd"),
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

function resolveSettings(options: SandboxPoolOptions): Settings {
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir();
  const settings: Settings = {
    serversDir: resolve(options.serversDir),
    stateDir: resolve(options.stateDir),
    skillsDir: options.skillsDir === undefined ? undefined : resolve(options.skillsDir),
    runtimeDir: resolve(runtimeDir),
    poolSize: options.poolSize ?? 2,
    timeoutMs: options.timeoutMs ?? 30_000,
    heapMb: options.heapMb ?? 128,
    memoryLimitMb: options.memoryLimitMb ?? 256,
    maxLogBytes: options.maxLogBytes ?? 65_536,
    maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    preloadServers: options.preloadServers ?? true,
  };
  for (
    const key of ["timeoutMs", "heapMb", "memoryLimitMb", "maxLogBytes", "maxMessageBytes"] as const
  ) {
    if (!(settings[key] > 0)) {
      throw new TypeError(
        `Cannot create sandbox pool: "${key}" must be a positive number, got ${settings[key]}`,
      );
    }
  }
  if (!Number.isInteger(settings.poolSize) || settings.poolSize < 0) {
    throw new TypeError(
      `Cannot create sandbox pool: "poolSize" must be a whole number, got ${settings.poolSize}`,
    );
  }
  return settings;
}

function defaultRuntimeDir(): string {
  const url = new URL("../sandbox_runtime/", import.meta.url);
  if (url.protocol !== "file:") {
    throw new TypeError(
      `Cannot create sandbox pool: the sandbox runtime is not on disk (${url.protocol}); pass "runtimeDir"`,
    );
  }
  return fileURLToPath(url);
}

async function listServerModules(serversDir: string): Promise<string[]> {
  const modules: string[] = [];
  try {
    for await (const entry of Deno.readDir(serversDir)) {
      if (entry.isDirectory) {
        const index = join(serversDir, entry.name, "index.ts");
        if (await exists(index)) modules.push(pathToFileURL(index).href);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return modules.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function isDefault(permissions: WorkerPermissions | undefined): boolean {
  return (permissions?.read?.length ?? 0) === 0 && (permissions?.write?.length ?? 0) === 0 &&
    (permissions?.net?.length ?? 0) === 0;
}

function dirUrl(path: string): string {
  const href = pathToFileURL(path).href;
  return href.endsWith("/") ? href : `${href}/`;
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
