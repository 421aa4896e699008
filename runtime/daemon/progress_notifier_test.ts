import assert from "node:assert/strict";
import { PROGRESS_INTERVAL_MS, ProgressNotifier } from "./progress_notifier.ts";

Deno.test("ProgressNotifier.close() drops a held report: nothing is sent after the response", async () => {
  const sent: number[] = [];
  const notifier = new ProgressNotifier((p) => void sent.push(p.progress));
  notifier.report({ kind: "agent", taskId: "t", progress: 1, total: 3 });
  // Held back by the rate limit: its timer would fire after the response without close().
  notifier.report({ kind: "agent", taskId: "t", progress: 2, total: 3 });
  notifier.close();
  notifier.report({ kind: "agent", taskId: "t", progress: 3, total: 3 });
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS * 3));
  assert.deepEqual(sent, [1]);
});

Deno.test("ProgressNotifier sends a held report when its interval has passed", async () => {
  const sent: number[] = [];
  const notifier = new ProgressNotifier((p) => void sent.push(p.progress));
  notifier.report({ kind: "agent", taskId: "t", progress: 1 });
  notifier.report({ kind: "agent", taskId: "t", progress: 2 });
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS * 3));
  assert.deepEqual(sent, [1, 2]);
  notifier.close();
});
