/**
 * Escape suite, resources: output floods, memory bombs (heap and ArrayBuffer), busy loops, Atomics.wait, endless
 * microtask chains, a fork bomb of Workers (there is no Worker constructor), a tool that answers too slowly, and cancellation. Each is contained by a
 * limit that ends the task's process, and the orchestrator keeps serving.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ToolProgressEvent } from "../../runtime/mod.ts";
import type { TaskResult } from "../../runtime/mod.ts";
import {
  assertBlocked,
  assertFailedWith,
  isAlive,
  SCREEN_OFF,
  SECRET_ENV,
  startFixture,
} from "./_fixture.ts";

/** The sandbox pid a program logged on its first line (`console.log(Deno.pid)`). */
function loggedPid(result: TaskResult): number {
  const pid = Number(result.logs[0]);
  assert.ok(Number.isInteger(pid) && pid > 0, `no pid in the logs: ${JSON.stringify(result.logs)}`);
  return pid;
}

/** Asserts that the sandbox process that ran the task is gone by the time the result arrives. */
function assertKilled(result: TaskResult): void {
  const pid = loggedPid(result);
  assert.ok(!isAlive(pid), `sandbox process ${pid} is still alive`);
}

Deno.test("escape suite: runaway programs are ended by their limits and the host keeps serving", async (t) => {
  const progress: Array<ToolProgressEvent & { at: number }> = [];
  await using f = await startFixture({
    servers: ["everything"],
    orchestrator: {
      callTimeoutMs: 1_000,
      onProgress: (event) => progress.push({ ...event, at: performance.now() }),
    },
  });

  await t.step(
    "console.log in a tight loop: kept to maxLogBytes (16 KiB), the rest counted",
    async () => {
      const result = await f.run(
        `for (let i = 0; i < 200_000; i++) console.log("flood line " + i);\nreturn "done";`,
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      const kept = result.logs.slice(0, -1).join("").length;
      assert.ok(kept <= 16 * 1024, `kept ${kept} bytes of logs`);
      assert.match(result.logs.at(-1)!, /^\[\d+ bytes of log output cut: the limit is 16384 bytes/);
      await f.probe();
    },
  );
  await t.step("console.log forever: ends at its deadline with the logs capped", async () => {
    const result = await f.run(`while (true) console.log("flood forever");`, { timeoutMs: 500 });
    assertFailedWith(result, {
      status: "timeout",
      name: "TimeoutError",
      code: "timeout",
      message: /timed out after 500 ms/,
    });
    assert.ok(result.logs.join("").length <= 16 * 1024 + 100);
    await f.probe();
  });
  await t.step("a heap bomb: the V8 heap cap (64 MB) kills the process", async () => {
    const result = await f.run(
      `const hog = [];\nwhile (true) hog.push(new Array(100_000).fill(Math.random()));`,
    );
    assertFailedWith(result, {
      name: "MemoryLimitError",
      code: "memory_limit",
      message: /ran out of memory: the JavaScript heap is capped at 64 MB/,
    });
    await f.probe();
  });
  await t.step(
    "an ArrayBuffer bomb (outside the heap): the resident-memory watchdog kills it",
    async () => {
      const result = await f.run(`console.log(Deno.pid);
const buffers = [];
while (true) { const b = new ArrayBuffer(32 * 1024 * 1024); new Uint8Array(b).fill(1); buffers.push(b); }`);
      assertFailedWith(result, {
        name: "MemoryLimitError",
        code: "memory_limit",
        message:
          /exceeded its memory limit: the sandbox used \d+ MB of resident memory, over the limit of 200 MB/,
      });
      // ArrayBuffers live outside the V8 heap: the process grew far past the 64 MB heap cap without hitting it.
      const usedMb = Number(/used (\d+) MB/.exec(result.error!.message)![1]);
      assert.ok(usedMb > 2 * 64, `used ${usedMb} MB`);
      assertKilled(result);
      await f.probe();
    },
  );
  await t.step(
    "a busy loop with timeoutMs 300: status timeout within deadline + 1000 ms, process gone",
    async () => {
      const started = performance.now();
      const result = await f.run(`console.log(Deno.pid);\nwhile (true) {}`, { timeoutMs: 300 });
      const elapsed = performance.now() - started;
      assertFailedWith(result, {
        status: "timeout",
        name: "TimeoutError",
        code: "timeout",
        message: /timed out after 300 ms/,
      });
      assert.ok(elapsed < 300 + 1_000, `took ${Math.round(elapsed)} ms`);
      assertKilled(result);
      await f.probe();
    },
  );
  await t.step("an endless promise chain (microtasks never yield): timeout", async () => {
    const result = await f.run(
      `console.log(Deno.pid);\nconst f = () => Promise.resolve().then(f);\nf();\nawait new Promise(() => {});`,
      { timeoutMs: 300 },
    );
    assertFailedWith(result, {
      status: "timeout",
      code: "timeout",
      message: /timed out after 300 ms/,
    });
    assertKilled(result);
    await f.probe();
  });
  await t.step("queueMicrotask recursion: timeout", async () => {
    const result = await f.run(
      `console.log(Deno.pid);\nconst g = () => queueMicrotask(g);\ng();\nawait new Promise(() => {});`,
      { timeoutMs: 300 },
    );
    assertFailedWith(result, {
      status: "timeout",
      code: "timeout",
      message: /timed out after 300 ms/,
    });
    assertKilled(result);
    await f.probe();
  });
  await t.step(
    'Atomics.wait on a SharedArrayBuffer: the blocker refuses it (rule "atomics-wait")',
    async () => {
      assertBlocked(
        await f.run(`Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`),
        "atomics-wait",
      );
      await f.probe();
    },
  );
  await t.step("cancelTask() on a busy loop: cancelled, process gone", async () => {
    const running = f.run(`console.log(Deno.pid);\nwhile (true) {}`, { id: "spin-to-cancel" });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.orch.cancelTask("spin-to-cancel"), true);
    const result = await running;
    assertFailedWith(result, { status: "cancelled", code: "cancelled", message: /was cancelled/ });
    assertKilled(result);
    await f.probe();
  });
  await t.step(
    "documented, not protected: a tool reveals what its server sees (everything.getEnv)",
    async () => {
      // A task allowed to call a server can do whatever that server's tools do. server-everything's get-env returns
      // the server's own environment: the SDK's default set and the TLS/proxy pass-through variables, never the
      // host's other variables (the fixture's secret is one of them: f.run checks it never appears).
      const result = await f.run(`return Object.keys(await everything.getEnv()).sort();`, {
        tools: ["everything"],
      });
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      const names = result.data as string[];
      assert.ok(names.includes("PATH") && names.includes("HOME"), names.join());
      assert.ok(!names.includes(SECRET_ENV));
      await f.probe();
    },
  );
  await t.step(
    "a tool that answers slower than the task's deadline: timeout, and the call is dropped",
    async () => {
      const result = await f.run(
        `return await everything.triggerLongRunningOperation({ duration: 5, steps: 25 });`,
        { tools: ["everything"], timeoutMs: 600, id: "slow-tool" },
      );
      assertFailedWith(result, {
        status: "timeout",
        code: "timeout",
        message: /timed out after 600 ms/,
      });
      const seen = progress.filter((p) => p.taskId === "slow-tool").length;
      assert.ok(seen >= 1, "the call was running (it reported progress)");
      // The operation reports progress every 200 ms; after the deadline the host no longer forwards any.
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(
        progress.filter((p) => p.taskId === "slow-tool").length,
        seen,
        "no progress after the task ended",
      );
      await f.probe();
    },
  );
  await t.step(
    "a tool call slower than callTimeoutMs (1000 ms): a ToolError the code can catch",
    async () => {
      const result = await f.run(
        `try { await everything.triggerLongRunningOperation({ duration: 3, steps: 1 }); return "finished"; }
catch (e) { return [e.name, e.code, e.message]; }`,
        { tools: ["everything"] },
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      const [name, code, message] = result.data as string[];
      assert.equal(name, "ToolError");
      assert.equal(code, "call_timeout");
      assert.match(
        message!,
        /^Cannot call tool "trigger-long-running-operation" on server "everything": no answer within 1000 ms/,
      );
      await f.probe();
    },
  );
});

Deno.test({
  name: "escape suite: the error a failed task reports is bounded like its return value",
  async fn() {
    await using f = await startFixture({ orchestrator: { maxResultBytes: 4096 } });
    const result = await f.run(
      `throw new Error(Array.from({ length: 300_000 }, (_, i) => "w" + i).join(" "));`,
    );
    assert.equal(result.status, "failed");
    assert.ok(
      (result.error?.message.length ?? 0) <= 4096,
      `message: ${result.error?.message.length} chars`,
    );
    assert.ok(
      (result.error?.stack?.length ?? 0) <= 4096,
      `stack: ${result.error?.stack?.length} chars`,
    );
  },
});

Deno.test("escape suite: with the screen off, blocking waits and Worker bombs are still contained", async (t) => {
  await using open = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  await t.step(
    "Atomics.wait forever: the deadline kills it (worker.terminate could not)",
    async () => {
      const started = performance.now();
      const result = await open.run(
        `console.log(Deno.pid);\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
        { timeoutMs: 300 },
      );
      assertFailedWith(result, {
        status: "timeout",
        code: "timeout",
        message: /timed out after 300 ms/,
      });
      assert.ok(performance.now() - started < 300 + 1_000);
      assertKilled(result);
      await open.probe();
    },
  );
  await t.step("a fork bomb of 300 Workers: agent code has no Worker to start", async () => {
    const result = await open.run(
      `const workers = [];
for (let i = 0; i < 300; i++) {
  workers.push(new Worker("data:text/javascript,await new Promise(() => {})", { type: "module" }));
}
await new Promise(() => {});`,
      { timeoutMs: 5_000 },
    );
    assertFailedWith(result, {
      name: "ReferenceError",
      code: "agent_error",
      message: /^Worker is not defined$/,
    });
    await open.probe();
  });
});

Deno.test("escape suite: stdout and stderr floods never reach the host's own stdout or stderr", async () => {
  const marker = `FLOOD${crypto.randomUUID().slice(0, 8)}`;
  const script = fileURLToPath(new URL("./_flood_host.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, marker],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.ok(!stdout.includes(marker), "the flood reached the host's stdout");
  assert.ok(!stderr.includes(marker), "the flood reached the host's stderr");
  const summary = JSON.parse(stdout.trim());
  assert.deepEqual(summary, {
    stdout: { status: "completed", data: "done", logs: 0 },
    stderr: { status: "completed", data: "done", logs: 0 },
    nodeFd: { status: "completed", data: "done", logs: 0 },
    forever: { status: "timeout", logs: 0, error: "timeout" },
  } as unknown);
});

Deno.test({
  name: "escape suite: a return value that is slow to count tokens for does not stall the host",
  async fn() {
    await using f = await startFixture();
    const started = performance.now();
    const [slow, spin] = await Promise.all([
      f.run(`return "x".repeat(6000);`),
      f.run(`while (true) {}`, { timeoutMs: 300 }).then((r) => ({ r, at: performance.now() })),
    ]);
    assert.equal(slow.status, "completed");
    assert.equal(spin.r.status, "timeout");
    assert.ok(
      spin.at - started < 1_300,
      `a 300 ms deadline fired after ${Math.round(spin.at - started)} ms`,
    );
  },
});
