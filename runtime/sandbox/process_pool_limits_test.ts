import assert from "node:assert/strict";
import { join } from "node:path";
import { createTestPool, echoHandler } from "./_test_util.ts";

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
