import assert from "node:assert/strict";
import { CallQueue } from "./call_queue.ts";

Deno.test("CallQueue hands slots to waiters in order of arrival, never more than its limit at once", async () => {
  const queue = new CallQueue(2);
  assert.equal(queue.tryAcquire(), true);
  assert.equal(queue.tryAcquire(), true);
  const order: number[] = [];
  const waits = [0, 1, 2, 3].map((i) =>
    queue.wait({ timeoutMs: 10_000 }).then((outcome) => {
      order.push(i);
      return outcome;
    })
  );
  assert.deepEqual([queue.inFlight, queue.waiting], [2, 4]);
  // A caller that arrives after the waiters does not jump the queue, even with a slot just freed.
  queue.release();
  assert.equal(queue.tryAcquire(), false);
  for (let i = 0; i < 3; i++) queue.release();
  assert.deepEqual(await Promise.all(waits), ["acquired", "acquired", "acquired", "acquired"]);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.deepEqual([queue.inFlight, queue.waiting], [2, 0]);
  queue.release();
  queue.release();
  assert.deepEqual([queue.inFlight, queue.waiting], [0, 0]);
});

Deno.test("CallQueue drops a waiter whose time runs out or whose signal aborts; the next one gets the slot", async () => {
  const queue = new CallQueue(1);
  queue.tryAcquire();
  const task = new AbortController();
  const aborted = queue.wait({ signal: task.signal, timeoutMs: 10_000 });
  const timedOut = queue.wait({ timeoutMs: 20 });
  const patient = queue.wait({ timeoutMs: 10_000 });
  task.abort();
  assert.equal(await aborted, "aborted");
  assert.equal(await timedOut, "timeout");
  assert.equal(queue.waiting, 1);
  queue.release();
  assert.equal(await patient, "acquired");
  assert.equal(await queue.wait({ signal: AbortSignal.abort(), timeoutMs: 1 }), "aborted");
  assert.deepEqual([queue.inFlight, queue.waiting], [1, 0]);
});

Deno.test("CallQueue refuses a limit that is not a positive integer, naming maxConcurrentCalls", () => {
  for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new CallQueue(limit),
      /Invalid maxConcurrentCalls .*: expected a positive integer/,
    );
  }
});
