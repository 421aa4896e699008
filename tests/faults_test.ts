// Faults with real processes: MCP servers that die, hang, write garbage, fail to start or answer late, and sandbox
// processes that are killed or close their socket. Each fault fails only what it touches, with a clear error, and
// the host serves the next call or task.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import type { MCPOrchestrator, OrchestratorOptions, TaskResult } from "../runtime/mod.ts";
import { prepareCode } from "../runtime/sandbox/mod.ts";
import { SandboxProcess } from "../runtime/sandbox/mod.ts";
import { ToolError } from "../runtime/wire/mod.ts";
import { faultyServer } from "./helpers/servers.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { pidsRunning } from "./helpers/processes.ts";

async function toolError(promise: Promise<unknown>, code: string): Promise<ToolError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ToolError, `expected a ToolError, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

/** A state file for the faulty server: what it reads at start. */
async function stateFile(dir: string, state: string): Promise<string> {
  const path = join(dir, "state.txt");
  await Deno.writeTextFile(path, state);
  return path;
}

Deno.test(
  "faults: a server killed with SIGKILL mid-call fails that call only, and is started again",
  noUnhandledRejections(async () => {
    await using servers = new ConnectionManager({
      servers: { faulty: faultyServer(), other: faultyServer() },
    });
    await servers.connectAll();
    const pid = servers.get("faulty")!.pid!;
    const doomed = servers.callTool("faulty", "work", { mode: "slow", ms: 10_000 });
    const unaffected = servers.callTool("other", "work", { mode: "slow", ms: 600 });
    await new Promise((r) => setTimeout(r, 200));
    Deno.kill(pid, "SIGKILL");
    const error = await toolError(doomed, "server_unavailable");
    assert.match(
      error.message,
      /^Cannot call tool "work" on server "faulty": server "faulty" closed the connection during the call/,
    );
    assert.match(String(await unaffected), /^ok \d+$/);
    const again = await servers.callTool("faulty", "work", { mode: "ok" });
    assert.match(String(again), /^ok \d+$/);
    assert.notEqual(servers.get("faulty")!.pid, pid, "a new server process");
  }),
);

Deno.test(
  "faults: a server that stops answering one call fails it at callTimeoutMs; its other calls go on",
  noUnhandledRejections(async () => {
    await using servers = new ConnectionManager({ servers: { faulty: faultyServer() } }, {
      callTimeoutMs: 400,
    });
    await servers.connectAll();
    const hung = servers.callTool("faulty", "work", { mode: "hang" });
    const ok = servers.callTool("faulty", "work", { mode: "ok" });
    assert.match(String(await ok), /^ok \d+$/);
    const error = await toolError(hung, "call_timeout");
    assert.match(error.message, /no answer within 400 ms \(limit "callTimeoutMs"\)$/);
    assert.match(String(await servers.callTool("faulty", "work", { mode: "ok" })), /^ok/);
  }),
);

Deno.test(
  "faults: garbage on a server's stdout (invalid UTF-8, non-JSON, a stray response) is skipped",
  noUnhandledRejections(async () => {
    const dir = await Deno.makeTempDir();
    try {
      await using servers = new ConnectionManager({
        servers: { faulty: faultyServer(await stateFile(dir, "garbage")) },
      });
      const [status] = await servers.connectAll();
      assert.equal(status?.state, "connected", status?.error);
      assert.match(String(await servers.callTool("faulty", "work", { mode: "garbage" })), /^ok/);
      // An answer with invalid UTF-8 inside its text arrives with U+FFFD in place of the bad bytes.
      assert.match(
        String(await servers.callTool("faulty", "work", { mode: "raw_utf8" })),
        /^bad \ufffd+\( bytes$/,
      );
      assert.match(String(await servers.callTool("faulty", "work", { mode: "ok" })), /^ok/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

Deno.test(
  "faults: a server that exits at start fails fast within its backoff, and a later call starts it",
  noUnhandledRejections(async () => {
    const dir = await Deno.makeTempDir();
    try {
      const state = await stateFile(dir, "exit");
      await using servers = new ConnectionManager({ servers: { faulty: faultyServer(state) } }, {
        retryDelayMs: 800,
      });
      const [status] = await servers.connectAll();
      assert.equal(status?.state, "failed");
      assert.match(status?.error ?? "", /faulty server: told to exit at start/);
      const started = performance.now();
      const error = await toolError(
        servers.callTool("faulty", "work", { mode: "ok" }),
        "server_unavailable",
      );
      assert.match(error.message, /server "faulty" is not connected/);
      assert.ok(
        performance.now() - started < 500,
        "refused within the backoff without starting it",
      );
      await Deno.writeTextFile(state, "");
      await new Promise((r) => setTimeout(r, 900));
      assert.match(String(await servers.callTool("faulty", "work", { mode: "ok" })), /^ok/);
      assert.equal(servers.get("faulty")!.state, "connected");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

Deno.test(
  "faults: an answer that comes after the call's timeout is dropped, and the server serves on",
  noUnhandledRejections(async () => {
    await using servers = new ConnectionManager({ servers: { faulty: faultyServer() } });
    await servers.connectAll();
    await toolError(
      servers.callTool("faulty", "work", { mode: "slow", ms: 600 }, { timeoutMs: 150 }),
      "call_timeout",
    );
    // Let the late answer arrive.
    await new Promise((r) => setTimeout(r, 700));
    assert.match(String(await servers.callTool("faulty", "work", { mode: "ok" })), /^ok/);
  }),
);

async function withOrchestrator(
  options: Partial<OrchestratorOptions>,
  fn: (
    orch: MCPOrchestrator,
    run: (code: string, tools?: string[]) => Promise<TaskResult>,
  ) => Promise<void>,
): Promise<void> {
  await using f = await startOrchestrator({ servers: "none", ...options });
  await fn(f.orch, (code, tools = []) => f.run(code, tools));
}

Deno.test(
  "faults: through the orchestrator, each misbehaving call fails alone with its ToolError code",
  noUnhandledRejections(async () => {
    await withOrchestrator({
      config: { servers: { faulty: faultyServer() } },
      // Well above what "ok" and "garbage" take on a loaded machine, well below "slow".
      callTimeoutMs: 3_000,
    }, async (orch, run) => {
      const result = await run(
        `const modes = ["ok", "hang", "garbage", "slow"];
const settled = await Promise.allSettled(modes.map((mode) => faulty.work({ mode, ms: 20000 })));
return settled.map((s) => s.status === "fulfilled" ? "ok" : s.reason.name + ":" + s.reason.code);`,
        ["faulty"],
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.deepEqual(result.data, [
        "ok",
        "ToolError:call_timeout",
        "ok",
        "ToolError:call_timeout",
      ]);
      const pid = orch.connections.get("faulty")!.pid!;
      const killed = run(
        `try { await faulty.work({ mode: "slow", ms: 10000 }); return "finished"; }
catch (e) { return [e.name, e.code]; }`,
        ["faulty"],
      );
      await new Promise((r) => setTimeout(r, 400));
      Deno.kill(pid, "SIGKILL");
      assert.deepEqual((await killed).data, ["ToolError", "server_unavailable"]);
      const next = await run(`return await faulty.work({ mode: "ok" });`, ["faulty"]);
      assert.match(String(next.data), /^ok \d+$/);
    });
  }),
);

Deno.test(
  "faults: a server that failed at start is tried again by a later task, which gets its module",
  noUnhandledRejections(async () => {
    const dir = await Deno.makeTempDir();
    try {
      const state = await stateFile(dir, "exit");
      await withOrchestrator(
        { config: { servers: { faulty: faultyServer(state) } } },
        async (orch, run) => {
          assert.equal(orch.getStats().servers[0]?.state, "failed");
          const refused = await run(`return await faulty.work({ mode: "ok" });`, ["faulty"]);
          assert.equal(refused.status, "failed");
          assert.equal(refused.error?.code, "server_unavailable");
          assert.match(refused.error?.message ?? "", /server "faulty" is not connected/);
          await Deno.writeTextFile(state, "");
          // The first retry waits 500 ms (doubling after each failure).
          await new Promise((r) => setTimeout(r, 1_200));
          const back = await run(`return await faulty.work({ mode: "ok" });`, ["faulty"]);
          assert.equal(back.status, "completed", JSON.stringify(back.error));
          assert.match(String(back.data), /^ok \d+$/);
          assert.deepEqual(orch.listTools("faulty").map((t) => t.name), ["work", "payload"]);
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

/** Sandbox processes (running the bootstrap) for a state folder. */
function sandboxPids(stateDir: string): number[] {
  return pidsRunning(["bootstrap.ts", stateDir]);
}

Deno.test(
  "faults: a sandbox process killed from outside mid-task fails that task; the next one runs",
  noUnhandledRejections(async () => {
    await withOrchestrator({}, async (orch, run) => {
      const running = run(`await new Promise((r) => setTimeout(r, 20_000)); return "finished";`);
      await new Promise((r) => setTimeout(r, 300));
      const stateDir = (orch.getStats(), orch.serversDir.replace(/servers$/, "state"));
      const pids = sandboxPids(stateDir);
      assert.ok(pids.length > 0, "found the sandbox processes");
      for (const pid of pids) Deno.kill(pid, "SIGKILL");
      const result = await running;
      assert.equal(result.status, "failed");
      assert.equal(result.error?.code, "sandbox_crashed", JSON.stringify(result.error));
      assert.equal((await run(`return 7;`)).data, 7);
    });
  }),
);

Deno.test(
  "faults: a sandbox process that closes its socket mid-task is a crashed task, not a wedged one",
  noUnhandledRejections(async () => {
    const root = await Deno.makeTempDir({ prefix: "socket-close-" });
    try {
      await using sandbox = await SandboxProcess.start({
        runtimeDir: fileURLToPath(new URL("./fixtures/socket_closer/", import.meta.url)),
        denoDir: join(root, "deno_dir"),
        socketDir: join(root, "sockets"),
        heapMb: 128,
        permissions: {},
      });
      const started = performance.now();
      const result = await sandbox.run({
        taskId: "t1",
        prepared: prepareCode("return 1;", { serversUrl: "file:///nowhere/servers/" }),
        pathAliases: {},
        timeoutMs: 20_000,
        memoryLimitMb: 512,
        maxLogBytes: 1024,
        onToolCall: () => Promise.resolve(null),
      });
      assert.equal(result.status, "failed");
      assert.equal(result.error?.code, "sandbox_crashed", JSON.stringify(result.error));
      assert.ok(performance.now() - started < 15_000, "ended long before the deadline");
      await sandbox.closed;
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }),
);

Deno.test(
  "faults: a flood of log output from many tasks at once is capped per task; the host serves on",
  noUnhandledRejections(async () => {
    await withOrchestrator({ maxConcurrentTasks: 4, maxLogBytes: 4096 }, async (_orch, run) => {
      const flood =
        `for (let i = 0; i < 50_000; i++) console.log("line " + i + " " + "x".repeat(80));
return "flooded";`;
      const results = await Promise.all(Array.from({ length: 8 }, () => run(flood)));
      for (const result of results) {
        assert.equal(result.status, "completed", JSON.stringify(result.error));
        assert.equal(result.data, "flooded");
        const bytes = result.logs.reduce(
          (sum, line) => sum + new TextEncoder().encode(line).length,
          0,
        );
        assert.ok(bytes < 4096 + 200, `logs of ${bytes} bytes`);
        assert.match(
          result.logs.at(-1) ?? "",
          /bytes of log output cut: the limit is 4096 bytes \(limit "maxLogBytes"\)/,
        );
      }
      assert.equal((await run(`return 8;`)).data, 8);
    });
  }),
);

Deno.test(
  "faults: the wait before a failing server's next start doubles with each failure, up to maxRetryDelayMs",
  noUnhandledRejections(async () => {
    const dir = await Deno.makeTempDir();
    try {
      const state = await stateFile(dir, "exit");
      await using servers = new ConnectionManager({ servers: { faulty: faultyServer(state) } }, {
        retryDelayMs: 300,
        maxRetryDelayMs: 1_000,
      });
      const connection = servers.get("faulty")!;
      const nextWait = async (): Promise<number> => {
        const error = await connection.connect().then(() => undefined, (e: Error) => e);
        const match = /\(next attempt in (\d+) ms\)$/.exec(error?.message ?? "");
        assert.ok(match !== null, `no backoff in: ${error?.message}`);
        return Number(match[1]);
      };
      const waits: number[] = [];
      for (let failure = 0; failure < 4; failure++) {
        await connection.connect().catch(() => {});
        waits.push(await nextWait());
        await new Promise((r) => setTimeout(r, waits.at(-1)! + 50));
      }
      // 300, 600, then capped at 1,000 (each read just after the failure, so a little under).
      assert.ok(waits[0]! <= 300 && waits[0]! > 150, `${waits}`);
      assert.ok(waits[1]! <= 600 && waits[1]! > 450, `${waits}`);
      assert.ok(waits[2]! <= 1_000 && waits[2]! > 850, `${waits}`);
      assert.ok(waits[3]! <= 1_000 && waits[3]! > 850, `${waits}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);
