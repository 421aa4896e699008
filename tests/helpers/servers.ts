/**
 * Reference MCP servers for tests: real packages from npm, pinned, started through this Deno.
 *
 * @module
 */

import { join } from "node:path";
import type { McpConfig, ServerConfig } from "../../runtime/config.ts";
import type { OrchestratorOptions } from "../../runtime/mod.ts";

/**
 * Flags that keep a server away from this project's deno.json and deno.lock: started from the project folder
 * without them, `deno run npm:...` would record the server's packages in the project's lock file.
 */
export const ISOLATED: readonly string[] = ["--no-config", "--no-lock"];

/** The pinned version of every reference server package. */
export const SERVER_VERSION = "2026.8.31";

/** A stdio entry starting `@modelcontextprotocol/<pkg>` through this Deno. */
export function npmServer(
  pkg: string,
  args: string[] = [],
  env: Record<string, string> = {},
): ServerConfig {
  return {
    type: "stdio",
    command: Deno.execPath(),
    args: ["run", "-A", ...ISOLATED, `npm:@modelcontextprotocol/${pkg}@${SERVER_VERSION}`, ...args],
    env,
  };
}

/**
 * Orchestrator options for server-memory alone, everything in `dir`: the memory file, `servers/`, the state
 * folder; one pooled sandbox process.
 *
 * @param dir A temporary folder the test owns.
 * @param extra Options to add or override.
 */
export function memoryOrchestratorOptions(
  dir: string,
  extra: Partial<OrchestratorOptions> = {},
): OrchestratorOptions {
  return {
    config: {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    ...extra,
  };
}

/**
 * A config with server-memory (on a fresh file in `dir`), server-filesystem over `dir` and server-everything.
 *
 * @param dir A temporary folder the test owns.
 */
export function referenceConfig(dir: string): McpConfig {
  return {
    servers: {
      memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: `${dir}/memory.jsonl` }),
      filesystem: npmServer("server-filesystem", [dir]),
      everything: npmServer("server-everything", ["stdio"]),
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts server-everything in one of its network modes on a free loopback port, and waits until it listens.
 *
 * @param mode `"sse"` (legacy HTTP+SSE) or `"streamableHttp"`.
 * @returns The base URL and a disposable that stops the server.
 */
export async function startEverythingOverHttp(
  mode: "sse" | "streamableHttp",
): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...ISOLATED,
      `npm:@modelcontextprotocol/server-everything@${SERVER_VERSION}`,
      mode,
    ],
    env: { PORT: String(port) },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 30_000;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error(`server-everything ${mode} did not listen on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/**
 * A stdio entry starting tests/fixtures/servers/faulty_server.ts, a real MCP server that misbehaves on command.
 *
 * @param statePath A file it reads at start: `exit` makes it exit at once, `garbage` makes it write garbage first.
 */
export function faultyServer(statePath?: string): ServerConfig {
  return fixtureServer(
    "faulty_server.ts",
    statePath === undefined ? {} : { FAULT_STATE: statePath },
  );
}

/** A stdio entry running one of tests/fixtures/servers/ with the project's deno.json and `env`. */
function fixtureServer(file: string, env: Record<string, string>): ServerConfig {
  const root = new URL("../../", import.meta.url);
  return {
    type: "stdio",
    command: Deno.execPath(),
    args: [
      "run",
      "-A",
      "--no-lock",
      "--config",
      new URL("deno.json", root).pathname,
      new URL(`tests/fixtures/servers/${file}`, root).pathname,
    ],
    env,
  };
}

/**
 * A stdio entry starting tests/fixtures/servers/counting_server.ts, a real MCP server that counts the calls it
 * serves at once (`hold`, `stats`).
 *
 * @param extra Fields to add to the entry, e.g. `{ maxConcurrentCalls: 3 }`.
 */
export function countingServer(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { ...fixtureServer("counting_server.ts", {}), ...extra } as ServerConfig;
}
