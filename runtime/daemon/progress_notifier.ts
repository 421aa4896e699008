/**
 * {@linkcode ProgressNotifier}: a task's progress events as MCP `notifications/progress`, rate-limited and kept
 * increasing as the spec asks.
 *
 * @module
 */

import type { TaskProgressEvent } from "../orchestrator/mod.ts";

/** One progress notification's parameters, without the token. */
export interface ProgressParams {
  progress: number;
  total?: number;
  message?: string;
}

/** The shortest time between two notifications of one request, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 50;

/**
 * Sends a task's progress to one request's progress token. Values only increase, as the spec asks:
 * - until the agent code reports, each finished tool call sends `progress` = the calls finished so far, with a
 *   message naming the tool;
 * - from the agent's first `progress(done, total?, message?)` on, its own scale is used, shifted by the calls
 *   already counted (`progress` = calls before + done, `total` = calls before + total), and tool calls send
 *   nothing more. A report not above the last value sent is skipped.
 *
 * At most one notification goes out every {@linkcode PROGRESS_INTERVAL_MS}; the latest report held back is sent
 * when the interval has passed, or by {@linkcode ProgressNotifier.flush}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressNotifier } from "./progress_notifier.ts";
 * const sent: number[] = [];
 * const notifier = new ProgressNotifier((p) => void sent.push(p.progress));
 * notifier.report({ kind: "agent", taskId: "t", progress: 1, total: 3 });
 * notifier.report({ kind: "agent", taskId: "t", progress: 2, total: 3 });
 * notifier.report({ kind: "agent", taskId: "t", progress: 3, total: 3 });
 * await notifier.flush();
 * assert.deepEqual(sent, [1, 3]);
 * ```
 */
export class ProgressNotifier {
  #send: (params: ProgressParams) => Promise<void> | void;
  #last = -Infinity;
  /** The calls counted before the agent's first report; `undefined` until it reports. */
  #offset: number | undefined;
  #lastAt = -Infinity;
  #held: ProgressParams | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sending: Promise<void> = Promise.resolve();
  #closed = false;

  /**
   * @param send Sends one notification; its failures are ignored (the client may be gone).
   */
  constructor(send: (params: ProgressParams) => Promise<void> | void) {
    this.#send = send;
  }

  /**
   * Takes one progress event of the task.
   *
   * @param event The event from the orchestrator's `onTaskProgress`.
   */
  report(event: TaskProgressEvent): void {
    if (this.#closed) return;
    let params: ProgressParams;
    if (event.kind === "tool_call") {
      if (this.#offset !== undefined) return;
      params = {
        progress: event.finishedCalls,
        message: `${event.server}.${event.tool} ${event.ok ? "returned" : "failed"}`,
      };
    } else {
      this.#offset ??= Math.max(0, this.#last, this.#held?.progress ?? 0);
      params = { progress: this.#offset + event.progress };
      if (event.total !== undefined) params.total = this.#offset + event.total;
      if (event.message !== undefined) params.message = event.message;
    }
    if (params.progress <= this.#last || params.progress <= (this.#held?.progress ?? -Infinity)) {
      return;
    }
    const wait = this.#lastAt + PROGRESS_INTERVAL_MS - performance.now();
    if (wait <= 0 && this.#held === undefined) {
      this.#emit(params);
      return;
    }
    this.#held = params;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#emitHeld();
    }, Math.max(0, wait));
  }

  /**
   * Sends the report held back, if any, and waits for every notification sent so far.
   *
   * @returns Resolves once sent.
   */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#emitHeld();
    await this.#sending;
  }

  /**
   * Stops for good: a report held back is dropped and nothing is sent afterwards, so that no notification
   * follows the request's response.
   */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = undefined;
    this.#closed = true;
  }

  #emitHeld(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#emit(held);
  }

  #emit(params: ProgressParams): void {
    this.#last = params.progress;
    this.#lastAt = performance.now();
    const send = this.#send;
    this.#sending = this.#sending.then(async () => {
      try {
        await send(params);
      } catch {
        // The client may have gone: progress is best effort.
      }
    });
  }
}
