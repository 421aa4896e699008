/**
 * One sandbox process: a `deno run` child with a cleared environment and narrow permissions, talking to the host
 * over a Unix socket. It runs one task in its life and is killed afterwards.
 *
 * The host trusts nothing it receives: every line is validated by `protocol_schema.ts`, every message must name
 * this process's task, and a message that breaks the protocol fails the task without being acted on. The deadline,
 * the heap cap (exit 133), the resident-memory watchdog and cancellation all end the task with SIGKILL.
 *
 * @module
 */

import { join } from "node:path";
import { LineWriter, readLines } from "../sandbox_runtime/line_channel.ts";
import type { SandboxMessage, WorkerPermissions } from "../sandbox_runtime/protocol.ts";
import { OutputTail } from "./output_tail.ts";
import { parseSandboxMessage } from "./protocol_schema.ts";
import type { SandboxRunResult } from "./run_result.ts";
import { sandboxCommand } from "./sandbox_command.ts";
import { type SandboxTask, TaskRun } from "./task_run.ts";

export { HEAP_EXHAUSTED_EXIT_CODE, type SandboxTask } from "./task_run.ts";

/** How a sandbox process is started. */
export interface SandboxProcessOptions {
  /** The sandbox runtime's folder (holding `bootstrap.ts`), an absolute path. */
  runtimeDir: string;
  /** The dedicated, writable `DENO_DIR` of sandbox processes. */
  denoDir: string;
  /** Where the process's private socket folder is made. */
  socketDir: string;
  /** The V8 heap cap, in MB. */
  heapMb: number;
  /** The Worker's complete permissions (the generated `servers/` folder included in `read`). */
  permissions: WorkerPermissions;
  /** The process's working folder: relative paths in agent code resolve against it. Default: the host's. */
  cwd?: string;
  /** `file:` URLs the Worker imports before it reports ready. Default: none. */
  preload?: string[];
  /** The longest line accepted from the process, in bytes. Default: 16 MiB. */
  maxMessageBytes?: number;
  /** How long the process may take to connect and report ready, in milliseconds. Default: 15 000. */
  startupTimeoutMs?: number;
  /** Host paths to replace in diagnostics (stderr lines), e.g. `{ "/srv/app/.sandbox": "<state>" }`. */
  redactions?: Record<string, string>;
}

type Phase = "starting" | "ready" | "running" | "finished";

/**
 * A started sandbox process, ready for one task. Start it with {@linkcode SandboxProcess.start}, hand it a task with
 * {@linkcode SandboxProcess.run}, and dispose of it (it is killed after its task anyway).
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { SandboxProcess } from "./sandbox_process.ts";
 * import { prepareCode } from "./prepare_code.ts";
 * await using sandbox = await SandboxProcess.start({
 *   runtimeDir: "/app/runtime/sandbox_runtime",
 *   denoDir: "/app/.sandbox/deno_dir",
 *   socketDir: "/app/.sandbox/sockets",
 *   heapMb: 128,
 *   permissions: { read: ["/app/servers"] },
 * });
 * const result = await sandbox.run({
 *   taskId: "t1",
 *   prepared: prepareCode("return 1", { serversUrl: "file:///app/servers/" }),
 *   pathAliases: {},
 *   timeoutMs: 1000,
 *   memoryLimitMb: 256,
 *   maxLogBytes: 65536,
 *   onToolCall: () => Promise.resolve(null),
 * });
 * assert.equal(result.value, 1);
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
    const socketFolder = await makeSocketFolder(options.socketDir);
    const socketPath = join(socketFolder, "c.sock");
    let listener: Deno.UnixListener | undefined;
    let child: Deno.ChildProcess;
    try {
      listener = Deno.listen({ transport: "unix", path: socketPath });
      const { args, env } = sandboxCommand({
        runtimeDir: options.runtimeDir,
        socketPath,
        denoDir: options.denoDir,
        heapMb: options.heapMb,
        permissions: options.permissions,
        preload: options.preload ?? [],
      });
      child = new Deno.Command(Deno.execPath(), {
        args,
        env,
        clearEnv: true,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      listener?.close();
      await Deno.remove(socketFolder, { recursive: true }).catch(() => {});
      throw error;
    }
    const sandbox = new SandboxProcess(child, options);
    try {
      await sandbox.#connect(listener, socketFolder);
      await sandbox.#ready.promise;
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

  /** Resolves when the child has exited and its streams are drained. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Runs one task. The process is killed when the task ends, whatever the outcome.
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
    this.#run = new TaskRun(task, {
      pid: this.#child.pid,
      maxMessageBytes: this.#maxMessageBytes,
      send: (line) => this.#writer?.send(line),
      kill: () => this.kill(),
      killSoon: () => {
        this.#killTimer ??= setTimeout(() => this.kill(), 0);
      },
      exited: this.#child.status,
      isGone: () => this.#exit !== undefined,
    });
    return this.#run.result;
  }

  /** Kills the child with SIGKILL; safe to call at any time. */
  kill(): void {
    clearTimeout(this.#killTimer);
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
      this.#writer?.send('{"type":"call_result","callId":-1,"ok":true,"value":null}');
      this.#ready.resolve();
      return;
    }
    if (this.#phase === "ready") {
      this.#onProtocolError(`Cannot accept sandbox message "${message.type}": no task is running`);
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
    if (this.#phase !== "ready" && this.#phase !== "running") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 1000)),
    ]);
    clearTimeout(timer);
    if (exited || this.#exit !== undefined) return;
    if (this.#phase === "running" && this.#run?.finished === false) {
      this.#run.channelClosed();
    } else if (this.#phase === "ready") {
      this.#phase = "finished";
      this.kill();
    }
  }

  #onProtocolError(message: string): void {
    if (this.#phase === "starting") {
      this.#ready.reject(new Error(message));
    } else if (this.#phase === "ready") {
      this.#phase = "finished";
      this.kill();
    } else if (this.#phase === "running") {
      this.#run?.refuse(message);
    }
  }

  async #onExit(status: Deno.CommandStatus): Promise<void> {
    this.#exit = status;
    await this.#drain();
    if (this.#phase === "starting") {
      this.#ready.reject(new Error(`it exited with code ${status.code}`));
    } else if (this.#phase === "ready") {
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
    let lines = this.#stderr.lines().filter((line) => line.trim() !== "");
    const redactions = Object.entries(this.#options.redactions ?? {})
      .sort(([a], [b]) => b.length - a.length);
    lines = lines.map((line) =>
      redactions.reduce((text, [path, name]) => text.replaceAll(path, name), line)
    );
    return lines.join("\n");
  }
}

async function makeSocketFolder(parent: string): Promise<string> {
  await Deno.mkdir(parent, { recursive: true, mode: 0o700 });
  let folder = await Deno.makeTempDir({ dir: parent, prefix: "s" });
  // A Unix socket path must fit in 108 bytes; fall back to the system's temp folder when the state folder is deep.
  if (join(folder, "c.sock").length > 100) {
    await Deno.remove(folder);
    folder = await Deno.makeTempDir({ prefix: "mcpx" });
  }
  await Deno.chmod(folder, 0o700);
  return folder;
}
