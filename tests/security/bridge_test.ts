/**
 * Escape suite, the tool bridge: hostile programs that forge bridge messages with `postMessage`, pollute the
 * prototypes and globals the bridge uses, replace the message channel, send malformed or oversized messages, or
 * call tools in a loop. The host validates every message and checks every call against the task's requiredTools,
 * so whatever the Worker sends, calls reach only the servers and tools the task listed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertBlocked,
  assertCaught,
  assertFailedWith,
  isAlive,
  SCREEN_OFF,
  type SecurityFixture,
  startFixture,
} from "./_fixture.ts";

const BRIDGE = `globalThis[Symbol.for("mcp-executor.bridge")]`;

/** Seeds server-memory with one entity, and puts the secret in a file server-filesystem serves. */
async function seed(f: SecurityFixture): Promise<string> {
  const result = await f.run(
    `await memory.createEntities({ entities: [{ name: "Ada", entityType: "person", observations: ["keep me"] }] });
return (await memory.readGraph()).entities.map((e) => e.name);`,
    { tools: ["memory"] },
  );
  assert.deepEqual(result.data, ["Ada"], JSON.stringify(result));
  const path = join(f.dataDir, "data-secret.txt");
  await Deno.writeTextFile(path, f.secret);
  return path;
}

/** Agent code that posts a raw message and returns the host's answer to `callId`, as its own listener sees it. */
function forgeCall(message: Record<string, unknown>): string {
  return `const answer = new Promise((resolve) => self.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.callId === ${message.callId}) resolve(m);
}));
postMessage(JSON.stringify(${JSON.stringify(message)}));
return await answer;`;
}

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

Deno.test("escape suite: prototype pollution and replaced globals do not redirect the bridge", async (t) => {
  await using f = await startFixture({ servers: ["memory", "filesystem"] });
  await using open = await startFixture({
    servers: ["memory"],
    orchestrator: { blockerPolicy: SCREEN_OFF },
  });
  await seed(f);
  await seed(open);
  const readNames = `return (await memory.readGraph()).entities.map((e) => e.name);`;

  // prototype-pollution is a "warn" rule: these run by default, with warnings.
  const completes: Array<[string, string]> = [
    [
      "Object.prototype.server / tool / taskId / callId",
      `Object.prototype.server = "filesystem"; Object.prototype.tool = "read_text_file";
Object.prototype.taskId = "other"; Object.prototype.callId = 0;`,
    ],
    [
      "JSON.stringify and JSON.parse replaced with forgers",
      `JSON.stringify = () => '{"type":"call","taskId":"x","callId":1,"server":"filesystem","tool":"read_text_file","args":{}}';
JSON.parse = () => ({ type: "call_result", callId: 0, ok: true, value: { entities: [{ name: "forged" }] } });`,
    ],
    [
      "Function.prototype.call / apply / bind replaced",
      `Function.prototype.call = function () { return "hijacked"; };
Function.prototype.apply = function () { return "hijacked"; };
Function.prototype.bind = function () { return () => "hijacked"; };`,
    ],
    [
      "Symbol.for replaced",
      `Symbol.for = () => Symbol("fake");`,
    ],
  ];
  for (const [name, pollute] of completes) {
    await t.step(
      `${name}: the call still goes to memory.read_graph with the right answer`,
      async () => {
        const result = await f.run(`${pollute}\n${readNames}`, { tools: ["memory"] });
        assert.equal(result.status, "completed", JSON.stringify(result.error));
        assert.deepEqual(result.data, ["Ada"]);
        assert.deepEqual(result.stats.toolsCalled, ["memory.read_graph"]);
        await f.probe();
      },
    );
  }
  const breaks: Array<[string, string, string[]]> = [
    [
      "Object.prototype.then (every object thenable: Deno's own message loop stalls)",
      `Object.prototype.then = function (resolve) { resolve("hijacked"); };`,
      ["memory.read_graph"],
    ],
    [
      "Map.prototype.get and Array.prototype.push replaced (the bridge loses its pending calls)",
      `Map.prototype.get = () => undefined; Array.prototype.push = () => { throw new Error("no"); };`,
      ["memory.read_graph"],
    ],
    [
      "Object.prototype.toJSON forging every outgoing message into a filesystem call",
      `Object.prototype.toJSON = function () {
  return { type: "call", taskId: "pollute-json", callId: 77, server: "filesystem", tool: "read_text_file", args: 1 };
};`,
      [],
    ],
  ];
  for (const [name, pollute, called] of breaks) {
    await t.step(`${name}: only its own task breaks, the deadline ends it`, async () => {
      const result = await f.run(`${pollute}\n${readNames}`, {
        tools: ["memory"],
        timeoutMs: 500,
        id: name.startsWith("Object.prototype.toJSON") ? "pollute-json" : undefined,
      });
      assert.notEqual(result.status, "completed", JSON.stringify(result));
      assert.ok(
        ["timeout", "invalid_message"].includes(result.error?.code ?? ""),
        JSON.stringify(result.error),
      );
      assert.deepEqual(result.stats.toolsCalled, called, "filesystem was never called");
      assert.ok(
        result.warnings?.some((w) => w.startsWith("prototype-pollution")),
        "the screen warned",
      );
      await f.probe();
    });
  }

  const overrides: Array<[string, string]> = [
    [
      "postMessage replaced by a forger, self.onmessage replaced",
      `const real = postMessage;
globalThis.postMessage = () => real(JSON.stringify({ type: "call", taskId: "x", callId: 5, server: "filesystem", tool: "read_text_file", args: {} }));
self.onmessage = () => {};`,
    ],
    [
      "addEventListener replaced (a listener that swallows answers)",
      `self.addEventListener("message", (e) => e.stopImmediatePropagation());
globalThis.addEventListener = () => {};`,
    ],
  ];
  for (const [name, override] of overrides) {
    await t.step(`${name}: the blocker refuses it (rule "global-override")`, async () => {
      assertBlocked(
        await f.run(`${override}\n${readNames}`, { tools: ["memory"] }),
        "global-override",
      );
      await f.probe();
    });
    await t.step(
      `${name}: with the screen off, calls still reach memory with the right answer`,
      async () => {
        const result = await open.run(`${override}\n${readNames}`, { tools: ["memory"] });
        assert.equal(result.status, "completed", JSON.stringify(result.error));
        assert.deepEqual(result.data, ["Ada"]);
        assert.deepEqual(result.stats.toolsCalled, ["memory.read_graph"]);
        await open.probe();
      },
    );
  }
  const redefine = `Object.defineProperty(globalThis, Symbol.for("mcp-executor.bridge"), {
  value: { callTool: () => Promise.resolve("fake") },
});
${readNames}`;
  await t.step(
    'redefining the bridge global: the blocker refuses it (rule "global-override")',
    async () => {
      assertBlocked(await f.run(redefine, { tools: ["memory"] }), "global-override");
      await f.probe();
    },
  );
  await t.step(
    "redefining the bridge global: with the screen off, it is not configurable",
    async () => {
      assertFailedWith(await open.run(redefine, { tools: ["memory"] }), {
        name: "TypeError",
        message: /^Cannot redefine property: Symbol\(mcp-executor\.bridge\)/,
      });
      await open.probe();
    },
  );
});

Deno.test("escape suite: a tool-call loop stops at maxToolCalls", async (t) => {
  await using f = await startFixture({ servers: ["memory"], orchestrator: { maxToolCalls: 25 } });
  await t.step("a loop until the first refusal", async () => {
    const result = await f.run(
      `let n = 0;
while (true) {
  try { await memory.readGraph(); n++; } catch (e) { return [n, e.name, e.code, e.message]; }
}`,
      { tools: ["memory"] },
    );
    const [n, name, code, message] = result.data as [number, string, string, string];
    assert.equal(n, 25);
    assert.equal(name, "ToolError");
    assert.equal(code, "limit_exceeded");
    assert.match(message, /reached its limit of 25 tool calls \(limit "maxToolCalls"\)/);
    await f.probe();
  });
  await t.step(
    "a loop that ignores the refusals: only 25 calls ever reach the server",
    async () => {
      const result = await f.run(
        `let refused = 0;
for (let i = 0; i < 2000; i++) {
  try { await memory.readGraph(); } catch (e) { if (e.code === "limit_exceeded") refused++; }
}
return refused;`,
        { tools: ["memory"] },
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.equal(result.data, 1975);
      assert.equal(result.stats.toolsCalled.length, 25);
      await f.probe();
    },
  );
});

Deno.test("escape suite: __proto__ keys in results and tool arguments do not pollute the host", async () => {
  await using f = await startFixture({
    servers: ["memory"],
    orchestrator: { maxResultBytes: 4096 },
  });
  const result = await f.run(
    `await memory.createEntities({ entities: [JSON.parse('{"__proto__": {"pollutedByArgs": "yes"}, "name": "P", "entityType": "t", "observations": []}')] });
const small = JSON.parse('{"__proto__": {"pollutedByResult": "yes"}, "ok": 1}');
// Varied padding: a long run of one character is slow to count tokens for (see resources_test.ts).
const pad = Array.from({ length: 1500 }, (_, i) => "w" + i).join(" ");
const big = JSON.parse('{"__proto__": {"pollutedByCut": "yes"}, "pad": "' + pad + '"}');
return [small, big];`,
    { tools: ["memory"] },
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal(result.dataTruncated, true, "the value was cut on the host");
  const [small] = result.data as Record<string, unknown>[];
  assert.equal(Object.getPrototypeOf(small), Object.prototype, "a __proto__ key stays a key");
  const probe = {} as Record<string, unknown>;
  for (const key of ["pollutedByArgs", "pollutedByResult", "pollutedByCut"]) {
    assert.equal(probe[key], undefined, `the host's Object.prototype got "${key}"`);
  }
  await f.probe();
});

Deno.test({
  name: "escape suite: logs and errors reach the host without terminal control sequences",
  async fn() {
    await using f = await startFixture();
    const viaConsole = await f.run(`console.log("\\u001b]0;pwned\\u0007 hi");\nreturn 1;`);
    const forged = await f.run(
      `postMessage(JSON.stringify({ type: "log", taskId: "ansi", level: "log", text: "\\u001b[2J forged" }));
postMessage(JSON.stringify({ type: "done", taskId: "ansi", ok: false, error: { name: "E", code: "c", message: "\\u001b[2J" } }));
await new Promise(() => {});`,
      { id: "ansi" },
    );
    for (const result of [viaConsole, forged]) {
      const text = JSON.stringify([result.logs, result.error]);
      assert.ok(!text.includes("\\u001b"), `control sequences reached the host: ${text}`);
    }
  },
});
