/**
 * The sandbox pool: the host's entry point for running agent code. Tasks with the default permission set take a
 * pre-started process whose Worker is already created. After such a task finishes cleanly its process gets a fresh
 * Worker and returns to the pool (at most `maxTasksPerProcess` tasks, and only when `reuse_check.ts` passes);
 * otherwise it is killed and the pool refills in the background. Tasks with their own permissions, heap cap or
 * working folder get a fresh process whose flags cover exactly that set, killed after the task.
 *
 * @module
 */

import { join } from "node:path";
import type { WorkerPermissions } from "../wire/mod.ts";
import {
  dirUrl,
  isDefaultPermissions,
  listServerModules,
  pathAliases,
  pathRedactions,
  type PoolSettings,
  privateSkillUrls,
  resolvePoolSettings,
  type SandboxPoolOptions,
} from "./pool_settings.ts";
import { prepareCode, type PreparedCode } from "./prepare_code.ts";
import { preparePythonCode } from "./python_code.ts";
import { sandboxError, type SandboxRunResult } from "./run_result.ts";
import { SandboxProcess } from "./sandbox_process.ts";
import type { SandboxRunOptions } from "./sandbox_run_options.ts";
export type { SandboxPoolOptions, SandboxRunOptions };

const WARM_UP_CODE =
  'import { a } from "servers/a/index.ts";\nconst n: number = await a({}) as number;\nreturn n;';

interface Spare {
  starting: Promise<SandboxProcess | undefined>;
  process?: SandboxProcess;
  error?: unknown;
}

/**
 * Runs agent code in sandbox processes, a fresh Worker per task, reusing a pooled process after a clean finish.
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
  #moduleUrls = new Map<string, string>(); // a server's index.ts URL to what tasks load: its _module.js
  #refill: { timer: ReturnType<typeof setTimeout>; promise: Promise<void> } | undefined;
  /** Pooled processes running a task: they may come back. */
  #lent = 0;
  /** Bumped by `recycle()`: processes started before it are not taken back. */
  #generation = 0;
  #born = new WeakMap<SandboxProcess, number>();
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
    await pool.#scanServerModules();
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
    // The principal folders of the private skills the code imports: its own process may read them, no pooled one.
    const privateFolders = new Set<string>();
    try {
      prepared = settings.python !== undefined
        ? preparePythonCode(options.code, { ...options, skillsDir: settings.skillsDir })
        : prepareCode(options.code, {
          ...(options.program === undefined ? {} : { program: options.program }),
          servers: options.servers ?? [],
          serversUrl: dirUrl(settings.serversDir),
          ...(settings.skillsDir === undefined ? {} : { skillsUrl: dirUrl(settings.skillsDir) }),
          ...(options.privateSkillFolder === undefined ? {} : {
            skillFolderUrl: privateSkillUrls(options.privateSkillFolder, settings, privateFolders),
          }),
          moduleUrls: this.#moduleUrls,
        });
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return failure(started, sandboxError("syntax_error", error.message));
    }
    if (options.signal?.aborted) {
      const error = sandboxError("cancelled", `Task "${options.taskId}" was cancelled`);
      return { ...failure(started, error), status: "cancelled" };
    }
    const heapMb = options.heapMb ?? settings.heapMb;
    const pooled = isDefaultPermissions(options.permissions) && heapMb === settings.heapMb &&
      options.cwd === undefined && privateFolders.size === 0;
    let sandbox: SandboxProcess | undefined;
    try {
      const own = pooled ? undefined : this.#workerPermissions(options.permissions, privateFolders);
      sandbox = own === undefined
        ? await this.#takeSpare()
        : await this.#start(own, heapMb, [], options.cwd);
      if (pooled) this.#lent++;
      return await sandbox.run({
        taskId: options.taskId,
        prepared,
        pathAliases: pathAliases(this.#settings),
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
      if (pooled && sandbox !== undefined) this.#takeBack(sandbox);
      this.#scheduleRefill();
    }
  }

  /** How many idle processes are ready, and how many processes are alive in all. */
  get size(): { idle: number; alive: number } {
    return { idle: this.#idleCount(), alive: this.#processes.size };
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
      for (const sandbox of this.#processes) {
        // A process given back waits for nothing more; one killed (or closed after coming back) waits to be gone.
        if (!sandbox.idle) {
          waits.push(
            sandbox.reusable.then((ok) => ok && !sandbox.finished ? undefined : sandbox.closed),
          );
        }
      }
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
    this.#generation++;
    await this.#scanServerModules();
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

  /** Reads which server modules there are: what to preload, and what `index.ts` imports load. */
  async #scanServerModules(): Promise<void> {
    const modules = await listServerModules(this.#settings.serversDir);
    this.#moduleUrls = new Map(modules.map((m) => [m.index, m.load]));
    this.#preload = this.#settings.preloadServers ? modules.map((m) => m.load) : [];
  }

  async #takeSpare(): Promise<SandboxProcess> {
    while (this.#spares.length > 0) {
      const index = this.#spares.findIndex((spare) => spare.process?.idle);
      const [spare] = this.#spares.splice(index === -1 ? 0 : index, 1);
      const sandbox = await spare?.starting;
      if (sandbox?.idle) return sandbox;
      await sandbox?.close();
    }
    return await this.#startPooled();
  }

  /** A process for pooled tasks: default permissions and heap cap, servers preloaded. */
  #startPooled(): Promise<SandboxProcess> {
    const { heapMb } = this.#settings;
    return this.#start(this.#workerPermissions(), heapMb, this.#preload, "/", true);
  }

  /** A pooled process whose task ended: it rejoins the idle ones if it can be reused and is wanted. */
  #takeBack(sandbox: SandboxProcess): void {
    this.#lent--;
    const generation = this.#born.get(sandbox);
    const spare: Spare = {
      starting: sandbox.reusable.then((ok) => {
        // A task waiting for this very process took it out of the list already: it is wanted.
        const waitedFor = !this.#spares.includes(spare);
        const wanted = ok && !this.#closed && generation === this.#generation &&
          (waitedFor || this.#lent > 0 || this.#idleCount() < this.#settings.poolSize);
        if (wanted) {
          // Trims the idle processes beyond poolSize once no task runs.
          this.#scheduleRefill();
          return (spare.process = sandbox);
        }
        this.#spares = this.#spares.filter((other) => other !== spare);
        if (ok) void sandbox.close();
        this.#scheduleRefill();
        return undefined;
      }),
    };
    this.#spares.push(spare);
  }

  #idleCount(): number {
    return this.#spares.filter((spare) => spare.process?.idle).length;
  }

  #addSpare(): void {
    const spare: Spare = {
      starting: this.#startPooled().then((sandbox) => (spare.process = sandbox), (error) => {
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
    while (!this.#closed && this.#spares.length + this.#lent < this.#settings.poolSize) {
      this.#addSpare();
    }
    // After a burst, idle processes beyond poolSize go.
    while (this.#lent === 0 && this.#spares.length > this.#settings.poolSize) {
      const index = this.#spares.findIndex((spare) => spare.process?.idle);
      if (index === -1) break;
      const [extra] = this.#spares.splice(index, 1);
      void extra?.process?.close();
    }
  }

  async #start(
    permissions: WorkerPermissions,
    heapMb: number,
    preload: string[],
    // "/" for a task without a workspace: Deno.cwd() needs no permission, and must not tell the host's paths.
    cwd = "/",
    pooled = false,
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
      redactions: pathRedactions(this.#settings),
      // Only the pooled set is reused: its process's flags are the same for every task that takes it.
      maxTasks: pooled ? settings.maxTasksPerProcess : 1,
      maxReuseRssGrowthMb: settings.maxReuseRssGrowthMb,
      ...(settings.python === undefined ? {} : { python: settings.python }),
    });
    this.#starting.add(starting);
    try {
      const sandbox = await starting;
      this.#processes.add(sandbox);
      this.#born.set(sandbox, this.#generation);
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

  /** The servers and shared skills, what the task asked for, and the principal folders of its private skills. */
  #workerPermissions(extra?: WorkerPermissions, folders: Iterable<string> = []): WorkerPermissions {
    const { serversDir, skillsDir } = this.#settings;
    const skills = skillsDir === undefined ? [] : [skillsDir];
    return {
      read: [serversDir, ...skills, ...(extra?.read ?? []), ...folders],
      write: [...(extra?.write ?? [])],
      net: [...(extra?.net ?? [])],
    };
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
