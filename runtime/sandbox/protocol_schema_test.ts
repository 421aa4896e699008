import assert from "node:assert/strict";
import { parseSandboxMessage } from "./protocol_schema.ts";
import { VALID_SANDBOX_MESSAGES } from "./_valid_messages.ts";

Deno.test("parseSandboxMessage() accepts every message shape the sandbox sends", () => {
  for (const message of VALID_SANDBOX_MESSAGES) {
    assert.deepEqual(parseSandboxMessage(JSON.stringify(message)), message);
  }
});

Deno.test("parseSandboxMessage() refuses anything else with a message naming the problem", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["not json", /not JSON/],
    ["[1]", /expected object/],
    ['"a string"', /expected object/],
    ['{"type":"run","taskId":"t1"}', /of type "run": invalid at "type"/],
    ['{"type":"call","taskId":"t1","callId":-1,"server":"s","tool":"t","args":{}}', /at "callId"/],
    ['{"type":"call","taskId":"t1","callId":1.5,"server":"s","tool":"t","args":{}}', /at "callId"/],
    ['{"type":"call","taskId":"t1","callId":1,"server":"","tool":"t","args":{}}', /at "server"/],
    ['{"type":"call","taskId":"","callId":1,"server":"s","tool":"t","args":{}}', /at "taskId"/],
    ['{"type":"log","taskId":"t1","level":"fatal","text":"x"}', /at "level"/],
    [
      '{"type":"log","taskId":"t1","level":"log","text":"x","extra":1}',
      /Unrecognized key: "extra"/,
    ],
    ['{"type":"done","taskId":"t1","ok":false,"error":{"name":"E"}}', /at "error.code"/],
    ['{"type":"done","taskId":"t1","ok":"yes"}', /at "ok"/],
    ['{"type":"done","taskId":"t1","ok":true,"droppedLogBytes":-5}', /at "droppedLogBytes"/],
  ];
  for (const [line, message] of cases) {
    await t.step(line, () => {
      assert.throws(() => parseSandboxMessage(line), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^Cannot accept sandbox message/);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("parseSandboxMessage() refuses malformed progress reports", async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ type: "progress", taskId: "t1" }, /"progress"/],
    [{ type: "progress", taskId: "t1", progress: "1" }, /"progress"/],
    [{ type: "progress", taskId: "t1", progress: 1, total: "2" }, /"total"/],
    [{ type: "progress", taskId: "t1", progress: 1, message: "x".repeat(1001) }, /"message"/],
    [{ type: "progress", taskId: "t1", progress: 1, extra: true }, /extra|Unrecognized/],
  ];
  for (const [message, pattern] of cases) {
    await t.step(JSON.stringify(message).slice(0, 60), () => {
      assert.throws(() => parseSandboxMessage(JSON.stringify(message)), pattern);
    });
  }
});
