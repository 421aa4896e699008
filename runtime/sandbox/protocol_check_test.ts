import assert from "node:assert/strict";
import { checkSandboxMessage } from "./protocol_check.ts";
import { sandboxMessageSchema } from "./protocol_schema.ts";

const VALID: Record<string, unknown>[] = [
  { type: "ready" },
  { type: "ready", nonce: "0b9d" },
  { type: "call", taskId: "t1", callId: 0, server: "memory", tool: "read_graph", args: { a: [1] } },
  { type: "call", taskId: "t1", callId: 7, server: "m", tool: "t", args: null },
  { type: "catalog", taskId: "t1", callId: 1, op: "search", query: "q", server: "s", limit: 5 },
  { type: "catalog", taskId: "t1", callId: 2, op: "list" },
  { type: "log", taskId: "t1", level: "warn", text: "careful" },
  { type: "progress", taskId: "t1", progress: 3, total: 10, message: "rows" },
  { type: "done", taskId: "t1", ok: true, value: { n: 1 }, droppedLogBytes: 10 },
  { type: "done", taskId: "t1", ok: true },
  {
    type: "done",
    taskId: "t1",
    ok: false,
    error: {
      name: "ToolError",
      code: "tool_failed",
      message: "boom",
      stack: "s",
      server: "m",
      tool: "t",
    },
  },
];

const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  -1,
  0,
  1.5,
  51,
  2 ** 60,
  "",
  "x",
  "x".repeat(257),
  "x".repeat(1001),
  true,
  false,
  {},
  [],
  "log",
  "search",
  "done",
  { name: "E", code: "c", message: "m" },
  { name: "E", code: "c", message: "m", extra: 1 },
  { name: "E", code: "c" },
];

/** Every valid message with one key removed or replaced, or one key added. */
function mutations(): unknown[] {
  const out: unknown[] = [];
  for (const message of VALID) {
    for (const key of [...Object.keys(message), "extra", "__proto__", "constructor"]) {
      for (const value of REPLACEMENTS) {
        const copy: Record<string, unknown> = JSON.parse(JSON.stringify(message));
        if (value === undefined) delete copy[key];
        else {Object.defineProperty(copy, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });}
        out.push(copy);
      }
    }
  }
  return out;
}

Deno.test("checkSandboxMessage() gives the zod schema's verdict on every message and mutation", () => {
  let accepted = 0;
  let refused = 0;
  for (const message of [...VALID, ...mutations(), null, [], "x", 1]) {
    const zod = sandboxMessageSchema.safeParse(message).success;
    const hand = checkSandboxMessage(message) !== undefined;
    assert.equal(hand, zod, `verdicts differ on ${JSON.stringify(message)}`);
    if (hand) accepted++;
    else refused++;
  }
  assert.ok(accepted > VALID.length && refused > 100, `${accepted} accepted, ${refused} refused`);
});
