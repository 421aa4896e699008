import assert from "node:assert/strict";
import { withCallSignal } from "./call_signal.ts";

Deno.test("withCallSignal() gives each call its own signal that follows the task's while the call runs", async () => {
  const task = new AbortController();
  const seen: AbortSignal[] = [];
  for (let i = 0; i < 3; i++) {
    await withCallSignal(task.signal, (signal) => {
      seen.push(signal!);
      return Promise.resolve();
    });
  }
  assert.equal(new Set(seen).size, 3, "a new signal per call");
  assert.ok(!seen.includes(task.signal));
  const running = withCallSignal(
    task.signal,
    (signal) =>
      new Promise<unknown>((resolve) =>
        signal!.addEventListener("abort", () => resolve(signal!.reason))
      ),
  );
  task.abort(new Error("task cancelled"));
  assert.equal(((await running) as Error).message, "task cancelled");
  assert.ok(
    seen.every((signal) => !signal.aborted),
    "finished calls are no longer tied to the task",
  );
});

Deno.test("withCallSignal() passes an aborted or absent signal as it is", async () => {
  const aborted = AbortSignal.abort(new Error("gone"));
  assert.equal(await withCallSignal(aborted, (signal) => Promise.resolve(signal)), aborted);
  assert.equal(await withCallSignal(undefined, (signal) => Promise.resolve(signal)), undefined);
  await assert.rejects(withCallSignal(undefined, () => Promise.reject(new Error("boom"))), /boom/);
});
