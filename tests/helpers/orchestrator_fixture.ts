/**
 * The orchestrator most tests start: real servers, `servers/` and the state in a temporary folder removed on
 * dispose, and a `run()` that executes one task.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions, type TaskResult } from "../../runtime/mod.ts";
import { npmServer, referenceConfig } from "./servers.ts";

/** A started orchestrator in its own folder. */
export interface OrchestratorFixture extends AsyncDisposable {
  orch: MCPOrchestrator;
  /** The temporary folder: `servers/`, `state/`, `skills/` and the servers' data. */
  dir: string;
  /** Where skills are kept (`skills/` in `dir`). */
  skillsDir: string;
  /** Runs one task; `requiredTools` defaults to the fixture's `tools`. */
  run(code: string, requiredTools?: string[], extra?: Record<string, unknown>): Promise<TaskResult>;
}

/** What {@linkcode startOrchestrator} takes besides orchestrator options. */
export interface FixtureOptions {
  /**
   * `"reference"`: server-memory, server-filesystem over `data/` and server-everything; `"memory"`: server-memory;
   * `"none"`: no server (options may still pass a `config`).
   */
  servers?: "reference" | "memory" | "none";
  /** The default `requiredTools` of `run()`. Default: none. */
  tools?: string[];
}

let taskCounter = 0;

/**
 * Starts an orchestrator over real servers in a new temporary folder.
 *
 * @param options Orchestrator options, with `servers` and `tools` for the fixture.
 * @returns The initialized fixture; dispose it to shut down and remove the folder.
 */
export async function startOrchestrator(
  options: Partial<OrchestratorOptions> & FixtureOptions = {},
): Promise<OrchestratorFixture> {
  const { servers = "reference", tools = [], ...rest } = options;
  const dir = await Deno.makeTempDir({ prefix: "orch-test-" });
  await Deno.mkdir(join(dir, "data"));
  const orch = new MCPOrchestrator({
    config: servers === "reference"
      ? referenceConfig(join(dir, "data"))
      : servers === "none"
      ? { servers: {} }
      : {
        servers: {
          memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
        },
      },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    ...rest,
  });
  await orch.initialize();
  return {
    orch,
    dir,
    skillsDir: join(dir, "skills"),
    run: (code, requiredTools = tools, extra = {}) =>
      orch.executeTask({
        id: `task-${++taskCounter}`,
        description: "test task",
        code,
        requiredTools,
        status: "pending",
        ...extra,
      }),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Asserts a task did not complete, with an error of this code and a message matching.
 *
 * @param result The task's result.
 * @param code The expected `error.code`.
 * @param message What the message must match.
 */
export function assertFailed(result: TaskResult, code: string, message: RegExp): void {
  assert.equal(result.status === "completed" ? "completed" : "not completed", "not completed");
  assert.equal(result.error?.code, code, JSON.stringify(result.error));
  assert.match(result.error?.message ?? "", message);
}

/**
 * Asserts a task failed with a Deno `NotCapable` error (a permission the sandbox does not give).
 *
 * @param result The task's result.
 * @param message What the message must match.
 */
export function assertNotCapable(result: TaskResult, message: RegExp): void {
  assert.equal(result.status, "failed");
  assert.equal(result.error?.name, "NotCapable", JSON.stringify(result.error));
  assert.match(result.error?.message ?? "", message);
}
