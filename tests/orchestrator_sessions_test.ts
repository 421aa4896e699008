/**
 * Sessions in the library: `AgentTask.session` scopes workspaces to a session's folder, with a quota; sessions
 * take turns in the queue; `endSession` cancels a session's tasks and removes its folder; `onTaskProgress` reports
 * the agent's `progress()` calls. Real sandbox processes, no MCP server needed.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type TaskProgressEvent, type TaskResult } from "../runtime/mod.ts";

async function withOrchestrator(
  options: {
    sessionQuotaMb?: number;
    maxConcurrentTasks?: number;
    maxQueuedTasksPerSession?: number;
  },
  fn: (orch: MCPOrchestrator, dir: string, events: TaskProgressEvent[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const events: TaskProgressEvent[] = [];
  const orch = new MCPOrchestrator({
    config: { servers: {} },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    sessionsDir: join(dir, "sessions"),
    poolSize: 1,
    onTaskProgress: (event) => events.push(event),
    ...options,
  });
  try {
    await orch.initialize();
    await fn(orch, dir, events);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
}

let next = 0;
function run(
  orch: MCPOrchestrator,
  code: string,
  extra: { session?: string; workspace?: string; signal?: AbortSignal } = {},
): Promise<TaskResult> {
  return orch.executeTask({
    id: `t${++next}`,
    description: "test",
    code,
    requiredTools: [],
    status: "pending",
    ...extra,
  });
}

Deno.test("MCPOrchestrator sessions: workspaces inside the session's folder, apart from other sessions", async () => {
  await withOrchestrator({}, async (orch, dir) => {
    const write = await run(
      orch,
      'await Deno.writeTextFile("note.txt", "s1 was here");\nreturn Deno.cwd();',
      {
        session: "s1",
        workspace: "w",
      },
    );
    assert.equal(write.status, "completed");
    assert.equal(write.data, join(dir, "sessions", "s1", "w"));
    const same = await run(orch, 'return await Deno.readTextFile("note.txt");', {
      session: "s1",
      workspace: "w",
    });
    assert.equal(same.data, "s1 was here");
    const other = await run(orch, 'return await Deno.readTextFile("note.txt");', {
      session: "s2",
      workspace: "w",
    });
    assert.equal(other.status, "failed");
    assert.match(other.error!.message, /No such file/);
    const escape = await run(
      orch,
      `return await Deno.readTextFile(${JSON.stringify(join(dir, "sessions/s1/w/note.txt"))});`,
      { session: "s2", workspace: "w" },
    );
    assert.equal(escape.status, "failed");
    assert.match(escape.error!.message, /Requires read access/);
    // The same workspace name without a session is another folder.
    const plain = await run(orch, 'return await Deno.readTextFile("note.txt");', {
      workspace: "w",
    });
    assert.equal(plain.status, "failed");
    await assert.rejects(run(orch, "return 1;", { session: "../s1" }), /Invalid session id/);
  });
});

Deno.test("MCPOrchestrator sessions: a task that leaves the folder over its quota fails, naming the limit, until files are deleted", async () => {
  await withOrchestrator({ sessionQuotaMb: 0.001 }, async (orch) => {
    const big = await run(
      orch,
      'await Deno.writeTextFile("big.txt", "x".repeat(2000));\nreturn "written";',
      {
        session: "s1",
        workspace: "w",
      },
    );
    assert.equal(big.status, "failed");
    assert.equal(big.error!.code, "quota_exceeded");
    assert.equal(big.data, undefined);
    assert.match(
      big.error!.message,
      /hold 0\.002 MB, over its quota of 0\.001 MB \(limit "sessionQuotaMb"\)/,
    );
    const stillOver = await run(orch, "return 1;", { session: "s1", workspace: "w" });
    assert.equal(stillOver.error?.code, "quota_exceeded");
    const cleaned = await run(orch, 'await Deno.remove("big.txt");\nreturn "clean";', {
      session: "s1",
      workspace: "w",
    });
    assert.equal(cleaned.status, "completed");
    assert.equal(cleaned.data, "clean");
  });
});

Deno.test("MCPOrchestrator.endSession() cancels the session's tasks and removes its folder", async () => {
  await withOrchestrator({}, async (orch, dir) => {
    await run(orch, 'await Deno.writeTextFile("a.txt", "a");', { session: "s1", workspace: "w" });
    const running = run(orch, "while (true) {}", { session: "s1", workspace: "w" });
    await new Promise((r) => setTimeout(r, 300));
    await orch.endSession("s1");
    assert.equal((await running).status, "cancelled");
    await assert.rejects(Deno.stat(join(dir, "sessions", "s1")), Deno.errors.NotFound);
    const fresh = await run(orch, 'return [...Deno.readDirSync(".")].length;', {
      session: "s1",
      workspace: "w",
    });
    assert.equal(fresh.data, 0);
  });
});

Deno.test("MCPOrchestrator queue: sessions take turns, so one session's many tasks do not starve another", async () => {
  await withOrchestrator({ maxConcurrentTasks: 1 }, async (orch) => {
    const finished: string[] = [];
    const task = (name: string, session: string) =>
      run(orch, `await new Promise((r) => setTimeout(r, 50));\nreturn "${name}";`, { session })
        .then((r) => finished.push(String(r.data)));
    const all = [task("a1", "a"), task("a2", "a"), task("a3", "a")];
    await new Promise((r) => setTimeout(r, 10));
    all.push(task("b1", "b"));
    await Promise.all(all);
    // First in, first out would give a1, a2, a3, b1.
    assert.deepEqual(finished, ["a1", "a2", "b1", "a3"]);
  });
});

Deno.test("MCPOrchestrator onTaskProgress reports the agent's progress() calls", async () => {
  await withOrchestrator({}, async (orch, _dir, events) => {
    const result = await run(orch, 'progress(1, 4, "one");\nprogress(4, 4);\nreturn "ok";');
    assert.equal(result.status, "completed");
    assert.deepEqual(events.map(({ taskId: _, ...rest }) => rest), [
      { kind: "agent", progress: 1, total: 4, message: "one" },
      { kind: "agent", progress: 4, total: 4 },
    ]);
    const bad = await run(orch, 'progress("half");');
    assert.equal(bad.status, "failed");
    assert.match(bad.error!.message, /Cannot report progress: done must be a finite number/);
  });
});

Deno.test("a session past maxQueuedTasksPerSession gets queue_full at once; other sessions still queue", async () => {
  await withOrchestrator({ maxConcurrentTasks: 1, maxQueuedTasksPerSession: 2 }, async (orch) => {
    const slow = "await new Promise((r) => setTimeout(r, 300)); return 1;";
    const running = run(orch, slow, { session: "busy" });
    await new Promise((r) => setTimeout(r, 50));
    const queued = [run(orch, slow, { session: "busy" }), run(orch, slow, { session: "busy" })];
    const refused = await run(orch, "return 2;", { session: "busy" });
    assert.equal(refused.status, "failed");
    assert.equal(refused.error?.code, "queue_full");
    assert.match(refused.error?.message ?? "", /maxQueuedTasksPerSession/);
    const other = await run(orch, "return 3;", { session: "quiet" });
    assert.equal(other.data, 3);
    for (const result of await Promise.all([running, ...queued])) assert.equal(result.data, 1);
  });
});
