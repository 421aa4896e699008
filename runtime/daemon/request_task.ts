/**
 * {@linkcode startRequestTask}: what a tool request that runs a task (`execute_code`, `run_skill`) sets up around
 * it, in one place: cancellation from the request, the task's progress as notifications on the request's progress
 * token, and the daemon's bookkeeping (so that approval questions and relayed elicitations travel on the request).
 *
 * @module
 */

import type { RequestId } from "../sdk.ts";
import { ProgressNotifier, type ProgressParams } from "./progress_notifier.ts";

/** The parts of the SDK's request context a task needs. */
export interface TaskRequest {
  /** Aborted when the client cancels the request or goes away. */
  signal: AbortSignal;
  /** The request's id: questions about the task are sent as part of it. */
  requestId: RequestId;
  /** The request's `_meta`, where a progress token may be. */
  _meta?: { progressToken?: string | number } | undefined;
  /** Sends a notification related to the request. */
  sendNotification(notification: {
    method: "notifications/progress";
    params: { progressToken: string | number } & ProgressParams;
  }): Promise<void>;
}

/** Registers a running task with the daemon; returns the function that unregisters it. */
export type TrackTask = (
  taskId: string,
  controller: AbortController,
  notifier?: ProgressNotifier,
  requestId?: RequestId,
) => () => void;

/** A task started for a request: its signal, and what to do when it ends. */
export interface RequestTask extends Disposable {
  /** Cancels the task: aborted when the request is. */
  signal: AbortSignal;
  /** Sends the progress held back, before the response goes out. */
  flush(): Promise<void>;
}

/**
 * Sets up a task for a tool request. Dispose of it when the response is ready: no progress notification follows
 * the response, and the task is unregistered, whichever way it ended.
 *
 * @param request The request's context (`extra` in an SDK tool handler).
 * @param taskId The task's id.
 * @param track The daemon's bookkeeping.
 * @returns The task's signal and its end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startRequestTask } from "./request_task.ts";
 * const cancel = new AbortController();
 * const sent: unknown[] = [];
 * const request = { signal: cancel.signal, requestId: 1, _meta: { progressToken: "p" },
 *   sendNotification: (n: unknown) => { sent.push(n); return Promise.resolve(); } };
 * let tracked = 0;
 * {
 *   using task = startRequestTask(request, "t1", () => { tracked++; return () => tracked--; });
 *   assert.equal(tracked, 1);
 *   cancel.abort();
 *   assert.equal(task.signal.aborted, true);
 * }
 * assert.equal(tracked, 0);
 * ```
 */
export function startRequestTask(
  request: TaskRequest,
  taskId: string,
  track: TrackTask,
): RequestTask {
  const token = request._meta?.progressToken;
  const notifier = token === undefined
    ? undefined
    : new ProgressNotifier((params: ProgressParams) =>
      request.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, ...params },
      })
    );
  const controller = new AbortController();
  const onAbort = () => controller.abort(request.signal.reason);
  request.signal.addEventListener("abort", onAbort, { once: true });
  if (request.signal.aborted) onAbort();
  const untrack = track(taskId, controller, notifier, request.requestId);
  return {
    signal: controller.signal,
    flush: () => notifier?.flush() ?? Promise.resolve(),
    [Symbol.dispose]() {
      notifier?.close();
      request.signal.removeEventListener("abort", onAbort);
      untrack();
    },
  };
}
