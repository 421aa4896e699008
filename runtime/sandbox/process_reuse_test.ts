import assert from "node:assert/strict";
import { createTestPool, echoHandler } from "./_test_util.ts";

Deno.test("SandboxPool reuses a process after a clean finish, a fresh Worker each task, up to maxTasksPerProcess", async () => {
  await using t = await createTestPool({ poolSize: 1, maxTasksPerProcess: 3 });
  const seen: Array<[number, string]> = [];
  for (let index = 0; index < 4; index++) {
    await t.pool.settled();
    const result = await t.pool.run({
      taskId: `t${index}`,
      code:
        "const before = typeof globalThis.mark;\nglobalThis.mark = 1;\nreturn [Deno.pid, before];",
      onToolCall: echoHandler,
    });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    seen.push(result.value as [number, string]);
  }
  const pids = seen.map(([pid]) => pid);
  assert.equal(pids[1], pids[0], "the second task reuses the first task's process");
  assert.equal(pids[2], pids[0], "and so does the third");
  assert.notEqual(pids[3], pids[0], "the fourth gets a new process: three tasks is the limit");
  assert.deepEqual(seen.map(([, before]) => before), [
    "undefined",
    "undefined",
    "undefined",
    "undefined",
  ]);
  await t.pool.settled();
  await assert.rejects(Deno.stat(`/proc/${pids[0]}`), Deno.errors.NotFound);
});

Deno.test("SandboxPool never reuses a process after a timeout, a failed task's kill, or a Worker that does not end", async (t) => {
  await using pool = await createTestPool({ poolSize: 1 });
  const cases: Array<[string, string, number?]> = [
    ["a timeout", "while (true) {}", 300],
    [
      "a forged message",
      'postMessage(\'{"type":"log","taskId":"other","level":"log","text":"x"}\');\nawait new Promise((r) => setTimeout(r, 50));\nreturn Deno.pid;',
    ],
    [
      "a forged done, then spinning",
      "postMessage(JSON.stringify({ type: 'done', taskId: TASK_ID, ok: true, value: Deno.pid }));\nwhile (true) {}",
    ],
    [
      "a Worker blocked in Atomics.wait",
      "postMessage(JSON.stringify({ type: 'done', taskId: TASK_ID, ok: true, value: Deno.pid }));\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
    ],
  ];
  for (const [name, code, timeoutMs] of cases) {
    await t.step(name, async () => {
      await pool.pool.settled();
      const before = await pool.pool.run({
        taskId: "probe",
        code: "return Deno.pid;",
        onToolCall: echoHandler,
      });
      await pool.pool.settled();
      const taskId = `case-${name.length}`;
      const result = await pool.pool.run({
        taskId,
        code: code.replaceAll("TASK_ID", JSON.stringify(taskId)),
        servers: [pool.echo],
        onToolCall: echoHandler,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      await pool.pool.settled();
      const after = await pool.pool.run({
        taskId: "probe2",
        code: "return Deno.pid;",
        onToolCall: echoHandler,
      });
      const used = typeof result.value === "number" ? result.value : before.value;
      assert.equal(
        used,
        before.value,
        `the case ran in the probed process (${JSON.stringify(result.error)})`,
      );
      assert.notEqual(after.value, used, "the process was not reused");
      await pool.pool.settled();
      await assert.rejects(Deno.stat(`/proc/${used}`), Deno.errors.NotFound);
    });
  }
});

Deno.test("SandboxPool does not reuse a process whose memory grew past maxReuseRssGrowthMb", async () => {
  await using t = await createTestPool({ poolSize: 1, maxReuseRssGrowthMb: 1 });
  await t.pool.settled();
  const grown = await t.pool.run({
    taskId: "grow",
    // Encoding a 20 MB argument (refused in the sandbox: over 16 MiB) leaves the process's memory grown.
    code:
      "try {\n  await echo.echo({ big: 'x'.repeat(20_000_000) });\n} catch {\n  // Refused.\n}\nreturn Deno.pid;",
    servers: [t.echo],
    onToolCall: echoHandler,
  });
  assert.equal(grown.status, "completed", JSON.stringify(grown.error));
  await t.pool.settled();
  const next = await t.pool.run({
    taskId: "next",
    code: "return Deno.pid;",
    onToolCall: echoHandler,
  });
  assert.notEqual(next.value, grown.value);
  await t.pool.settled();
  await assert.rejects(Deno.stat(`/proc/${grown.value}`), Deno.errors.NotFound);
});
