import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareCode } from "./prepare_code.ts";
import { SandboxProcess, type SandboxProcessOptions, type SandboxTask } from "./sandbox_process.ts";
import { createTestPool, echoHandler } from "./_test_util.ts";

const RUNTIME_DIR = fileURLToPath(new URL("../sandbox_runtime/", import.meta.url));

async function withState<T>(fn: (options: SandboxProcessOptions) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "sandbox_process_test_" });
  try {
    return await fn({
      runtimeDir: RUNTIME_DIR,
      denoDir: join(root, "deno_dir"),
      socketDir: join(root, "sockets"),
      heapMb: 128,
      permissions: {},
      redactions: { [root]: "<state>" },
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function task(code: string, extra: Partial<SandboxTask> = {}): SandboxTask {
  return {
    taskId: "t1",
    prepared: prepareCode(code, { serversUrl: "file:///nowhere/servers/" }),
    pathAliases: {},
    timeoutMs: 5000,
    memoryLimitMb: 512,
    maxLogBytes: 1024,
    onToolCall: echoHandler,
    ...extra,
  };
}

Deno.test("SandboxProcess.start() removes its socket and runs exactly one task", async () => {
  await withState(async (options) => {
    await using sandbox = await SandboxProcess.start(options);
    assert.ok(sandbox.idle);
    assert.deepEqual([...Deno.readDirSync(options.socketDir)], []);
    const result = await sandbox.run(task("return 1 + 1;"));
    assert.equal(result.value, 2);
    assert.throws(() => sandbox.run(task("return 1;")), /the sandbox process is not idle/);
    await sandbox.closed;
  });
});

Deno.test("SandboxProcess.start() fails with the child's stderr when the runtime is missing", async () => {
  await withState(async (options) => {
    const missing = join(options.socketDir, "..", "no_runtime");
    await assert.rejects(
      SandboxProcess.start({ ...options, runtimeDir: missing }),
      (error: Error) => {
        assert.match(error.message, /^Cannot start sandbox process: it exited with code 1: /);
        assert.match(error.message, /<state>\/no_runtime\/bootstrap\.ts/);
        return true;
      },
    );
  });
});

Deno.test("SandboxProcess.run() reports a process killed from outside as crashed", async () => {
  await withState(async (options) => {
    await using sandbox = await SandboxProcess.start(options);
    const running = sandbox.run(task("await new Promise(() => {});"));
    Deno.kill(sandbox.pid, "SIGTERM");
    const result = await running;
    assert.equal(result.status, "failed");
    assert.equal(result.error?.code, "sandbox_crashed");
    assert.match(result.error?.message ?? "", /exited with code 143 before the task finished/);
  });
});

Deno.test("SandboxProcess.run() refuses a message over the size cap", async () => {
  await withState(async (options) => {
    await using sandbox = await SandboxProcess.start({ ...options, maxMessageBytes: 64 * 1024 });
    const forged = await sandbox.run(
      task('self.postMessage("x".repeat(100_000));\nawait new Promise(() => {});'),
    );
    assert.equal(forged.error?.code, "invalid_message");
    assert.match(forged.error?.message ?? "", /longer than 65536 bytes/);
  });
  await withState(async (options) => {
    await using sandbox = await SandboxProcess.start({ ...options, maxMessageBytes: 64 * 1024 });
    const big = await sandbox.run(task('return "x".repeat(100_000);'));
    assert.equal(big.status, "failed");
    assert.equal(big.error?.name, "RangeError");
    assert.match(
      big.error?.message ?? "",
      /^Cannot return the value: it is 100\d+ bytes as JSON, over the limit/,
    );
  });
});

Deno.test("SandboxProcess.run() aborts pending tool calls when the task ends", async () => {
  await using t = await createTestPool();
  let signal: AbortSignal | undefined;
  const result = await t.pool.run({
    taskId: "t1",
    code:
      "echo.slow({ ms: 5000 });\nawait new Promise((resolve) => setTimeout(resolve, 50));\nreturn 'left early';",
    servers: [t.echo],
    onToolCall: (call) => {
      signal = call.signal;
      return new Promise((resolve) => call.signal.addEventListener("abort", () => resolve(null)));
    },
  });
  assert.equal(result.value, "left early");
  assert.equal(signal?.aborted, true);
  await t.pool.settled();
});

Deno.test("sandbox runtime imports nothing from the host but runtime/wire/, and no npm package", async () => {
  const runtimeUrl = new URL("../sandbox_runtime/", import.meta.url).href;
  const wireUrl = new URL("../wire/", import.meta.url).href;
  for (const entry of ["bootstrap.ts", "worker.ts"]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--no-config", fileURLToPath(new URL(entry, runtimeUrl))],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: Array<{ specifier: string }>;
      npmPackages?: Record<string, unknown>;
    };
    for (const module of info.modules) {
      assert.ok(
        module.specifier.startsWith(runtimeUrl) || module.specifier.startsWith(wireUrl),
        module.specifier,
      );
    }
    assert.deepEqual(Object.keys(info.npmPackages ?? {}), []);
  }
});
