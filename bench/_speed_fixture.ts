/**
 * What `bench/speed.ts` measures against: an {@linkcode MCPOrchestrator} over the real reference servers, and a
 * direct SDK client on its own server-memory process of the same version, both seeded with the same small graph.
 *
 * @module
 */

import { join } from "node:path";
import {
  type AgentTask,
  MCPOrchestrator,
  type OrchestratorOptions,
  type TaskResult,
} from "../runtime/mod.ts";
import type { McpConfig } from "../runtime/config.ts";
import { serverEnvironment } from "../runtime/connections/mod.ts";
import { SandboxPool } from "../runtime/sandbox/mod.ts";
import { type CallToolResult, Client, StdioClientTransport } from "../runtime/sdk.ts";
import { npmServer } from "../tests/helpers/servers.ts";
import { waitQuiet } from "./_speed_proc.ts";

/** The small graph both sides read: three entities, two relations. */
export const SMALL_GRAPH = {
  entities: [
    { name: "Ada", entityType: "person", observations: ["engineer", "writes the sandbox"] },
    { name: "Bram", entityType: "person", observations: ["engineer"] },
    { name: "Runtime", entityType: "team", observations: ["owns the sandbox"] },
  ],
  relations: [
    { from: "Ada", to: "Runtime", relationType: "member_of" },
    { from: "Bram", to: "Runtime", relationType: "member_of" },
  ],
};

/** Which reference servers an orchestrator connects. */
export type ServerName = "memory" | "everything";

let taskCounter = 0;

// The orchestrator keeps its sandbox pool private, but a benchmark must know when the pool has refilled (each
// "warm" task must really find an idle process). So the harness records every pool `SandboxPool.create` makes and
// uses the pool's own public `settled()` and `size`; the pool's behaviour is unchanged.
const createdPools: SandboxPool[] = [];
const originalCreate = SandboxPool.create;
SandboxPool.create = async function (options) {
  const pool = await originalCreate.call(SandboxPool, options);
  createdPools.push(pool);
  return pool;
};

/** A started orchestrator with a helper that runs code and fails loudly when a task does not complete. */
export interface OrchestratorFixture extends AsyncDisposable {
  orch: MCPOrchestrator;
  /** The orchestrator's sandbox pool (see the note on `SandboxPool.create` above). */
  pool: SandboxPool;
  /**
   * Waits until the pool is at rest (refilled, finished processes gone) and the child processes are quiet.
   *
   * @returns How long it waited, in milliseconds.
   */
  settle(): Promise<number>;
  /**
   * Runs agent code as a task.
   *
   * @param code The agent code.
   * @param requiredTools The task's allowlist.
   * @param extra More task fields (e.g. `permissions`).
   * @returns The completed result.
   * @throws {Error} When the task did not complete.
   */
  run(code: string, requiredTools?: string[], extra?: Partial<AgentTask>): Promise<TaskResult>;
}

/**
 * Starts an orchestrator over real reference servers, each in a folder of its own under `root`.
 *
 * @param root A temporary folder the benchmark owns.
 * @param options The servers to connect and the orchestrator options to set.
 * @returns The ready orchestrator.
 */
export async function startOrchestrator(
  root: string,
  options: { servers: ServerName[]; label: string } & Partial<OrchestratorOptions>,
): Promise<OrchestratorFixture> {
  const { servers, label, ...rest } = options;
  const dir = join(root, label);
  await Deno.mkdir(join(dir, "data"), { recursive: true });
  const config: McpConfig = { servers: {} };
  if (servers.includes("memory")) {
    config.servers.memory = npmServer("server-memory", [], {
      MEMORY_FILE_PATH: join(dir, "data", "memory.jsonl"),
    });
  }
  if (servers.includes("everything")) {
    config.servers.everything = npmServer("server-everything", ["stdio"]);
  }
  const orch = new MCPOrchestrator({
    config,
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    ...rest,
  });
  const poolsBefore = createdPools.length;
  await orch.initialize();
  const pool = createdPools[poolsBefore];
  if (pool === undefined) throw new Error("Cannot find the orchestrator's sandbox pool");
  const failed = orch.getStats().servers.filter((s) => s.state !== "connected");
  if (failed.length > 0) {
    await orch.shutdown({ drainTimeoutMs: 0 });
    throw new Error(
      `Cannot start the benchmark: ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`,
    );
  }
  return {
    orch,
    pool,
    async settle() {
      const start = performance.now();
      await pool.settled();
      await waitQuiet({ quietMs: 30 });
      return performance.now() - start;
    },
    async run(code, requiredTools = [], extra = {}) {
      const result = await orch.executeTask({
        id: `speed-${++taskCounter}`,
        description: "speed benchmark",
        code,
        requiredTools,
        status: "pending",
        ...extra,
      });
      if (result.status !== "completed") {
        throw new Error(
          `Benchmark task failed (${result.status}): ${JSON.stringify(result.error)}\n${code}`,
        );
      }
      return result;
    },
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
    },
  };
}

/** Agent code that writes {@linkcode SMALL_GRAPH} into server-memory. */
export const SEED_CODE = `await memory.createEntities({ entities: ${
  JSON.stringify(SMALL_GRAPH.entities)
} });
await memory.createRelations({ relations: ${JSON.stringify(SMALL_GRAPH.relations)} });
const graph = await memory.readGraph();
return graph.entities.length;`;

/** A direct SDK client on a server-memory process of its own. */
export interface DirectClient extends AsyncDisposable {
  client: Client;
  /** The server's name and version from `initialize`. */
  serverVersion: string;
  /** Calls `read_graph` and returns the raw result. */
  readGraph(): Promise<CallToolResult>;
}

/**
 * Starts server-memory (the same package and version as the orchestrator's) on its own file, connects a plain
 * SDK client to it as the orchestrator's connections do (same command and environment), lists its tools and seeds
 * {@linkcode SMALL_GRAPH}.
 *
 * @param dir A folder for the server's memory file.
 * @returns The connected client.
 */
export async function startDirectClient(dir: string): Promise<DirectClient> {
  await Deno.mkdir(dir, { recursive: true });
  const entry = npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") });
  if (entry.type !== "stdio") {
    throw new TypeError("Cannot start the direct client: not a stdio entry");
  }
  const client = new Client({ name: "speed-bench-direct", version: "0.1.0" });
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: serverEnvironment(entry.env),
    stderr: "pipe",
  });
  await client.connect(transport);
  // Like any MCP client (and the orchestrator), list the tools first: the SDK then also checks each result's
  // structuredContent against the tool's outputSchema, as it does for the orchestrator's connection.
  await client.listTools();
  await client.callTool({ name: "create_entities", arguments: { entities: SMALL_GRAPH.entities } });
  await client.callTool({
    name: "create_relations",
    arguments: { relations: SMALL_GRAPH.relations },
  });
  const info = client.getServerVersion();
  return {
    client,
    serverVersion: `${info?.name ?? "?"} ${info?.version ?? "?"}`,
    readGraph: () =>
      client.callTool({ name: "read_graph", arguments: {} }) as Promise<CallToolResult>,
    async [Symbol.asyncDispose]() {
      await client.close();
    },
  };
}
