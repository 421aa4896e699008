/**
 * The escape suite's shared fixture: one orchestrator per test file over the real reference servers it needs,
 * small limits so that hostile programs end fast, a secret file and a secret host environment variable that no
 * task may ever see, and assertions that say precisely how a hostile program was refused or contained.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RuleAction, type RuleName, RULES } from "../../runtime/blocker/mod.ts";
import { MCPOrchestrator, type OrchestratorOptions, type TaskResult } from "../../runtime/mod.ts";
import type { AgentTask } from "../../runtime/types.ts";
import { npmServer } from "../helpers/servers.ts";
import { pidsRunning } from "../helpers/processes.ts";

/** The sandbox runtime folder every sandbox process may read (the orchestrator's default). */
export const RUNTIME_DIR: string = fileURLToPath(
  new URL("../../runtime/sandbox_runtime", import.meta.url),
);

/** A blocker policy that turns every rule off (except "syntax", which cannot be relaxed): the screen lets all code through. */
export const SCREEN_OFF: Partial<Record<RuleName, RuleAction>> = Object.fromEntries(
  RULES.filter((rule) => rule.name !== "syntax").map((rule) => [rule.name, "allow"]),
);

/** The reference servers a fixture can start. */
export type ServerName = "memory" | "everything" | "filesystem";

/** Options for {@linkcode startFixture}. */
export interface FixtureOptions {
  /** The reference servers to connect. Default: none (tasks that call no tool need none). */
  servers?: ServerName[];
  /** Orchestrator options over the suite's small limits. */
  orchestrator?: Partial<OrchestratorOptions>;
}

/** Per-task options for {@linkcode SecurityFixture.run}. */
export interface RunOptions {
  /** requiredTools. Default: none. */
  tools?: string[];
  /** The task's deadline. Default: the fixture's `taskTimeoutMs` (5 s). */
  timeoutMs?: number;
  /** Extra Worker permissions. */
  permissions?: AgentTask["permissions"];
  /** A workspace name. */
  workspace?: string;
  /** The task id. Default: `sec-<n>`. */
  id?: string;
  /** Cancels the task. */
  signal?: AbortSignal;
}

/** One orchestrator with its folders, secrets and helpers; dispose it to shut everything down. */
export interface SecurityFixture extends AsyncDisposable {
  orch: MCPOrchestrator;
  /** The test's own temporary folder (servers/, state/, data/, secret/ live in it). */
  dir: string;
  serversDir: string;
  stateDir: string;
  /** A folder server-filesystem serves and server-memory stores its graph in. */
  dataDir: string;
  /** A file outside anything a task may read, holding {@linkcode SecurityFixture.secret}. */
  secretFile: string;
  /** A random value that must never appear in any task result. */
  secret: string;
  /** Runs a task; every result is also checked for the secret. */
  run(code: string, options?: RunOptions): Promise<TaskResult>;
  /** Runs `return 1 + 1` and asserts it completes with 2: the orchestrator still serves. */
  probe(): Promise<void>;
  /** The live sandbox processes of this fixture (children of the test process running its bootstrap). */
  sandboxPids(): number[];
}

/** The name of the host environment variable that holds the secret while a fixture is alive. */
export const SECRET_ENV = "MCPX_SECURITY_TEST_SECRET";

/**
 * The secret of this test process: in every fixture's secret file and in the host's environment. One value per
 * process, not per module: `deno test --parallel` runs test files side by side in one process, whose environment
 * they share.
 */
const SECRET = `S3CR3T-${Deno.pid}-${(Deno.pid * 2654435761 % 4294967296).toString(16)}-mcpx`;

let taskCounter = 0;

/**
 * Starts an orchestrator over the named reference servers with the suite's small limits (heap 64 MB, resident
 * memory 200 MB, 5 s deadline, 16 KiB of logs), and a secret in a file and in the host's environment.
 *
 * @param options The servers and orchestrator options.
 * @returns The fixture; `await using` it.
 */
export async function startFixture(options: FixtureOptions = {}): Promise<SecurityFixture> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcpx-sec-" }));
  const dataDir = join(dir, "data");
  const secretDir = join(dir, "secret");
  await Deno.mkdir(dataDir);
  await Deno.mkdir(secretDir);
  const secret = SECRET;
  const secretFile = join(secretDir, "secret.txt");
  await Deno.writeTextFile(secretFile, secret);
  // Set for the rest of the process (other test files of a parallel run may hold a fixture too).
  Deno.env.set(SECRET_ENV, secret);
  const servers: Record<string, ReturnType<typeof npmServer>> = {};
  for (const name of options.servers ?? []) {
    if (name === "memory") {
      servers.memory = npmServer("server-memory", [], {
        MEMORY_FILE_PATH: join(dataDir, "memory.jsonl"),
      });
    } else if (name === "filesystem") {
      servers.filesystem = npmServer("server-filesystem", [dataDir]);
    } else servers.everything = npmServer("server-everything", ["stdio"]);
  }
  const serversDir = join(dir, "servers");
  const stateDir = join(dir, "state");
  const orch = new MCPOrchestrator({
    config: { servers },
    serversDir,
    stateDir,
    poolSize: 1,
    maxConcurrentTasks: 2,
    taskTimeoutMs: 5_000,
    heapMb: 64,
    memoryLimitMb: 200,
    maxLogBytes: 16 * 1024,
    ...options.orchestrator,
  });
  const dispose = async () => {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await orch.initialize();
  } catch (error) {
    await dispose();
    throw error;
  }
  const run = async (code: string, runOptions: RunOptions = {}): Promise<TaskResult> => {
    const task: AgentTask & { workspace?: string } = {
      id: runOptions.id ?? `sec-${++taskCounter}`,
      description: "hostile program",
      code,
      requiredTools: runOptions.tools ?? [],
      status: "pending",
    };
    if (runOptions.timeoutMs !== undefined) task.timeoutMs = runOptions.timeoutMs;
    if (runOptions.permissions !== undefined) task.permissions = runOptions.permissions;
    if (runOptions.signal !== undefined) task.signal = runOptions.signal;
    if (runOptions.workspace !== undefined) task.workspace = runOptions.workspace;
    const result = await orch.executeTask(task);
    assertNoSecret(result, secret);
    return result;
  };
  return {
    orch,
    dir,
    serversDir,
    stateDir,
    dataDir,
    secretFile,
    secret,
    run,
    async probe() {
      const result = await run("return 1 + 1;");
      assert.equal(result.status, "completed", `probe failed: ${JSON.stringify(result.error)}`);
      assert.equal(result.data, 2);
    },
    sandboxPids: () => sandboxPids(stateDir),
    [Symbol.asyncDispose]: dispose,
  };
}

/**
 * The sandbox processes that are children of this test process and were started for the given state folder.
 *
 * @param stateDir The orchestrator's state folder (its sockets and DENO_DIR live in it).
 * @returns Their process ids.
 */
export function sandboxPids(stateDir: string): number[] {
  return pidsRunning(["sandbox_runtime/bootstrap.ts", stateDir], { childrenOnly: true });
}

/** Whether a process is alive (its /proc entry exists and it is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits until `check` returns true, polling every 20 ms, for at most `ms`. */
export async function waitFor(check: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Asserts that a value never appears anywhere in a result (data, logs, error, warnings). */
export function assertNoSecret(result: TaskResult, secret: string): void {
  const text = JSON.stringify(result);
  assert.ok(!text.includes(secret), `the secret leaked into the result: ${text.slice(0, 2000)}`);
}

/** Asserts that the blocker refused the code, naming the rule. */
export function assertBlocked(result: TaskResult, rule: string): void {
  assert.equal(result.status, "failed", JSON.stringify(result));
  assert.equal(result.error?.name, "BlockedCodeError", JSON.stringify(result.error));
  assert.equal(result.error?.code, "blocked");
  assert.match(result.error?.message ?? "", new RegExp(`rule "${rule}" blocks`));
  assert.equal(result.stats.duration, 0, "blocked code never reached a sandbox");
}

/** Asserts that the task failed with the given error name, code and message. */
export function assertFailedWith(
  result: TaskResult,
  expected: { status?: TaskResult["status"]; name?: string; code?: string; message: RegExp },
): void {
  assert.equal(result.status, expected.status ?? "failed", JSON.stringify(result));
  if (expected.name !== undefined) {
    assert.equal(result.error?.name, expected.name, JSON.stringify(result.error));
  }
  if (expected.code !== undefined) {
    assert.equal(result.error?.code, expected.code, JSON.stringify(result.error));
  }
  assert.match(result.error?.message ?? "", expected.message, JSON.stringify(result.error));
}

/** Asserts that Deno's permission check in the Worker refused the operation (a `NotCapable` error). */
export function assertNotCapable(result: TaskResult, message: RegExp): void {
  assertFailedWith(result, { name: "NotCapable", message });
}

/**
 * Asserts that a program that catches its own errors returned `[name, message]` of a refusal.
 *
 * @param result The task's result; the code must `return [e.name, e.message]`.
 * @param name The expected error name.
 * @param message The expected message.
 */
export function assertCaught(result: TaskResult, name: string, message: RegExp): void {
  assert.equal(result.status, "completed", JSON.stringify(result));
  const [gotName, gotMessage] = result.data as [string, string];
  assert.equal(gotName, name, JSON.stringify(result.data));
  assert.match(gotMessage, message, JSON.stringify(result.data));
}
