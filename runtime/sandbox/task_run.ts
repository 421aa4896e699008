/**
 * One task in a sandbox process, from the `run` message to its result: the messages about it, its tool calls, its
 * logs, and the limits that end it (deadline, resident memory, cancellation, protocol errors, the process dying).
 *
 * @module
 */

import type {
  CallMessage,
  CallResultMessage,
  CatalogMessage,
  ReadyMessage,
  RunMessage,
  SandboxMessage,
} from "../wire/mod.ts";
import { stripControls } from "../wire/mod.ts";
import { toWireError, type WireError } from "../wire/mod.ts";
import { LogBuffer } from "./log_buffer.ts";
import type { PreparedCode } from "./prepare_code.ts";
import { RssWatchdog } from "./rss_watchdog.ts";
import {
  type CatalogRequest,
  sandboxError,
  type SandboxErrorCode,
  type SandboxRunResult,
  type SandboxRunStatus,
  type ToolCallRequest,
} from "./run_result.ts";

/** The exit code of a Deno process whose V8 heap ran out (SIGTRAP). */
export const HEAP_EXHAUSTED_EXIT_CODE = 133;

/** One task for a sandbox process: prepared code, limits and the tool-call handler. */
export interface SandboxTask {
  /** The task's id; every message about it must carry it. */
  taskId: string;
  /** The prepared code (see `prepare_code.ts`). */
  prepared: PreparedCode;
  /** URL and path prefixes to shorten in the agent's stacks and messages. */
  pathAliases: Record<string, string>;
  /** The deadline, in milliseconds from the start of the run. */
  timeoutMs: number;
  /** The resident-memory limit of the process, in MB. */
  memoryLimitMb: number;
  /** The most console text to keep, in bytes. */
  maxLogBytes: number;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** Answers a tool call; a rejection reaches the agent as a ToolError. */
  onToolCall(call: ToolCallRequest): Promise<unknown>;
  /** Receives the agent's own progress reports (`progress(done, total?, message?)`), already validated. */
  onProgress?(report: AgentProgress): void;
  /** Answers a read of the tool catalog (`tools.search`, `tools.list`); without it such reads fail. */
  onCatalog?(request: CatalogRequest): Promise<unknown>;
}

/** A progress report from agent code. */
export interface AgentProgress {
  /** How much is done. */
  progress: number;
  /** How much there is in all, when the agent said. */
  total?: number;
  /** What is happening, control sequences removed. */
  message?: string;
}

/** What a {@linkcode TaskRun} needs from the process it runs in. */
export interface TaskRunHost {
  /** The process id, for the memory watchdog. */
  pid: number;
  /** The largest message the host accepts, in bytes. */
  maxMessageBytes: number;
  /** Sends one line to the process. */
  send(line: string): void;
  /** Kills the process now. */
  kill(): void;
  /**
   * Called once the result of a task that finished cleanly (a valid `done`) is handed over: the process kills itself
   * or, when it may be reused, replaces its Worker.
   */
  release(): void;
  /** Resolves when the process has exited. */
  exited: Promise<unknown>;
  /** `true` once the process has exited. */
  isGone(): boolean;
}

interface Outcome {
  status: SandboxRunStatus;
  value?: unknown;
  error?: WireError;
}

/**
 * Runs one task: sends the `run` message at construction and settles {@linkcode TaskRun.result} exactly once.
 *
 * @example
 * ```ts ignore
 * const run = new TaskRun(task, host);
 * // for each validated message about the task:
 * run.receive(message);
 * const result = await run.result;
 * ```
 */
export class TaskRun {
  /** The outcome of the task; it never rejects. */
  readonly result: Promise<SandboxRunResult>;
  #task: SandboxTask;
  #host: TaskRunHost;
  #id: string;
  #started = performance.now();
  #logs: LogBuffer;
  #callIds = new Set<number>();
  #toolCalls = 0;
  #calls = new AbortController();
  #timer: ReturnType<typeof setTimeout>;
  #watchdog: RssWatchdog;
  #onAbort = (): void => this.stop("cancelled", `Task ${this.#id} was cancelled`);
  #resolve: (result: SandboxRunResult) => void;
  #finished = false;

  /**
   * Starts the task: arms the deadline, the memory watchdog and the cancellation signal, and sends `run`.
   *
   * @param task The prepared code, limits and tool-call handler.
   * @param host The process the task runs in.
   */
  constructor(task: SandboxTask, host: TaskRunHost) {
    this.#task = task;
    this.#host = host;
    this.#id = JSON.stringify(task.taskId);
    this.#logs = new LogBuffer(task.maxLogBytes);
    const { promise, resolve } = Promise.withResolvers<SandboxRunResult>();
    this.result = promise;
    this.#resolve = resolve;
    this.#timer = setTimeout(
      () =>
        this.stop(
          "timeout",
          `Task ${this.#id} timed out after ${task.timeoutMs} ms (limit "timeoutMs")`,
        ),
      task.timeoutMs,
    );
    this.#watchdog = new RssWatchdog(host.pid, {
      limitBytes: task.memoryLimitMb * 1024 * 1024,
      onExceeded: (sample) =>
        this.stop(
          "memory_limit",
          `Task ${this.#id} exceeded its memory limit: the sandbox used ${
            Math.round(sample.rssBytes / 2 ** 20)
          } MB of resident memory, over the limit of ${task.memoryLimitMb} MB (limit "memoryLimitMb")`,
        ),
    });
    if (task.signal?.aborted) {
      this.#onAbort();
      return;
    }
    task.signal?.addEventListener("abort", this.#onAbort, { once: true });
    const message: RunMessage = {
      type: "run",
      taskId: task.taskId,
      format: task.prepared.format,
      source: task.prepared.source,
      firstLineOffset: task.prepared.firstLineOffset,
      ...(task.prepared.python === undefined ? {} : { python: task.prepared.python }),
      pathAliases: task.pathAliases,
      maxLogBytes: task.maxLogBytes,
      maxMessageBytes: host.maxMessageBytes,
    };
    host.send(JSON.stringify(message));
  }

  /** `true` once the result is decided. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Resolves when no memory sample is in flight. */
  get idle(): Promise<void> {
    return this.#watchdog.idle;
  }

  /**
   * Acts on one validated message from the sandbox. A message naming another task, or a reused call id, stops the
   * task with `invalid_message` instead.
   *
   * @param message The message, already checked against the protocol schema.
   */
  receive(message: Exclude<SandboxMessage, ReadyMessage>): void {
    if (this.#finished) return;
    if (message.taskId !== this.#task.taskId) {
      this.refuse(
        `Cannot accept sandbox message "${message.type}": it names task ${
          JSON.stringify(message.taskId)
        }, not ${this.#id}`,
      );
    } else if (message.type === "log") {
      // Text from the sandbox is untrusted: the Worker cleans it, and forged messages skip the Worker.
      this.#logs.add(stripControls(message.text));
    } else if (message.type === "call") {
      this.#call(message);
    } else if (message.type === "progress") {
      const report: AgentProgress = { progress: message.progress };
      if (message.total !== undefined) report.total = message.total;
      if (message.message !== undefined) report.message = stripControls(message.message);
      this.#task.onProgress?.(report);
    } else if (message.type === "catalog") {
      this.#catalog(message);
    } else {
      this.#logs.addDropped(message.droppedLogBytes ?? 0);
      if (message.ok) this.#finish({ status: "completed", value: message.value }, false);
      else this.#finish({ status: "failed", error: withoutControls(message.error) }, false);
    }
  }

  /**
   * Stops the task for a protocol error.
   *
   * @param reason What was wrong with what the sandbox sent.
   */
  refuse(reason: string): void {
    this.stop("invalid_message", `Task ${this.#id} was stopped: ${reason}`);
  }

  /**
   * Stops the task with one of the sandbox's own errors, kills the process and waits until it is gone.
   *
   * @param code Why the task stops.
   * @param message The full message.
   */
  stop(code: Exclude<SandboxErrorCode, "sandbox_crashed" | "syntax_error">, message: string): void {
    const status = code === "timeout" ? "timeout" : code === "cancelled" ? "cancelled" : "failed";
    this.#finish({ status, error: sandboxError(code, message) }, true);
  }

  /** Ends the task because its process closed the control channel before `done` (and kills the process). */
  channelClosed(): void {
    this.#finish({
      status: "failed",
      error: sandboxError(
        "sandbox_crashed",
        `Sandbox process of task ${this.#id} closed its control channel before the task finished`,
      ),
    }, true);
  }

  /**
   * Ends the task because its process exited before `done`.
   *
   * @param status The process's exit status.
   * @param context Whether the pool is closing, the heap cap, and the process's last stderr lines.
   */
  processExited(
    status: Deno.CommandStatus,
    context: { closing: boolean; heapMb: number; stderrTail: string },
  ): void {
    if (context.closing) {
      this.stop("cancelled", `Task ${this.#id} was cancelled: the sandbox was closed`);
    } else if (status.code === HEAP_EXHAUSTED_EXIT_CODE || status.signal === "SIGTRAP") {
      this.stop(
        "memory_limit",
        `Task ${this.#id} ran out of memory: the JavaScript heap is capped at ${context.heapMb} MB (limit "heapMb")`,
      );
    } else {
      const tail = context.stderrTail === "" ? "" : `: ${context.stderrTail}`;
      const message =
        `Sandbox process of task ${this.#id} exited with code ${status.code} before the task finished${tail}`;
      this.#finish({ status: "failed", error: sandboxError("sandbox_crashed", message) }, true);
    }
  }

  #call(call: CallMessage): void {
    if (this.#callIds.has(call.callId)) {
      this.refuse(`Cannot accept tool call: call id ${call.callId} was used before`);
      return;
    }
    this.#callIds.add(call.callId);
    this.#toolCalls++;
    const request: ToolCallRequest = {
      server: call.server,
      tool: call.tool,
      args: call.args,
      signal: this.#calls.signal,
    };
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(this.#task.onToolCall(request));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => this.#answer(call, { type: "call_result", callId: call.callId, ok: true, value }),
      (error) =>
        this.#answer(call, {
          type: "call_result",
          callId: call.callId,
          ok: false,
          error: toolErrorWire(error, call),
        }),
    );
  }

  #catalog(message: CatalogMessage): void {
    if (this.#callIds.has(message.callId)) {
      this.refuse(`Cannot accept catalog read: call id ${message.callId} was used before`);
      return;
    }
    this.#callIds.add(message.callId);
    const { type: _type, taskId: _taskId, callId, ...request } = message;
    const handler = this.#task.onCatalog;
    const answer = handler === undefined
      ? Promise.reject(new Error("Cannot read the tool catalog: this host does not offer it"))
      : Promise.resolve().then(() => handler(request));
    // Reported like a tool call's error, naming the pseudo-tool `tools.<op>`.
    const call = {
      type: "call",
      taskId: message.taskId,
      callId,
      server: "tools",
      tool: message.op,
      args: {},
    } as const;
    answer.then(
      (value) => this.#answer(call, { type: "call_result", callId, ok: true, value }),
      (error) =>
        this.#answer(call, {
          type: "call_result",
          callId,
          ok: false,
          error: toolErrorWire(error, call),
        }),
    );
  }

  #answer(call: CallMessage, message: CallResultMessage): void {
    if (this.#finished) return;
    let line: string;
    try {
      line = JSON.stringify(message);
    } catch (error) {
      const reason = `Cannot return the result of tool "${call.tool}": ${(error as Error).message}`;
      const failed: CallResultMessage = {
        type: "call_result",
        callId: call.callId,
        ok: false,
        error: toolErrorWire(new Error(reason), call),
      };
      line = JSON.stringify(failed);
    }
    this.#host.send(line);
  }

  #finish(outcome: Outcome, waitForExit: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    const durationMs = performance.now() - this.#started;
    clearTimeout(this.#timer);
    this.#task.signal?.removeEventListener("abort", this.#onAbort);
    this.#calls.abort();
    // A live process gets a last memory sample; one that is gone has none to give.
    this.#watchdog.stop(!this.#host.isGone());
    const result: SandboxRunResult = {
      status: outcome.status,
      logs: this.#logs.lines(),
      durationMs,
      peakRssBytes: this.#watchdog.peakBytes,
      toolCalls: this.#toolCalls,
    };
    if (outcome.value !== undefined) result.value = outcome.value;
    if (outcome.error !== undefined) result.error = outcome.error;
    if (waitForExit) {
      this.#host.kill();
      this.#host.exited.then(() => this.#resolve(result));
    } else {
      // The result is final: hand it over first, then free the process (killed, or given a fresh Worker).
      this.#resolve(result);
      this.#host.release();
    }
  }
}

/** An agent's error with terminal control sequences removed from every text in it. */
function withoutControls(error: WireError): WireError {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    clean[key] = typeof value === "string" ? stripControls(value) : value;
  }
  return clean as unknown as WireError;
}

function toolErrorWire(error: unknown, call: CallMessage): WireError {
  const wire = toWireError(error, "tool_failed");
  return {
    name: "ToolError",
    code: wire.name === "ToolError" ? wire.code : "tool_failed",
    message: wire.message,
    server: wire.server ?? call.server,
    tool: wire.tool ?? call.tool,
  };
}
