import assert from "node:assert/strict";
import { ToolError } from "../wire/mod.ts";
import { createTestPool, echoHandler } from "./_test_util.ts";

Deno.test("SandboxPool.run() returns the code's return value as JSON data", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      "const n: number = 41;\nreturn { n: n + 1, m: new Map([['a', 1]]), s: new Set([1]), when: new Date(0), big: 2n };",
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.value, {
    n: 42,
    m: { a: 1 },
    s: [1],
    when: "1970-01-01T00:00:00.000Z",
    big: "2",
  });
  assert.ok(result.durationMs > 0);
  assert.ok(result.peakRssBytes > 10 * 2 ** 20, `peak RSS ${result.peakRssBytes}`);
  const nothing = await t.pool.run({ taskId: "t2", code: "const a = 1;", onToolCall: echoHandler });
  assert.equal(nothing.status, "completed");
  assert.ok(!("value" in nothing));
  await t.pool.settled();
});

Deno.test("SandboxPool.run() supports top-level await", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      "await new Promise((resolve) => setTimeout(resolve, 20));\nconst x = await Promise.resolve(5);\nreturn x;",
    onToolCall: echoHandler,
  });
  assert.equal(result.value, 5);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() captures console output as log lines", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      'console.log("hello", { a: 1 });\nconsole.error("bad %s", "thing");\nconsole.info([1, 2]);\nreturn 1;',
    onToolCall: echoHandler,
  });
  assert.deepEqual(result.logs, ["hello { a: 1 }", "bad thing", "[ 1, 2 ]"]);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() caps console output and notes how much was cut", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: 'for (let i = 0; i < 1000; i++) console.log("0123456789");\nreturn "done";',
    maxLogBytes: 105,
    onToolCall: echoHandler,
  });
  assert.equal(result.value, "done");
  assert.equal(result.logs.length, 12);
  assert.deepEqual(result.logs.slice(0, 10), Array(10).fill("0123456789"));
  assert.equal(result.logs[10], "01234");
  assert.equal(
    result.logs[11],
    `[9895 bytes of log output cut: the limit is 105 bytes (limit "maxLogBytes")]`,
  );
  await t.pool.settled();
});

Deno.test("SandboxPool.run() round-trips a tool call through onToolCall", async () => {
  await using t = await createTestPool();
  const calls: unknown[] = [];
  const result = await t.pool.run({
    taskId: "t1",
    code: "const answer = await echo.echo({ text: 'hi', n: [1, 2] });\nreturn answer;",
    servers: [t.echo],
    onToolCall: (call) => {
      calls.push({ server: call.server, tool: call.tool, args: call.args });
      return echoHandler(call);
    },
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.value, { text: "hi", n: [1, 2] });
  assert.deepEqual(calls, [{ server: "echo", tool: "echo", args: { text: "hi", n: [1, 2] } }]);
  assert.equal(result.toolCalls, 1);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() gives agent code a ToolError when onToolCall throws", async () => {
  await using t = await createTestPool();
  const code = `const seen = [];
for (const tool of ["fail", "denied"]) {
  try {
    await echo[tool === "fail" ? "fail" : "slow"]({});
  } catch (err) {
    seen.push({ name: err.name, code: err.code, server: err.server, tool: err.tool, message: err.message,
      line: /agent\\.ts:(\\d+)/.exec(err.stack)?.[1] });
  }
}
return seen;`;
  const result = await t.pool.run({
    taskId: "t1",
    code,
    servers: [t.echo],
    onToolCall: (call) => {
      if (call.tool === "slow") {
        throw new ToolError('Cannot call tool "slow": not allowed', {
          code: "not_allowed",
          server: "echo",
          tool: "slow",
        });
      }
      return echoHandler(call);
    },
  });
  assert.deepEqual(result.value, [
    {
      name: "ToolError",
      code: "tool_failed",
      server: "echo",
      tool: "fail",
      message: 'Tool "fail" failed: it always fails',
      line: "4",
    },
    {
      name: "ToolError",
      code: "not_allowed",
      server: "echo",
      tool: "slow",
      message: 'Cannot call tool "slow": not allowed',
      line: "4",
    },
  ]);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() runs parallel tool calls concurrently", async () => {
  await using t = await createTestPool();
  const code = `const start = performance.now();
const results = await Promise.all([1, 2, 3, 4, 5].map(() => echo.slow({ ms: 100 })));
return { elapsed: performance.now() - start, results };`;
  const result = await t.pool.run({
    taskId: "t1",
    code,
    servers: [t.echo],
    onToolCall: echoHandler,
  });
  const value = result.value as { elapsed: number; results: unknown[] };
  assert.equal(value.results.length, 5);
  // Sequential calls would take 500 ms; concurrent ones about 100 ms.
  assert.ok(value.elapsed < 200, `5 calls of 100 ms took ${value.elapsed} ms`);
  assert.equal(result.toolCalls, 5);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() lets agent code import from servers/", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      'import { echo } from "servers/echo/index.ts";\nimport * as all from "./servers/echo/index.ts";\n' +
      "return [await echo({ a: 1 }), typeof all.slow];",
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.value, [{ a: 1 }, "function"]);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() reports a thrown error with its message and agent.ts line", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: "const a: number = 1;\n\nif (a === 1) throw new RangeError('too big: ' + a);",
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.name, "RangeError");
  assert.equal(result.error?.message, "too big: 1");
  assert.match(result.error?.stack ?? "", /at __agent__ \(agent\.ts:3:20\)/);
  assert.ok(!(result.error?.stack ?? "").includes(t.root), "no host path in the stack");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() reports a syntax error naming its line", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: "const a = 1;\nconst b = ;",
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "syntax_error");
  assert.equal(result.error?.name, "SyntaxError");
  assert.match(result.error?.message ?? "", /line 2, column 11/);
  await t.pool.settled();
});
