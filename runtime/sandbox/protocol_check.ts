/**
 * A hand-written check of sandbox messages, exactly as strict as the zod schemas in `protocol_schema.ts` (the same
 * keys and no others, the same types and bounds), for the hot path: every tool call, log line and result passes
 * here. `protocol_schema_test.ts` holds both to the same verdicts; zod still words the error of a message that fails.
 *
 * @module
 */

import type { SandboxMessage } from "../wire/mod.ts";

const MAX_NAME = 256;
const MAX_QUERY = 1_000;
const MAX_CATALOG_LIMIT = 50;
const MAX_PROGRESS_MESSAGE = 1000;
const LEVELS = new Set(["log", "info", "warn", "error", "debug"]);

type Shape = Record<string, (value: unknown) => boolean>;

const isString = (value: unknown): value is string => typeof value === "string";
const name = (value: unknown): boolean => isString(value) && value.length <= MAX_NAME;
const nonEmptyName = (value: unknown): boolean => name(value) && (value as string).length >= 1;
const finite = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value);
const count = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const anything = (): boolean => true;

const WIRE_ERROR: Shape = {
  name,
  code: name,
  message: isString,
  stack: isString,
  server: name,
  tool: name,
};
const WIRE_ERROR_REQUIRED = ["name", "code", "message"];

const SHAPES: Record<string, { shape: Shape; required: string[] }> = {
  ready: { shape: { type: anything, nonce: name }, required: ["type"] },
  call: {
    shape: {
      type: anything,
      taskId: nonEmptyName,
      callId: count,
      server: nonEmptyName,
      tool: nonEmptyName,
      args: anything,
    },
    required: ["type", "taskId", "callId", "server", "tool", "args"],
  },
  catalog: {
    shape: {
      type: anything,
      taskId: nonEmptyName,
      callId: count,
      op: (value) => value === "search" || value === "list",
      query: (value) => isString(value) && value.length <= MAX_QUERY,
      server: nonEmptyName,
      limit: (value) =>
        Number.isSafeInteger(value) && (value as number) >= 1 &&
        (value as number) <= MAX_CATALOG_LIMIT,
    },
    required: ["type", "taskId", "callId", "op"],
  },
  log: {
    shape: {
      type: anything,
      taskId: nonEmptyName,
      level: (value) => isString(value) && LEVELS.has(value),
      text: isString,
    },
    required: ["type", "taskId", "level", "text"],
  },
  progress: {
    shape: {
      type: anything,
      taskId: nonEmptyName,
      progress: finite,
      total: finite,
      message: (value) => isString(value) && value.length <= MAX_PROGRESS_MESSAGE,
    },
    required: ["type", "taskId", "progress"],
  },
};

const DONE_OK: Shape = {
  type: anything,
  taskId: nonEmptyName,
  ok: anything,
  value: anything,
  droppedLogBytes: count,
};
const DONE_FAILED: Shape = {
  type: anything,
  taskId: nonEmptyName,
  ok: anything,
  error: (value) => matches(value, WIRE_ERROR, WIRE_ERROR_REQUIRED),
  droppedLogBytes: count,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function matches(value: unknown, shape: Shape, required: string[]): boolean {
  if (!isPlainObject(value)) return false;
  for (const key of required) if (!Object.hasOwn(value, key)) return false;
  for (const key of Object.keys(value)) {
    const check = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (check === undefined || !check(value[key])) return false;
  }
  return true;
}

/**
 * Checks one parsed line from a sandbox process against the protocol.
 *
 * @param data The line after `JSON.parse`.
 * @returns The message when it matches a message shape exactly; `undefined` otherwise (the caller asks the zod
 *   schema what is wrong).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSandboxMessage } from "./protocol_check.ts";
 * assert.equal(checkSandboxMessage({ type: "ready" })?.type, "ready");
 * assert.equal(checkSandboxMessage({ type: "ready", extra: 1 }), undefined);
 * ```
 */
export function checkSandboxMessage(data: unknown): SandboxMessage | undefined {
  if (!isPlainObject(data)) return undefined;
  const type = data.type;
  if (type === "done") {
    if (data.ok === true) {
      return matches(data, DONE_OK, ["type", "taskId", "ok"])
        ? data as unknown as SandboxMessage
        : undefined;
    }
    if (data.ok === false) {
      return matches(data, DONE_FAILED, ["type", "taskId", "ok", "error"])
        ? data as unknown as SandboxMessage
        : undefined;
    }
    return undefined;
  }
  if (!isString(type) || !Object.hasOwn(SHAPES, type)) return undefined;
  const { shape, required } = SHAPES[type]!;
  return matches(data, shape, required) ? data as unknown as SandboxMessage : undefined;
}
