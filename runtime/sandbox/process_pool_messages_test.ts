import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestPool, echoHandler } from "./_test_util.ts";

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
