/**
 * One sandbox process: a `deno run` child with a cleared environment and narrow permissions, talking to the host
 * over a Unix socket. It runs one task at a time, each in a fresh Worker. After a task that finished cleanly it may
 * run another (up to `maxTasks`): the old Worker is ended, a fresh one created, and the process is reused only when
 * `reuse_check.ts` finds no earlier Worker thread alive, no CPU in use, its working folder unchanged and memory
 * under the cap. Any other ending (a
 * deadline, a memory kill, a protocol error, cancellation) kills it.
 *
 * The host trusts nothing it receives: every line is validated by `protocol_schema.ts`, every message must name
 * this process's task, and a message that breaks the protocol fails the task without being acted on. The deadline,
 * the heap cap (exit 133), the resident-memory watchdog and cancellation all end the task with SIGKILL.
 *
 * @module
 */

import { LineWriter, readLines } from "../wire/mod.ts";
import type { SandboxMessage } from "../wire/mod.ts";
import { OutputTail } from "./output_tail.ts";
import { parseSandboxMessage } from "./protocol_schema.ts";
import type { SandboxRunResult } from "./run_result.ts";
import { checkFreshWorker, rssBytes } from "./reuse_check.ts";
import { redactLines, type SandboxProcessOptions, spawnSandbox } from "./_spawn_sandbox.ts";
import { type SandboxTask, TaskRun } from "./task_run.ts";

export { HEAP_EXHAUSTED_EXIT_CODE, type SandboxTask } from "./task_run.ts";
export type { SandboxProcessOptions } from "./_spawn_sandbox.ts";

type Phase = "starting" | "ready" | "running" | "recycling" | "finished";

/** A result for a call that was never made: the Worker ignores it; sent to run the inbound path while idle. */
const NO_OP_LINE = '{"type":"call_result","callId":-1,"ok":true,"value":null}';

/**
 * A started sandbox process, ready for a task. Start it with {@linkcode SandboxProcess.start}, hand it a task with
 * {@linkcode SandboxProcess.run}, wait for {@linkcode SandboxProcess.reusable} to know whether it may take another,
 * and dispose of it.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { SandboxProcess } from "./sandbox_process.ts";
 * await using sandbox = await SandboxProcess.start(processOptions); // runtimeDir, denoDir, socketDir, heapMb...
 * const result = await sandbox.run(task); // prepared code, limits and onToolCall
 * assert.equal(result.value, 1);
 * assert.equal(await sandbox.reusable, false); // maxTasks defaults to 1
 * ```
 */
export class SandboxProcess implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #options: SandboxProcessOptions;
  #stdout: OutputTail;
  #stderr: OutputTail;
  #conn: Deno.UnixConn | undefined;
  #writer: LineWriter | undefined;
  #reading: Promise<void> = Promise.resolve();
  #phase: Phase = "starting";
  #closing = false;
  #ready = Promise.withResolvers<void>();
  #run: TaskRun | undefined;
  #exit: Deno.CommandStatus | undefined;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  #closed: Promise<void>;
  #tasks = 0;
  /** Resident memory when first ready; a process it cannot be read for is never reused. */
  #baselineRss = -Infinity;
  #tainted = false;
  #nonce: string | undefined;
  #recycled = Promise.withResolvers<void>();
  #reusable = Promise.withResolvers<boolean>();

  private constructor(child: Deno.ChildProcess, options: SandboxProcessOptions) {
    this.#child = child;
    this.#options = options;
    this.#stdout = new OutputTail(child.stdout, { maxLines: 0 });
    this.#stderr = new OutputTail(child.stderr);
    this.#ready.promise.catch(() => {});
    this.#closed = child.status.then((status) => this.#onExit(status));
  }

  /**
   * Spawns a sandbox process and waits until it has connected and its Worker is ready.
   *
   * @param options The runtime folder, `DENO_DIR`, socket folder, heap cap and Worker permissions.
   * @returns The ready process.
   * @throws {Error} When the process cannot be spawned, exits early, or is not ready in time; the message carries
   *   its last stderr lines.
   */
  static async start(options: SandboxProcessOptions): Promise<SandboxProcess> {
    const { child, listener, socketFolder } = await spawnSandbox(options);
    const sandbox = new SandboxProcess(child, options);
    try {
      await sandbox.#connect(listener, socketFolder);
      await sandbox.#ready.promise;
      sandbox.#baselineRss = await rssBytes(child.pid).catch(() => -Infinity);
    } catch (error) {
      await sandbox.close();
      const tail = sandbox.#stderrTail();
      throw new Error(
        `Cannot start sandbox process: ${(error as Error).message}${
          tail === "" ? "" : `: ${tail}`
        }`,
        { cause: error },
      );
    }
    return sandbox;
  }

  /** The process id of the child. */
  get pid(): number {
    return this.#child.pid;
  }

  /** `true` while the process is ready and has not been given a task. */
  get idle(): boolean {
    return this.#phase === "ready";
  }

  /**
   * After {@linkcode SandboxProcess.run}: resolves `true` once the process is idle again with a fresh Worker, `false`
   * when it was killed or is gone instead.
   */
  get reusable(): Promise<boolean> {
    return this.#reusable.promise;
  }

  /** `true` once the process is being killed or is gone: it will take no task. */
  get finished(): boolean {
    return this.#phase === "finished" || this.#exit !== undefined;
  }

  /** How many tasks the process has been given. */
  get tasks(): number {
    return this.#tasks;
  }

  /** Resolves when the child has exited and its streams are drained. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Runs one task in the process's current Worker. Unless the task finishes cleanly and the process may be reused
   * (see {@linkcode SandboxProcess.reusable}), the process is killed when the task ends.
   *
   * @param task The prepared code, limits and tool-call handler.
   * @returns The outcome; it never rejects for the task's own failure.
   * @throws {Error} When the process is not idle (it was used already or has died).
   */
  run(task: SandboxTask): Promise<SandboxRunResult> {
    if (this.#phase !== "ready") {
      throw new Error(`Cannot run task "${task.taskId}": the sandbox process is not idle`);
    }
    this.#phase = "running";
    this.#tasks++;
    this.#tainted = false;
    this.#reusable = Promise.withResolvers<boolean>();
    this.#run = new TaskRun(task, {
      pid: this.#child.pid,
      maxMessageBytes: this.#maxMessageBytes,
      send: (line) => this.#writer?.send(line),
      kill: () => this.kill(),
      release: () => {
        // On the next turn: the caller gets the result before the Worker is replaced.
        this.#killTimer ??= setTimeout(() => void this.#recycle(), 0);
      },
      exited: this.#child.status,
      isGone: () => this.#exit !== undefined,
    });
    return this.#run.result;
  }

  /** Kills the child with SIGKILL; safe to call at any time. */
  kill(): void {
    clearTimeout(this.#killTimer);
    if (this.#phase === "ready" || this.#phase === "recycling") this.#phase = "finished";
    this.#reusable.resolve(false);
    // A recycle under way stops waiting for the fresh Worker (it sees the phase and gives up).
    this.#recycled.resolve();
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /**
   * Kills the child and waits until it is gone. A task still running ends as `cancelled`.
   *
   * @returns A promise that resolves when the child has exited and its streams are drained.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.kill();
    await this.#closed;
  }

  /** Same as {@linkcode SandboxProcess.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** After a clean finish: replace the Worker and make the process idle again, or kill it. */
  async #recycle(): Promise<void> {
    this.#killTimer = undefined;
    if (
      this.#phase !== "running" || this.#closing || this.#exit !== undefined || this.#tainted ||
      this.#tasks >= (this.#options.maxTasks ?? 1)
    ) {
      this.kill();
      return;
    }
    this.#phase = "recycling";
    this.#nonce = crypto.randomUUID();
    this.#recycled = Promise.withResolvers<void>();
    this.#writer?.send(JSON.stringify({ type: "recycle", nonce: this.#nonce }));
    const reason = await checkFreshWorker(this.#recycled.promise, {
      pid: this.#child.pid,
      timeoutMs: this.#options.startupTimeoutMs ?? 15_000,
      maxRssBytes: this.#baselineRss + (this.#options.maxReuseRssGrowthMb ?? 8) * 2 ** 20,
      cwd: this.#options.cwd ?? Deno.cwd(),
    });
    if (reason !== undefined || this.#phase !== "recycling" || this.#closing) {
      this.kill();
      return;
    }
    this.#phase = "ready";
    this.#run = undefined;
    this.#writer?.send(NO_OP_LINE);
    this.#reusable.resolve(true);
  }

  get #maxMessageBytes(): number {
    return this.#options.maxMessageBytes ?? 16 * 1024 * 1024;
  }

  async #connect(listener: Deno.UnixListener, socketFolder: string): Promise<void> {
    const timeoutMs = this.#options.startupTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const accepting = listener.accept();
    accepting.catch(() => {});
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
      this.#ready.promise.catch(reject);
    });
    giveUp.catch(() => {});
    try {
      const conn = await Promise.race([accepting, giveUp]);
      this.#conn = conn;
      this.#writer = new LineWriter(conn);
      this.#reading = readLines(conn, (line) => this.#onLineSafely(line), {
        maxLineBytes: this.#maxMessageBytes,
      }).catch((error: Error) => {
        // A line over the cap is the sandbox's doing. Anything else (a reset when the child dies with unread
        // input) is the channel going away: the exit handler says why.
        if (error instanceof RangeError) this.#onProtocolError(error.message);
      });
      void this.#reading.then(() => this.#onChannelEnd());
      await Promise.race([this.#ready.promise, giveUp]);
    } finally {
      clearTimeout(timer);
      listener.close();
      await Deno.remove(socketFolder, { recursive: true }).catch(() => {});
    }
  }

  #onLineSafely(line: string): void {
    try {
      this.#onLine(line);
    } catch (error) {
      // Never let one message stop the reading: it fails the task instead.
      this.#onProtocolError(`Cannot handle sandbox message: ${(error as Error).message}`);
    }
  }

  #onLine(line: string): void {
    if (this.#phase === "finished") return;
    let message: SandboxMessage;
    try {
      message = parseSandboxMessage(line);
    } catch (error) {
      this.#onProtocolError((error as Error).message);
      return;
    }
    if (this.#phase === "starting") {
      if (message.type !== "ready") {
        this.#onProtocolError(`Cannot start: expected "ready", got "${message.type}"`);
        return;
      }
      this.#phase = "ready";
      // Run the inbound path once (socket, relay, Worker) while idle, so the task's first message does not pay
      // for code that has never run. A result for a call that was never made is ignored by the Worker.
      this.#writer?.send(NO_OP_LINE);
      this.#ready.resolve();
      return;
    }
    if (this.#phase === "ready") {
      this.#onProtocolError(`Cannot accept sandbox message "${message.type}": no task is running`);
      return;
    }
    if (this.#phase === "recycling") {
      if (message.type === "ready" && this.#nonce !== undefined && message.nonce === this.#nonce) {
        this.#nonce = undefined;
        this.#recycled.resolve();
      } else {
        this.#onProtocolError(
          `Cannot accept sandbox message "${message.type}": the task has finished`,
        );
      }
      return;
    }
    if (this.#run?.finished) {
      // Anything after "done" (only forged messages come then) rules out reusing the process.
      this.#tainted = true;
      return;
    }
    if (message.type === "ready") {
      this.#onProtocolError('Cannot accept sandbox message "ready": the task is already running');
      return;
    }
    this.#run?.receive(message);
  }

  /**
   * The control channel ended. When the child exits soon after, its exit says why; a child that stays alive with its
   * channel closed can never finish its task, so it is killed and the task ends as crashed, not at its deadline.
   */
  async #onChannelEnd(): Promise<void> {
    if (this.#phase === "starting" || this.#phase === "finished") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 1000)),
    ]);
    clearTimeout(timer);
    if (exited || this.#exit !== undefined) return;
    if (this.#phase === "running" && this.#run?.finished === false) {
      this.#run.channelClosed();
    } else {
      this.kill();
    }
  }

  #onProtocolError(message: string): void {
    if (this.#phase === "starting") {
      this.#ready.reject(new Error(message));
    } else if (this.#phase === "ready" || this.#phase === "recycling") {
      this.kill();
    } else if (this.#phase === "running") {
      if (this.#run?.finished) this.#tainted = true;
      else this.#run?.refuse(message);
    }
  }

  async #onExit(status: Deno.CommandStatus): Promise<void> {
    this.#exit = status;
    this.#reusable.resolve(false);
    this.#recycled.resolve();
    await this.#drain();
    if (this.#phase === "starting") {
      this.#ready.reject(new Error(`it exited with code ${status.code}`));
    } else if (this.#phase === "ready" || this.#phase === "recycling") {
      this.#phase = "finished";
    } else if (this.#phase === "running" && this.#run?.finished === false) {
      this.#run.processExited(status, {
        closing: this.#closing,
        heapMb: this.#options.heapMb,
        stderrTail: this.#stderrTail(),
      });
    }
  }

  /** After the child has exited: read what it sent before dying, then release the socket and pipes. */
  async #drain(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, 1000));
    await Promise.race([Promise.all([this.#reading, this.#stdout.done, this.#stderr.done]), grace]);
    clearTimeout(timer);
    try {
      this.#conn?.close();
    } catch {
      // Already closed.
    }
    await Promise.all([
      this.#reading,
      this.#stdout.done,
      this.#stderr.done,
      this.#run?.idle,
    ]);
  }

  #stderrTail(): string {
    return redactLines(this.#stderr.lines(), this.#options.redactions ?? {});
  }
}
