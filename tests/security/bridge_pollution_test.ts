/**
 * Escape suite, the tool bridge (continued): prototype pollution and replaced globals, tool-call loops, and
 * `__proto__` keys in results and arguments.
 *
 * @module
 */

import assert from "node:assert/strict";
import { assertBlocked, assertFailedWith, SCREEN_OFF, startFixture } from "./_fixture.ts";

import { seed } from "./_bridge.ts";

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
