/**
 * zod schemas for every message a sandbox process sends the host. Nothing the sandbox sends is trusted: a line that
 * is not JSON, or does not match these shapes exactly (unknown keys included), fails the task and is never acted on.
 *
 * @module
 */

import { z } from "zod";
import type { SandboxMessage } from "../wire/mod.ts";
import { checkSandboxMessage } from "./protocol_check.ts";
import type { WireError } from "../wire/mod.ts";

const MAX_NAME_LENGTH = 256;
/** The longest query `tools.search` takes. */
const MAX_QUERY_LENGTH = 1_000;
/** The most hits `tools.search` returns. */
const MAX_CATALOG_LIMIT = 50;

/** A {@linkcode WireError} as it arrives from the sandbox. */
export const wireErrorSchema: z.ZodType<WireError> = z.strictObject({
  name: z.string().max(MAX_NAME_LENGTH),
  code: z.string().max(MAX_NAME_LENGTH),
  message: z.string(),
  stack: z.string().optional(),
  server: z.string().max(MAX_NAME_LENGTH).optional(),
  tool: z.string().max(MAX_NAME_LENGTH).optional(),
});

const taskId = z.string().min(1).max(MAX_NAME_LENGTH);
/** The longest progress message the host accepts, in characters. */
export const MAX_PROGRESS_MESSAGE_LENGTH = 1000;
const droppedLogBytes = z.number().int().nonnegative().optional();

/** Every message a sandbox process may send. */
export const sandboxMessageSchema: z.ZodType<SandboxMessage> = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ready"), nonce: z.string().max(MAX_NAME_LENGTH).optional() }),
  z.strictObject({
    type: z.literal("call"),
    taskId,
    callId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    server: z.string().min(1).max(MAX_NAME_LENGTH),
    tool: z.string().min(1).max(MAX_NAME_LENGTH),
    args: z.unknown(),
  }),
  z.strictObject({
    type: z.literal("catalog"),
    taskId,
    callId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    op: z.enum(["search", "list"]),
    query: z.string().max(MAX_QUERY_LENGTH).optional(),
    server: z.string().min(1).max(MAX_NAME_LENGTH).optional(),
    limit: z.number().int().min(1).max(MAX_CATALOG_LIMIT).optional(),
  }),
  z.strictObject({
    type: z.literal("log"),
    taskId,
    level: z.enum(["log", "info", "warn", "error", "debug"]),
    text: z.string(),
  }),
  z.strictObject({
    type: z.literal("progress"),
    taskId,
    progress: z.number().finite(),
    total: z.number().finite().optional(),
    message: z.string().max(MAX_PROGRESS_MESSAGE_LENGTH).optional(),
  }),
  z.discriminatedUnion("ok", [
    z.strictObject({
      type: z.literal("done"),
      taskId,
      ok: z.literal(true),
      value: z.unknown().optional(),
      droppedLogBytes,
    }),
    z.strictObject({
      type: z.literal("done"),
      taskId,
      ok: z.literal(false),
      error: wireErrorSchema,
      droppedLogBytes,
    }),
  ]),
]);

/**
 * Parses and validates one line from a sandbox process.
 *
 * @param line One line of the control channel, without its newline.
 * @returns The message, exactly as the schema allows it.
 * @throws {TypeError} When the line is not JSON or not a valid message; the message says which field is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSandboxMessage } from "./protocol_schema.ts";
 * assert.equal(parseSandboxMessage('{"type":"ready"}').type, "ready");
 * let refused = false;
 * try {
 *   parseSandboxMessage('{"type":"call","taskId":"t1"}');
 * } catch {
 *   refused = true;
 * }
 * assert.ok(refused);
 * ```
 */
export function parseSandboxMessage(line: string): SandboxMessage {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new TypeError(`Cannot accept sandbox message: not JSON: ${preview(line)}`);
  }
  // The hand-written check is as strict and several times faster; zod words the error of a message that fails.
  const checked = checkSandboxMessage(data);
  if (checked !== undefined) return checked;
  const result = sandboxMessageSchema.safeParse(data);
  // Both must accept: were they ever to disagree, the message is refused.
  const issue = result.success ? undefined : result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0
    ? ""
    : ` at "${issue.path.join(".")}"`;
  const type = typeof data === "object" && data !== null && "type" in data
    ? ` of type ${preview(JSON.stringify((data as { type: unknown }).type) ?? "")}`
    : "";
  throw new TypeError(
    `Cannot accept sandbox message${type}: invalid${where}: ${issue?.message ?? "unknown shape"}`,
  );
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
