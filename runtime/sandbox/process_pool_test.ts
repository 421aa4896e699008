import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolError } from "../sandbox_runtime/wire_error.ts";
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

Deno.test("SandboxPool.run() stops a busy loop at the deadline and its process is gone", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: "console.log(Deno.pid);\nwhile (true) {}",
    timeoutMs: 300,
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "timeout");
  assert.equal(result.error?.code, "timeout");
  assert.equal(result.error?.message, 'Task "t1" timed out after 300 ms (limit "timeoutMs")');
  const pid = Number(result.logs[0]);
  assert.ok(pid > 0);
  await assert.rejects(Deno.stat(`/proc/${pid}`), Deno.errors.NotFound);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() fails heap exhaustion with memory_limit and keeps serving", async () => {
  await using t = await createTestPool({ heapMb: 64, memoryLimitMb: 1024 });
  const result = await t.pool.run({
    taskId: "t1",
    code: "const keep = [];\nwhile (true) keep.push({ x: Math.random(), y: [1, 2, 3] });",
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "memory_limit");
  assert.match(result.error?.message ?? "", /JavaScript heap is capped at 64 MB/);
  const next = await t.pool.run({
    taskId: "t2",
    code: "return 'still serving';",
    onToolCall: echoHandler,
  });
  assert.equal(next.value, "still serving");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() kills an ArrayBuffer bomb at the resident-memory limit", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      "const keep = [];\nwhile (true) { const b = new Uint8Array(64 * 2 ** 20); b.fill(1); keep.push(b); }",
    memoryLimitMb: 200,
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "memory_limit");
  assert.match(result.error?.message ?? "", /over the limit of 200 MB/);
  assert.ok(result.peakRssBytes > 200 * 2 ** 20);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() cancels a task when its signal aborts", async () => {
  await using t = await createTestPool();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 100);
  const result = await t.pool.run({
    taskId: "t1",
    code: "await new Promise(() => {});",
    signal: controller.signal,
    onToolCall: echoHandler,
  });
  clearTimeout(timer);
  assert.equal(result.status, "cancelled");
  assert.equal(result.error?.code, "cancelled");
  const early = await t.pool.run({
    taskId: "t2",
    code: "return 1",
    signal: AbortSignal.abort(),
    onToolCall: echoHandler,
  });
  assert.equal(early.status, "cancelled");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() refuses file, network, environment and subprocess access", async (t) => {
  await using test = await createTestPool();
  const cases: Array<[string, RegExp]> = [
    [
      'return await Deno.readTextFile("/etc/passwd");',
      /^NotCapable: Requires read access to "\/etc\/passwd"/,
    ],
    [
      'await Deno.writeTextFile("/tmp/x", "x");',
      /^NotCapable: Requires write access to "\/tmp\/x"/,
    ],
    [
      'return await fetch("http://127.0.0.1:8081");',
      /^NotCapable: Requires net access to "127\.0\.0\.1:8081"/,
    ],
    // Port 9 is on the fetch spec's bad-port list: refused before the permission check.
    [
      'return await fetch("http://127.0.0.1:9");',
      /^TypeError: Fetch failed: Requests to port 9 are blocked/,
    ],
    [
      'return await Deno.connect({ hostname: "127.0.0.1", port: 9 });',
      /^NotCapable: Requires net access/,
    ],
    ['return Deno.env.get("HOME");', /^NotCapable: Requires env access to "HOME"/],
    [
      'return new Deno.Command("/bin/ls").outputSync();',
      /^NotCapable: Requires run access to "\/bin\/ls"/,
    ],
    // The environment is cleared: without PATH, "ls" is not even found.
    ['return new Deno.Command("ls").outputSync();', /^NotFound: Failed to spawn 'ls'/],
    ["return Deno.hostname();", /^NotCapable: Requires sys access/],
    ['return Deno.dlopen("/lib/libc.so.6", {});', /^NotCapable: Requires ffi access/],
  ];
  for (const [code, expected] of cases) {
    await t.step(code, async () => {
      const result = await test.pool.run({ taskId: "t1", code, onToolCall: echoHandler });
      assert.equal(result.status, "failed");
      assert.match(`${result.error?.name}: ${result.error?.message}`, expected);
      await test.pool.settled();
    });
  }
});

Deno.test("SandboxPool.run() refuses imports of files outside the task's permissions", async () => {
  await using t = await createTestPool();
  const runtime = new URL("../sandbox_runtime/bootstrap.ts", import.meta.url).href;
  const secret = join(t.root, "secret.ts");
  await Deno.writeTextFile(secret, "export const secret = 42;");
  for (const url of [runtime, `file://${secret}`]) {
    const result = await t.pool.run({
      taskId: "t1",
      code: `const url = ${JSON.stringify(url)};\nreturn await import(url);`,
      onToolCall: echoHandler,
    });
    assert.equal(result.status, "failed");
    assert.match(result.error?.message ?? "", /Requires read access/);
    await t.pool.settled();
  }
});

Deno.test("SandboxPool.run() grants a task's own permissions in a fresh process", async () => {
  await using t = await createTestPool();
  const data = join(t.root, "data");
  await Deno.mkdir(data);
  await Deno.writeTextFile(join(data, "in.txt"), "payload");
  const result = await t.pool.run({
    taskId: "t1",
    code: `const text = await Deno.readTextFile(${JSON.stringify(join(data, "in.txt"))});
await Deno.writeTextFile(${JSON.stringify(join(data, "out.txt"))}, text.toUpperCase());
const denied = await Deno.readTextFile(${
      JSON.stringify(join(t.root, "state", "x"))
    }).catch((e) => e.name);
return [text, denied];`,
    permissions: { read: [data], write: [data] },
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.value, ["payload", "NotCapable"]);
  assert.equal(await Deno.readTextFile(join(data, "out.txt")), "PAYLOAD");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() refuses a forged message naming another task", async () => {
  await using t = await createTestPool();
  const calls: unknown[] = [];
  const forged = JSON.stringify({
    type: "call",
    taskId: "other",
    callId: 99,
    server: "echo",
    tool: "echo",
    args: {},
  });
  const result = await t.pool.run({
    taskId: "t1",
    code: `self.postMessage(${
      JSON.stringify(forged)
    });\nawait new Promise((resolve) => setTimeout(resolve, 2000));\nreturn "not refused";`,
    onToolCall: (call) => {
      calls.push(call);
      return echoHandler(call);
    },
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "invalid_message");
  assert.match(result.error?.message ?? "", /it names task "other", not "t1"/);
  assert.deepEqual(calls, []);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() strips terminal control sequences from forged log and done messages", async () => {
  await using t = await createTestPool();
  const log = JSON.stringify({
    type: "log",
    taskId: "t1",
    level: "log",
    text: "\u001b]0;title\u0007 forged \u001b[2J",
  });
  const done = JSON.stringify({
    type: "done",
    taskId: "t1",
    ok: false,
    error: {
      name: "E\u001b[31m",
      code: "c",
      message: "boom\u009b2J",
      stack: "at \u001b]52;c;x\u0007here",
    },
  });
  const result = await t.pool.run({
    taskId: "t1",
    code: `self.postMessage(${JSON.stringify(log)});\nself.postMessage(${
      JSON.stringify(done)
    });\nawait new Promise(() => {});`,
    onToolCall: echoHandler,
  });
  assert.deepEqual(result.logs, [" forged "]);
  assert.deepEqual(
    [result.error?.name, result.error?.message, result.error?.stack],
    ["E", "boom", "at here"],
  );
  await t.pool.settled();
});

Deno.test("SandboxPool.run() refuses a forged message of the wrong shape", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      'self.postMessage({ type: "call", taskId: "t1", callId: "x" });\nawait new Promise(() => {});',
    onToolCall: echoHandler,
  });
  assert.equal(result.error?.code, "invalid_message");
  assert.match(result.error?.message ?? "", /at "callId"/);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() kills the process after a forged done even if the code spins on", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      'console.log(Deno.pid);\nself.postMessage(JSON.stringify({ type: "done", taskId: "t1", ok: true, value: "forged" }));\n' +
      "while (true) {}",
    onToolCall: echoHandler,
  });
  assert.equal(result.value, "forged");
  await t.pool.settled();
  await assert.rejects(Deno.stat(`/proc/${Number(result.logs[0])}`), Deno.errors.NotFound);
});

Deno.test("SandboxPool.run() ends the task when agent code exits its Worker", async () => {
  await using t = await createTestPool();
  const exit = await t.pool.run({
    taskId: "t1",
    code: "Deno.exit(3);",
    timeoutMs: 5000,
    onToolCall: echoHandler,
  });
  assert.equal(exit.status, "failed");
  assert.equal(exit.error?.message, "Agent code exited with code 3");
  const close = await t.pool.run({
    taskId: "t2",
    code: "self.close();",
    timeoutMs: 5000,
    onToolCall: echoHandler,
  });
  assert.equal(close.status, "completed");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() fails a task on an unhandled rejection", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code:
      'Promise.reject(new Error("late"));\nawait new Promise((resolve) => setTimeout(resolve, 100));\nreturn 1;',
    onToolCall: echoHandler,
  });
  assert.equal(result.status, "failed");
  assert.equal(result.error?.message, "late");
  await t.pool.settled();
});

Deno.test("SandboxPool.run() runs TypeScript that cannot be erased as a module", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: "enum Color { Red = 1, Green }\nif (Color.Green === 2) throw new Error('line two');",
    onToolCall: echoHandler,
  });
  assert.equal(result.error?.message, "line two");
  assert.match(result.error?.stack ?? "", /agent\.ts:2:/);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() never lets agent output reach the host's stdout", async () => {
  const probe = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const util = new URL("./_test_util.ts", import.meta.url).href;
    await Deno.writeTextFile(
      probe,
      `import { createTestPool, echoHandler } from ${JSON.stringify(util)};
await using t = await createTestPool();
const result = await t.pool.run({
  taskId: "t1",
  code: 'await Deno.stdout.write(new TextEncoder().encode("SANDBOX_STDOUT_MARKER\\\\n"));\\n' +
    'await Deno.stderr.write(new TextEncoder().encode("SANDBOX_STDERR_MARKER\\\\n"));\\nconsole.log("logged");\\nreturn 1;',
  onToolCall: echoHandler,
});
console.log("RESULT " + JSON.stringify(result));`,
    );
    const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${config}`, probe],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const line = stdout.split("\n").find((text) => text.startsWith("RESULT "));
    assert.ok(line !== undefined, stdout);
    const result = JSON.parse(line.slice(7));
    assert.equal(result.value, 1);
    assert.deepEqual(result.logs, ["logged"]);
    assert.ok(!stdout.includes("SANDBOX_STDOUT_MARKER"), stdout);
    assert.ok(!stderr.includes("SANDBOX_STDERR_MARKER"), stderr);
  } finally {
    await Deno.remove(probe);
  }
});

Deno.test("SandboxPool with maxTasksPerProcess 1 runs each task in its own pre-started process", async () => {
  await using t = await createTestPool({ poolSize: 2, maxTasksPerProcess: 1 });
  assert.deepEqual(t.pool.size, { idle: 2, alive: 2 });
  const pids = new Set<number>();
  for (let index = 0; index < 3; index++) {
    const result = await t.pool.run({
      taskId: `t${index}`,
      code: "return Deno.pid;",
      onToolCall: echoHandler,
    });
    pids.add(result.value as number);
  }
  assert.equal(pids.size, 3);
  await t.pool.settled();
  assert.deepEqual(t.pool.size, { idle: 2, alive: 2 });
  for (const pid of pids) await assert.rejects(Deno.stat(`/proc/${pid}`), Deno.errors.NotFound);
});

Deno.test("SandboxPool.close() ends running tasks as cancelled and kills every process", async () => {
  const t = await createTestPool();
  const running = t.pool.run({ taskId: "t1", code: "while (true) {}", onToolCall: echoHandler });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await t[Symbol.asyncDispose]();
  const result = await running;
  assert.equal(result.status, "cancelled");
  assert.match(result.error?.message ?? "", /the sandbox was closed/);
  assert.deepEqual(t.pool.size, { idle: 0, alive: 0 });
  await assert.rejects(
    t.pool.run({ taskId: "t2", code: "return 1", onToolCall: echoHandler }),
    /the sandbox pool is closed/,
  );
});

Deno.test("SandboxPool.run() names no host folder in the errors agent code sees", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: 'const errors = [];\nfor (const path of ["notes.txt", "/etc/shadow"]) {\n' +
      "  await Deno.readTextFile(path).catch((e) => errors.push(e.message));\n}\n" +
      'await import("servers/missing/index.ts").catch((e) => errors.push(e.message));\nreturn errors;',
    onToolCall: echoHandler,
  });
  const messages = result.value as string[];
  assert.equal(messages.length, 3);
  for (const message of messages) assert.ok(!message.includes(t.root), message);
  assert.match(messages[0]!, /notes\.txt/);
  assert.match(messages[2]!, /servers\/missing\/index\.ts/);
  await t.pool.settled();
});

Deno.test("SandboxPool.run() runs a task with its own working folder", async () => {
  await using t = await createTestPool();
  const workspace = join(t.root, "workspace");
  await Deno.mkdir(workspace);
  await Deno.writeTextFile(join(workspace, "input.txt"), "relative");
  const result = await t.pool.run({
    taskId: "t1",
    code: 'return await Deno.readTextFile("input.txt");',
    cwd: workspace,
    permissions: { read: [workspace] },
    onToolCall: echoHandler,
  });
  assert.equal(result.value, "relative");
  await t.pool.settled();
});

Deno.test("SandboxPool.recycle() replaces idle processes so they preload new server modules", async () => {
  await using t = await createTestPool({ poolSize: 1 });
  await Deno.mkdir(join(t.serversDir, "late"));
  await Deno.writeTextFile(
    join(t.serversDir, "late", "index.ts"),
    'import { callTool } from "../_client.ts";\nexport function ping(): Promise<unknown> {\n  return callTool("late", "ping", {});\n}\n',
  );
  const before =
    (await t.pool.run({ taskId: "t0", code: "return Deno.pid;", onToolCall: echoHandler })).value;
  await t.pool.settled();
  await t.pool.recycle();
  await t.pool.settled();
  assert.deepEqual(t.pool.size, { idle: 1, alive: 1 });
  const result = await t.pool.run({
    taskId: "t1",
    code: 'import { ping } from "servers/late/index.ts";\nreturn [await ping(), Deno.pid];',
    onToolCall: (call) => Promise.resolve(`${call.server}.${call.tool}`),
  });
  assert.equal((result.value as unknown[])[0], "late.ping");
  assert.notEqual((result.value as unknown[])[1], before);
  await t.pool.settled();
});
