/**
 * `TaskTypecheck`: what the orchestrator does with the `typecheck` option before a task runs. `"error"` refuses a
 * task with type errors (code `"type_error"`, no tool call leaves the host); `"warn"` runs it with the diagnostics
 * as warnings and first log lines.
 *
 * @module
 */

import { toServerDirName } from "../codegen/mod.ts";
import type { TaskErrorInfo } from "../types.ts";
import {
  diagnosticLines,
  MAX_DIAGNOSTICS_CHARS,
  TYPECHECK_MODES,
  type TypecheckMode,
} from "./diagnostics.ts";
import { type CheckOutcome, TypeChecker } from "./type_checker.ts";

/** The outcome of checking a task: refuse it, or run it with these warnings (none when it is clean). */
export type TaskCheck = { error: TaskErrorInfo } | { warnings: string[] };

/** The prefix of the warnings and log lines type errors give under `"warn"`. */
export const TYPE_WARNING_PREFIX = "type error at ";

/**
 * Checks a `typecheck` option.
 *
 * @param mode The option's value.
 * @returns The mode, `"off"` when undefined and `fallback` is not given.
 * @throws {TypeError} When the value is not `"off"`, `"warn"` or `"error"`.
 *
 * @example
 * ```ts
 * import { parseTypecheckMode } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseTypecheckMode("warn"), "warn");
 * assert.throws(() => parseTypecheckMode("strict"), /typecheck/);
 * ```
 */
export function parseTypecheckMode(mode: unknown, fallback: TypecheckMode = "off"): TypecheckMode {
  if (mode === undefined) return fallback;
  if (typeof mode !== "string" || !(TYPECHECK_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(
      `Invalid typecheck mode ${JSON.stringify(mode)}: use "off", "warn" or "error"`,
    );
  }
  return mode as TypecheckMode;
}

/** What a task's check needs to know. */
export interface TaskCheckInput {
  /** The task's id, for the message. */
  id: string;
  /** The agent code. */
  code: string;
  /** The servers the task may call, by name in mcp.json, with their identifier in agent code. */
  servers: ReadonlyArray<{ name: string; identifier: string }>;
}

/**
 * The `typecheck` option at work: a {@linkcode TypeChecker} and the mode.
 *
 * @example Refuse a task with a type error
 * ```ts
 * import { TaskTypecheck } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await using typecheck = new TaskTypecheck("error", { serversDir: dir });
 * const outcome = await typecheck.check({ id: "t1", code: "const n: number = 'one';", servers: [] });
 * assert.ok("error" in outcome && outcome.error.code === "type_error");
 * ```
 */
export class TaskTypecheck implements AsyncDisposable {
  #mode: TypecheckMode;
  #checker: TypeChecker;

  /**
   * Creates it; the checker's Worker starts on {@linkcode TaskTypecheck.warm} or the first check.
   *
   * @param mode `"warn"` or `"error"` (`"off"` checks nothing).
   * @param folders The `servers/` and `skills/` folders.
   */
  constructor(mode: TypecheckMode, folders: { serversDir: string; skillsDir?: string }) {
    this.#mode = parseTypecheckMode(mode);
    this.#checker = new TypeChecker({
      serversDir: folders.serversDir,
      ...(folders.skillsDir === undefined ? {} : { skillsDir: folders.skillsDir }),
    });
  }

  /** The mode. */
  get mode(): TypecheckMode {
    return this.#mode;
  }

  /**
   * Loads the compiler and the lib files in the background, so that the first task's check is warm.
   *
   * @returns The outcome of an empty check.
   */
  warm(): Promise<CheckOutcome | undefined> {
    return this.#mode === "off" ? Promise.resolve(undefined) : this.#checker.warm();
  }

  /**
   * Checks a task's code.
   *
   * @param task The task's id, code and servers.
   * @returns `{ error }` to refuse it (`"error"` mode), else `{ warnings }` (empty when clean, off or unchecked).
   */
  async check(task: TaskCheckInput): Promise<TaskCheck> {
    if (this.#mode === "off") return { warnings: [] };
    const outcome = await this.#checker.check({
      code: task.code,
      servers: task.servers.map((s) => ({
        identifier: s.identifier,
        dir: toServerDirName(s.name),
      })),
    });
    if (outcome === undefined || outcome.diagnostics.length === 0) return { warnings: [] };
    const lines = diagnosticLines(outcome.diagnostics);
    if (this.#mode === "warn") {
      const more = lines.at(-1)?.startsWith("(") ? [`type errors: ${lines.pop()}`] : [];
      return { warnings: [...lines.map((line) => `${TYPE_WARNING_PREFIX}${line}`), ...more] };
    }
    const count = outcome.diagnostics.length;
    const head = `Task "${task.id}" was not run: its code has ${count} type error${
      count === 1 ? "" : "s"
    } (fix them and run it again):\n`;
    // The whole message is at most 2,000 characters.
    const listed = diagnosticLines(outcome.diagnostics, MAX_DIAGNOSTICS_CHARS - head.length);
    return {
      error: { name: "TypeError", code: "type_error", message: head + listed.join("\n") },
    };
  }

  /** Stops the checker's Worker. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#checker[Symbol.asyncDispose]();
  }
}
