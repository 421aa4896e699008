/**
 * `TypeChecker`: the host's handle on the agent-code checker, which runs in a Worker of its own so that a check
 * never holds the event loop other sessions' tasks run on. Checks go to the Worker one at a time; the Worker keeps
 * the TypeScript language service warm between them.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { AgentCheckerOptions, CheckInput } from "./agent_checker.ts";
import type { TypeDiagnostic } from "./diagnostics.ts";

const log = logger("typecheck");

/** Options of {@linkcode TypeChecker}. */
export interface TypeCheckerOptions extends AgentCheckerOptions {
  /** How long one check may take before the task runs unchecked, in milliseconds. Default 10,000. */
  checkTimeoutMs?: number;
}

/** What one check found, with its cost. */
export interface CheckOutcome {
  /** The type errors, in the agent's line numbers. */
  diagnostics: TypeDiagnostic[];
  /** How long the Worker took, in milliseconds. */
  ms: number;
  /** The Worker's V8 heap after the check, in bytes. */
  heapBytes: number;
}

interface Pending {
  resolve(outcome: CheckOutcome | undefined): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Checks agent code in a Worker. A check that fails or takes too long resolves to `undefined` (the task then runs
 * unchecked, with a log line): the checker never fails a task by its own fault.
 *
 * @example
 * ```ts
 * import { TypeChecker } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await using checker = new TypeChecker({ serversDir: dir });
 * const outcome = await checker.check({ code: "const n: number = 'one';\nreturn n;", servers: [] });
 * assert.equal(outcome?.diagnostics[0]?.line, 1);
 * ```
 */
export class TypeChecker implements AsyncDisposable {
  #options: TypeCheckerOptions;
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;

  /**
   * Creates the handle; the Worker starts on {@linkcode TypeChecker.warm} or the first check.
   *
   * @param options The `servers/` and `skills/` folders and the check deadline.
   */
  constructor(options: TypeCheckerOptions) {
    this.#options = options;
  }

  /**
   * Starts the Worker and checks an empty program, so that the lib files are loaded before the first task.
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
   * @returns The outcome, or `undefined` when the checker failed or timed out.
   */
  check(input: CheckInput): Promise<CheckOutcome | undefined> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        log.warn("A type check took over {ms} ms: the task runs unchecked", {
          ms: this.#options.checkTimeoutMs ?? 10_000,
        });
        // The Worker may be stuck in a pathological program: start a fresh one for the next check.
        this.#restart();
        resolve(undefined);
      }, this.#options.checkTimeoutMs ?? 10_000);
      this.#pending.set(id, { resolve, timer });
      worker.postMessage({ type: "check", id, input });
    });
  }

  /** Stops the Worker; pending checks resolve to `undefined`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#restart();
    return Promise.resolve();
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL("./_checker_worker.ts", import.meta.url), { type: "module" });
    const { checkTimeoutMs: _, ...options } = this.#options;
    worker.postMessage({ type: "init", options });
    worker.onmessage = (event: MessageEvent) => {
      const data = event.data as {
        id: number;
        diagnostics?: TypeDiagnostic[];
        ms?: number;
        heapBytes?: number;
        error?: string;
      };
      const pending = this.#pending.get(data.id);
      if (pending === undefined) return;
      this.#pending.delete(data.id);
      clearTimeout(pending.timer);
      if (data.error !== undefined || data.diagnostics === undefined) {
        log.warn("A type check failed: {error}", { error: data.error ?? "no result" });
        pending.resolve(undefined);
        return;
      }
      pending.resolve({
        diagnostics: data.diagnostics,
        ms: data.ms ?? 0,
        heapBytes: data.heapBytes ?? 0,
      });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      log.warn("The type checker stopped: {error}", { error: event.message });
      this.#restart();
    };
    this.#worker = worker;
    return worker;
  }

  #restart(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.resolve(undefined);
    }
    this.#pending.clear();
  }
}
