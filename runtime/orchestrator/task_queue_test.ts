import assert from "node:assert/strict";
import { QueueFullError, TaskQueue } from "./task_queue.ts";

Deno.test("TaskQueue admits at most its limit and serves waiters in order", async () => {
  const queue = new TaskQueue(2);
  const order: number[] = [];
  let peak = 0;
  await Promise.all(Array.from({ length: 7 }, async (_, i) => {
    const release = await queue.acquire();
    peak = Math.max(peak, queue.running);
    order.push(i);
    await new Promise((r) => setTimeout(r, 5));
    release();
    release(); // A second release must not free a second place.
  }));
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(queue.running, 0);
});

Deno.test("TaskQueue.acquire() rejects when its signal aborts while waiting", async () => {
  const queue = new TaskQueue(1);
  const release = await queue.acquire();
  const controller = new AbortController();
  const waiting = queue.acquire(controller.signal);
  assert.equal(queue.waiting, 1);
  controller.abort(new Error("cancelled"));
  await assert.rejects(waiting, /cancelled/);
  assert.equal(queue.waiting, 0);
  release();
  assert.equal(queue.running, 0);
});

Deno.test("TaskQueue refuses a limit below 1", () => {
  assert.throws(() => new TaskQueue(0), RangeError);
});

Deno.test("TaskQueue lets keys take turns: many waiters of one key do not starve another", async () => {
  const queue = new TaskQueue(1);
  const release = await queue.acquire();
  const order: string[] = [];
  const waiters = [
    ...["a1", "a2", "a3", "a4"].map((name) => ({ name, key: "a" })),
    { name: "b1", key: "b" },
    { name: "c1", key: "c" },
    { name: "b2", key: "b" },
  ].map(({ name, key }) =>
    queue.acquire(undefined, key).then((done) => {
      order.push(name);
      done();
    })
  );
  assert.equal(queue.waiting, 7);
  release();
  await Promise.all(waiters);
  assert.deepEqual(order, ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
  assert.equal(queue.waiting, 0);
  assert.equal(queue.running, 0);
});

Deno.test("TaskQueue refuses a waiter past maxWaitingPerKey for that key only", async () => {
  const queue = new TaskQueue(1, { maxWaitingPerKey: 2 });
  const release = await queue.acquire(undefined, "a");
  const waiting = [queue.acquire(undefined, "a"), queue.acquire(undefined, "a")];
  await assert.rejects(queue.acquire(undefined, "a"), (error: unknown) => {
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.limit, 2);
    assert.match(error.message, /2 tasks are already waiting in session "a"/);
    return true;
  });
  // Another session still gets in line.
  const other = queue.acquire(undefined, "b");
  assert.equal(queue.waiting, 3);
  release();
  await Promise.all([...waiting, other].map(async (next) => (await next)()));
  assert.equal(queue.running, 0);
  assert.throws(() => new TaskQueue(1, { maxWaitingPerKey: 0 }), /maxWaitingPerKey/);
});
