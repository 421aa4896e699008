import assert from "node:assert/strict";
import { checkSandboxMessage } from "./protocol_check.ts";
import { sandboxMessageSchema } from "./protocol_schema.ts";
import { VALID_SANDBOX_MESSAGES } from "./_valid_messages.ts";

const VALID = VALID_SANDBOX_MESSAGES;

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
