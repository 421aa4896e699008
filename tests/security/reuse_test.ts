/**
 * The escape suite for process reuse: a sandbox process that finished a task cleanly runs the next task with the
 * default permissions in a fresh Worker. Each test runs a task that leaves something behind and a second task that
 * looks for it, and asserts both that the second task ran in the same process (so the test says something about
 * reuse) and that it found nothing. Under heavy load the idle check may refuse a process now and then, so a pair is
 * tried a few times until one lands in the same process.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { TaskResult } from "../../runtime/mod.ts";
import { isAlive, SCREEN_OFF, type SecurityFixture, startFixture } from "./_fixture.ts";

/** Runs `leave` then `look` until `look` runs in `leave`'s process; returns `look`'s result. */
async function sameProcessPair(
  f: SecurityFixture,
  leave: string,
  look: string,
): Promise<TaskResult> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const first = await f.run(leave);
    assert.equal(first.status, "completed", JSON.stringify(first.error));
    const [pid] = first.data as [number];
    const second = await f.run(look);
    assert.equal(second.status, "completed", JSON.stringify(second.error));
    const [secondPid] = second.data as [number];
    if (secondPid === pid) return second;
  }
  throw new assert.AssertionError({
    message: "no pair of tasks ran in the same process: reuse never happened",
  });
}

Deno.test("escape suite: a reused process carries no globals or prototypes into the next task", async () => {
  await using f = await startFixture();
  const second = await sameProcessPair(
    f,
    `globalThis.leftBehind = "from task A";
Object.prototype.polluted = "from task A";
Array.prototype.push = () => 0;
JSON.stringify = () => "forged";
return [Deno.pid];`,
    `return [Deno.pid, typeof globalThis.leftBehind, typeof ({}).polluted, [1].push(2), JSON.stringify({ a: 1 })];`,
  );
  assert.deepEqual(second.data?.constructor, Array);
  const [, left, polluted, pushed, json] = second.data as [number, string, string, number, string];
  assert.deepEqual([left, polluted, pushed, json], ["undefined", "undefined", 2, '{"a":1}']);
});

Deno.test("escape suite: a reused process runs none of the last task's timers", async () => {
  await using f = await startFixture();
  const second = await sameProcessPair(
    f,
    `setInterval(() => { globalThis.fromTimer = "A"; console.log("TIMER_FROM_TASK_A"); }, 5);
setTimeout(() => { Object.prototype.late = "A"; }, 40);
return [Deno.pid];`,
    `await new Promise((resolve) => setTimeout(resolve, 150));
return [Deno.pid, typeof globalThis.fromTimer, typeof ({}).late];`,
  );
  const [, fromTimer, late] = second.data as [number, string, string];
  assert.deepEqual([fromTimer, late], ["undefined", "undefined"]);
  assert.ok(
    !second.logs.some((line) => line.includes("TIMER_FROM_TASK_A")),
    second.logs.join("\n"),
  );
});

Deno.test("escape suite: a reused process passes no BroadcastChannel message between tasks", async () => {
  await using f = await startFixture();
  const second = await sameProcessPair(
    f,
    `const channel = new BroadcastChannel("mcpx-leak");
globalThis.keep = channel;
setInterval(() => channel.postMessage("from task A"), 5);
channel.onmessage = (event) => console.log("A heard", event.data);
return [Deno.pid];`,
    `const heard: unknown[] = [];
const channel = new BroadcastChannel("mcpx-leak");
channel.onmessage = (event) => heard.push(event.data);
channel.postMessage("from task B");
await new Promise((resolve) => setTimeout(resolve, 150));
channel.close();
return [Deno.pid, heard];`,
  );
  assert.deepEqual((second.data as [number, unknown[]])[1], []);
});

Deno.test("escape suite: a reused process keeps no cache storage, and no files: tasks cannot write any", async () => {
  await using f = await startFixture();
  const second = await sameProcessPair(
    f,
    `let cache = "none";
try {
  const c = await caches.open("mcpx");
  await c.put("https://a.example/", new Response("from task A"));
  cache = "stored";
} catch (error) {
  cache = (error as Error).name;
}
const writes: string[] = [];
for (const attempt of [() => Deno.makeTempDir(), () => Deno.writeTextFile("/tmp/mcpx-reuse-leak", "A"), () => Deno.writeTextFile("left.txt", "A")]) {
  try {
    await attempt();
    writes.push("written");
  } catch (error) {
    writes.push((error as Error).name);
  }
}
console.log(cache, writes.join());
return [Deno.pid, cache, writes];`,
    `let found = "none";
try {
  const hit = await (await caches.open("mcpx")).match("https://a.example/");
  found = hit === undefined ? "miss" : await hit.text();
} catch (error) {
  found = (error as Error).name;
}
let file = "none";
try {
  file = await Deno.readTextFile("/tmp/mcpx-reuse-leak");
} catch (error) {
  file = (error as Error).name;
}
return [Deno.pid, found, file];`,
  );
  const [, found, file] = second.data as [number, string, string];
  assert.notEqual(found, "from task A");
  assert.notEqual(file, "A");
  await assert.rejects(Deno.stat("/tmp/mcpx-reuse-leak"), Deno.errors.NotFound);
});

Deno.test("escape suite: a reused process does not let the last task's unhandled rejections fail the next one", async () => {
  await using f = await startFixture();
  const second = await sameProcessPair(
    f,
    `setTimeout(() => Promise.reject(new Error("LATE_REJECTION_FROM_A")), 30);
new Promise((_, reject) => setTimeout(() => reject(new Error("LATE_REJECTION_FROM_A")), 60));
return [Deno.pid];`,
    `await new Promise((resolve) => setTimeout(resolve, 150));
return [Deno.pid, "B finished"];`,
  );
  assert.equal((second.data as [number, string])[1], "B finished");
  assert.ok(!JSON.stringify(second).includes("LATE_REJECTION_FROM_A"));
});

Deno.test("escape suite: a reused process has a fresh module cache for agent code", async () => {
  // The screen refuses data: imports; the sandbox must hold even when it is off.
  await using f = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  const url = "data:text/javascript,export const box = { n: 0 };";
  const second = await sameProcessPair(
    f,
    `const m = await import(${JSON.stringify(url)});
m.box.n = 41;
return [Deno.pid];`,
    `const m = await import(${JSON.stringify(url)});
m.box.n++;
return [Deno.pid, m.box.n];`,
  );
  assert.equal((second.data as [number, number])[1], 1);
});

Deno.test("escape suite: a process whose Worker does not end (spinning after a forged done) is never reused", async (t) => {
  // The screen would refuse the loop and the wait before they ran: turn it off to test the sandbox itself.
  await using f = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  for (
    const [name, tail] of [
      ["spinning", "while (true) {}"],
      ["blocked in Atomics.wait", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);"],
    ] as const
  ) {
    await t.step(name, async () => {
      const id = `zombie-${name.length}`;
      const forged = await f.run(
        `postMessage(JSON.stringify({ type: "done", taskId: ${
          JSON.stringify(id)
        }, ok: true, value: [Deno.pid] }));
${tail}`,
        { id },
      );
      assert.equal(forged.status, "completed", "the forged done is accepted as the task's result");
      const [pid] = forged.data as [number];
      const next = await f.run("return [Deno.pid];");
      assert.notEqual((next.data as [number])[0], pid, "the next task runs in another process");
      for (let wait = 0; wait < 50 && isAlive(pid); wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(!isAlive(pid), `the process ${pid} with the stuck Worker was killed`);
      await f.probe();
    });
  }
});

Deno.test("escape suite: a task that changes the working folder never leaves it to the next task", async () => {
  await using f = await startFixture();
  for (let attempt = 0; attempt < 3; attempt++) {
    // The working folder belongs to the process, not the Worker; pooled tasks may read the servers folder.
    const first = await f.run(`Deno.chdir(${JSON.stringify(f.serversDir)});
return [Deno.pid, Deno.cwd()];`);
    assert.equal(first.status, "completed", JSON.stringify(first.error));
    const [pid, moved] = first.data as [number, string];
    assert.equal(moved, await Deno.realPath(f.serversDir), "the first task did change the folder");
    const second = await f.run("return [Deno.pid, Deno.cwd()];");
    assert.equal(second.status, "completed", JSON.stringify(second.error));
    const [secondPid, cwd] = second.data as [number, string];
    assert.equal(cwd, "/");
    assert.notEqual(secondPid, pid, "the process whose folder was changed is not reused");
  }
});
