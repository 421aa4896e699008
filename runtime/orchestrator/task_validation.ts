/**
 * The checks {@linkcode MCPOrchestrator.executeTask} makes on a task's shape before it reserves the task's id: a
 * malformed task is a caller's bug and is thrown, not reported as a result.
 *
 * @module
 */

import type { AgentTask, TaskErrorInfo } from "../types.ts";
import { utf8Length } from "./orchestrator_events.ts";
import { validateSessionId } from "./session_spaces.ts";
import { validatePrincipalId } from "../principal.ts";

/** The longest task id, in characters (the sandbox protocol carries ids up to this length). */
export const MAX_TASK_ID_LENGTH = 256;

/** The longest `timeoutMs` a task may ask for: what a timer can hold (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A task id as error messages quote it: cut to 20 characters.
 *
 * @param id The id.
 * @returns The id, or its first 20 characters and `…`.
 */
function shortId(id: string): string {
  return id.length > 20 ? `${id.slice(0, 20)}…` : id;
}

/**
 * Checks a task's fields: a non-empty string id of at most {@linkcode MAX_TASK_ID_LENGTH} characters, string code,
 * an array of `requiredTools`, a whole `timeoutMs` from 1 to {@linkcode MAX_TIMEOUT_MS}, `permissions` with only
 * `read`, `write` and `net` lists of strings, an `AbortSignal`.
 *
 * @param task What the caller passed as a task.
 * @throws {TypeError} When a field has the wrong type, or the id is empty or too long.
 * @throws {RangeError} When `timeoutMs` is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTask } from "./task_validation.ts";
 * const task = { id: "t1", description: "", code: "return 1", requiredTools: [], status: "pending" as const };
 * validateTask(task);
 * assert.throws(() => validateTask({ ...task, timeoutMs: -1 }), RangeError);
 * assert.throws(() => validateTask({ ...task, id: "x".repeat(300) }), /over the limit of 256/);
 * ```
 */
export function validateTask(task: AgentTask): void {
  if (typeof task !== "object" || task === null) {
    throw new TypeError(
      `Cannot run task: expected a task object, got ${task === null ? "null" : typeof task}`,
    );
  }
  if (typeof task.id !== "string" || task.id === "") {
    throw new TypeError("Cannot run task: it needs a non-empty string id");
  }
  const name = `Cannot run task "${shortId(task.id)}"`;
  if (task.id.length > MAX_TASK_ID_LENGTH) {
    throw new TypeError(
      `${name}: its id is ${task.id.length} characters, over the limit of ${MAX_TASK_ID_LENGTH}`,
    );
  }
  if (typeof task.code !== "string") {
    throw new TypeError(`${name}: its code must be a string`);
  }
  const language = task.language as unknown;
  if (language !== undefined && language !== "typescript" && language !== "python") {
    throw new TypeError(
      `${name}: language must be "typescript" or "python", got ${JSON.stringify(language)}`,
    );
  }
  if (!Array.isArray(task.requiredTools)) {
    throw new TypeError(`${name}: requiredTools must be an array`);
  }
  const timeout = task.timeoutMs as unknown;
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 ||
      timeout > MAX_TIMEOUT_MS)
  ) {
    throw new RangeError(
      `${name}: timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${
        typeof timeout === "string" ? JSON.stringify(timeout) : String(timeout)
      }`,
    );
  }
  checkPermissions(name, task.permissions);
  if (task.session !== undefined) {
    try {
      validateSessionId(task.session);
    } catch (error) {
      throw new TypeError(`${name}: ${(error as Error).message}`);
    }
  }
  if (task.principal !== undefined) {
    try {
      validatePrincipalId(task.principal);
    } catch (error) {
      throw new TypeError(`${name}: ${(error as Error).message}`);
    }
  }
  if (task.signal !== undefined && !(task.signal instanceof AbortSignal)) {
    throw new TypeError(`${name}: signal must be an AbortSignal`);
  }
}

const PERMISSION_FIELDS = ["read", "write", "net"];

function checkPermissions(name: string, permissions: unknown): void {
  if (permissions === undefined) return;
  if (typeof permissions !== "object" || permissions === null || Array.isArray(permissions)) {
    throw new TypeError(`${name}: permissions must be an object with read, write and net lists`);
  }
  for (const [field, list] of Object.entries(permissions)) {
    if (!PERMISSION_FIELDS.includes(field)) {
      throw new TypeError(
        `${name}: permissions has an unknown field ${
          JSON.stringify(field)
        }: use read, write or net`,
      );
    }
    if (list !== undefined && (!Array.isArray(list) || !list.every((e) => typeof e === "string"))) {
      throw new TypeError(`${name}: permissions.${field} must be an array of strings`);
    }
  }
}

/**
 * The error of a task whose code is over `maxCodeBytes` (UTF-8), found without parsing it.
 *
 * @param task The task.
 * @param maxCodeBytes The limit.
 * @returns The error to report, or `undefined` when the code fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeSizeError } from "./task_validation.ts";
 * const task = { id: "t1", description: "", code: "return 'ü'", requiredTools: [], status: "pending" as const };
 * assert.equal(codeSizeError(task, 100), undefined);
 * assert.match(codeSizeError(task, 5)?.message ?? "", /11 bytes, over the limit of 5 bytes \(limit "maxCodeBytes"\)/);
 * ```
 */
export function codeSizeError(task: AgentTask, maxCodeBytes: number): TaskErrorInfo | undefined {
  // A UTF-16 unit takes at most 3 bytes in UTF-8: most code needs no count at all.
  if (task.code.length * 3 <= maxCodeBytes) return undefined;
  const bytes = utf8Length(task.code);
  if (bytes <= maxCodeBytes) return undefined;
  return {
    name: "RangeError",
    code: "code_too_large",
    message:
      `Cannot run task "${task.id}": its code is ${bytes} bytes, over the limit of ${maxCodeBytes} bytes (limit "maxCodeBytes")`,
  };
}
