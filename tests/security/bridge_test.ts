/**
 * Escape suite, the tool bridge: hostile programs that forge bridge messages with `postMessage`, pollute the
 * prototypes and globals the bridge uses, replace the message channel, send malformed or oversized messages, or
 * call tools in a loop. The host validates every message and checks every call against the task's requiredTools,
 * so whatever the Worker sends, calls reach only the servers and tools the task listed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { assertCaught, assertFailedWith, isAlive, startFixture } from "./_fixture.ts";

import { BRIDGE, forgeCall, seed } from "./_bridge.ts";

Deno.test("escape suite: forged bridge messages reach only what requiredTools allows", async (t) => {
  await using f = await startFixture({ servers: ["memory", "filesystem"] });
  const secretPath = await seed(f);

  await t.step("calling the bridge directly with a server outside requiredTools", async () => {
    const result = await f.run(
      `return await ${BRIDGE}.callTool("filesystem", "read_text_file", { path: ${
        JSON.stringify(secretPath)
      } });`,
      { tools: ["memory"] },
    );
    assertFailedWith(result, {
      name: "ToolError",
      code: "not_allowed",
      message:
        /^Cannot call tool "read_text_file" on server "filesystem": task "sec-\d+" did not list "filesystem"/,
    });
    assert.deepEqual(result.stats.toolsCalled, []);
    await f.probe();
  });
  await t.step("a forged call message naming another server", async () => {
    const result = await f.run(
      forgeCall({
        type: "call",
        taskId: "forge-server",
        callId: 9999,
        server: "filesystem",
        tool: "read_text_file",
        args: { path: secretPath },
      }),
      { tools: ["memory"], id: "forge-server" },
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const answer = result.data as { ok: boolean; error: { code: string; message: string } };
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, "not_allowed");
    assert.deepEqual(result.stats.toolsCalled, []);
    await f.probe();
  });
  await t.step("a forged call message naming another tool of an allowed server", async () => {
    const result = await f.run(
      forgeCall({
        type: "call",
        taskId: "forge-tool",
        callId: 9999,
        server: "memory",
        tool: "delete_entities",
        args: { entityNames: ["Ada"] },
      }),
      { tools: ["memory.read_graph"], id: "forge-tool" },
    );
    const answer = result.data as { ok: boolean; error: { code: string; message: string } };
    assert.equal(answer.error.code, "not_allowed");
    assert.match(answer.error.message, /did not list "memory" or "memory\.delete_entities"/);
    const graph = await f.run(`return (await memory.readGraph()).entities.map((e) => e.name);`, {
      tools: ["memory"],
    });
    assert.deepEqual(graph.data, ["Ada"], "the entity was not deleted");
  });
  await t.step("a forged call message naming another task", async () => {
    const result = await f.run(
      forgeCall({
        type: "call",
        taskId: "someone-else",
        callId: 9999,
        server: "memory",
        tool: "read_graph",
        args: {},
      }),
      { tools: ["memory"], id: "forge-task" },
    );
    assertFailedWith(result, {
      name: "SandboxError",
      code: "invalid_message",
      message: /it names task "someone-else", not "forge-task"/,
    });
    assert.deepEqual(result.stats.toolsCalled, []);
    await f.probe();
  });
  await t.step(
    "a forged done with a forged result, then more tool calls and a busy loop",
    async () => {
      const result = await f.run(
        `postMessage(JSON.stringify({ type: "done", taskId: "forge-done", ok: true, value: "forged:" + Deno.pid }));
await memory.createEntities({ entities: [{ name: "AfterDone", entityType: "x", observations: [] }] });
while (true) {}`,
        { tools: ["memory"], id: "forge-done" },
      );
      // The forged done is the task's answer (agent code could have returned it anyway); nothing after it counts.
      assert.equal(result.status, "completed");
      assert.match(String(result.data), /^forged:\d+$/);
      assert.deepEqual(result.stats.toolsCalled, []);
      // The process that ran it (never reused: a message came after its done, and its Worker never ends).
      for (const pid of [Number(String(result.data).slice("forged:".length))]) {
        for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(!isAlive(pid), `sandbox process ${pid} was killed after its done`);
      }
      const graph = await f.run(`return (await memory.readGraph()).entities.map((e) => e.name);`, {
        tools: ["memory"],
      });
      assert.deepEqual(graph.data, ["Ada"], "the call after done never reached the server");
    },
  );
});

Deno.test("escape suite: malformed bridge messages stop the task before anything is acted on", async (t) => {
  await using f = await startFixture({ servers: ["memory"] });
  const cases: Array<[string, (id: string) => string, RegExp]> = [
    [
      "not JSON",
      () => `"not json at all"`,
      /Cannot accept sandbox message: not JSON: not json at all/,
    ],
    [
      "a call missing its fields",
      (id) => JSON.stringify({ type: "call", taskId: id }),
      /of type "call": invalid at "callId": Invalid input: expected number, received undefined/,
    ],
    [
      "a call id of the wrong type",
      (id) =>
        JSON.stringify({
          type: "call",
          taskId: id,
          callId: "1",
          server: "memory",
          tool: "read_graph",
          args: {},
        }),
      /invalid at "callId": Invalid input: expected number, received string/,
    ],
    [
      "a huge call id (1e300)",
      (id) =>
        `{"type":"call","taskId":${
          JSON.stringify(id)
        },"callId":1e300,"server":"memory","tool":"read_graph","args":{}}`,
      /invalid at "callId": Too big: expected int to be <=9007199254740991/,
    ],
    [
      "a negative call id",
      (id) =>
        JSON.stringify({
          type: "call",
          taskId: id,
          callId: -1,
          server: "memory",
          tool: "read_graph",
          args: {},
        }),
      /invalid at "callId": Too small/,
    ],
    [
      "a 300-character server name",
      (id) =>
        JSON.stringify({
          type: "call",
          taskId: id,
          callId: 5,
          server: "m".repeat(300),
          tool: "read_graph",
          args: {},
        }),
      /invalid at "server": Too big/,
    ],
    [
      "an unknown message type",
      (id) => JSON.stringify({ type: "exec", taskId: id, command: "/bin/sh" }),
      /Cannot accept sandbox message of type "exec": invalid/,
    ],
    [
      "an unknown key in an error",
      (id) =>
        JSON.stringify({
          type: "done",
          taskId: id,
          ok: false,
          error: { name: "X", code: "y", message: "z", extra: 1 },
        }),
      /invalid at "error": Unrecognized key: "extra"/,
    ],
    [
      "a second ready",
      () => JSON.stringify({ type: "ready" }),
      /"ready": the task is already running/,
    ],
    [
      "two messages smuggled in one string with a newline",
      (id) =>
        JSON.stringify(
          `{"type":"log","taskId":"${id}","level":"log","text":"x"}\n{"type":"call","taskId":"${id}","callId":7,"server":"memory","tool":"delete_entities","args":{}}`,
        ),
      /Cannot accept sandbox message: invalid: Invalid input: expected object, received string/,
    ],
  ];
  let n = 0;
  for (const [name, message, expected] of cases) {
    await t.step(name, async () => {
      const id = `malformed-${++n}`;
      const result = await f.run(
        `postMessage(${
          message(id)
        });\nawait new Promise((r) => setTimeout(r, 2000));\nreturn "survived";`,
        { tools: ["memory"], id },
      );
      assertFailedWith(result, {
        name: "SandboxError",
        code: "invalid_message",
        message: expected,
      });
      assert.deepEqual(result.stats.toolsCalled, []);
      await f.probe();
    });
  }
  await t.step(
    "forged log messages (20 of 1 MB) skip the Worker's cap: the host caps them again",
    async () => {
      const result = await f.run(
        `const text = Array.from({ length: 100_000 }, (_, i) => "w" + i).join(" ");
for (let i = 0; i < 20; i++) postMessage(JSON.stringify({ type: "log", taskId: "log-flood", level: "log", text }));
await new Promise((r) => setTimeout(r, 1000));
return "done";`,
        { id: "log-flood" },
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.ok(result.logs.slice(0, -1).join("").length <= 16 * 1024);
      assert.match(result.logs.at(-1)!, /bytes of log output cut: the limit is 16384 bytes/);
      await f.probe();
    },
  );
  await t.step("a forged call reusing the id of the bridge's next call", async () => {
    const result = await f.run(
      `postMessage({ type: "call", taskId: "dup", callId: 0, server: "memory", tool: "read_graph", args: {} });
return await memory.readGraph();`,
      { tools: ["memory"], id: "dup" },
    );
    assertFailedWith(result, {
      name: "SandboxError",
      code: "invalid_message",
      message: /Cannot accept tool call: call id 0 was used before/,
    });
    await f.probe();
  });
  await t.step("a 20 MB message (over the 16 MiB line limit)", async () => {
    const result = await f.run(
      `postMessage("x".repeat(20_000_000));\nawait new Promise((r) => setTimeout(r, 2000));`,
    );
    assertFailedWith(result, {
      name: "SandboxError",
      code: "invalid_message",
      message: /Cannot read message: it is longer than 16777216 bytes/,
    });
    await f.probe();
  });
  await t.step("a 20 MB return value: refused in the sandbox with a clear error", async () => {
    const result = await f.run(`return "y".repeat(20_000_000);`);
    assertFailedWith(result, {
      name: "RangeError",
      message:
        /^Cannot return the value: it is 20000\d{3} bytes as JSON, over the limit of 16777216 bytes/,
    });
    await f.probe();
  });
  await t.step("a 20 MB tool argument: refused in the sandbox with a clear error", async () => {
    const result = await f.run(
      `try {
  await memory.createEntities({ entities: [{ name: "big", entityType: "t", observations: ["x".repeat(20_000_000)] }] });
  return "sent";
} catch (e) { return [e.name, e.message]; }`,
      { tools: ["memory"] },
    );
    assertCaught(
      result,
      "TypeError",
      /^Cannot call tool "create_entities": invalid arguments: .* over the limit of 16777216 bytes/,
    );
    assert.deepEqual(result.stats.toolsCalled, []);
    await f.probe();
  });
  await t.step(
    "a 50 MB tool argument: the 64 MB heap gives out first, the host lives",
    async () => {
      const result = await f.run(
        `await memory.createEntities({ entities: [{ name: "big", entityType: "t", observations: ["x".repeat(50_000_000)] }] });`,
        { tools: ["memory"] },
      );
      assertFailedWith(result, {
        name: "MemoryLimitError",
        code: "memory_limit",
        message: /ran out of memory: the JavaScript heap is capped at 64 MB/,
      });
      await f.probe();
    },
  );
});
