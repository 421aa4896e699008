/**
 * Helpers for the daemon's end-to-end tests: a temporary mcp.json with server-memory, the daemon started as a real
 * subprocess (`deno run -A cli/serve.ts`) over stdio or HTTP, SDK clients, and the process tree under /proc.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Client,
  type JSONRPCMessage,
  StreamableHTTPClientTransport,
  type Transport,
} from "../../runtime/sdk.ts";
import { freePort, npmServer } from "../helpers/servers.ts";
import { processes } from "../helpers/processes.ts";

/** The daemon's entry point. */
export const SERVE = fileURLToPath(new URL("../../cli/serve.ts", import.meta.url));

/** A temporary folder with an mcp.json (server-memory as `memory`), removed on dispose. */
export interface DaemonDir extends AsyncDisposable {
  dir: string;
  config: string;
}

/**
 * Makes a folder with an mcp.json serving server-memory, and optionally an mcp-executor.json.
 *
 * @param daemonConfig The mcp-executor.json content, if any.
 * @returns The folder and the mcp.json path.
 */
export async function daemonDir(daemonConfig?: unknown): Promise<DaemonDir> {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-daemon-" });
  const memory = npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") });
  const config = join(dir, "mcp.json");
  await Deno.writeTextFile(config, JSON.stringify({ mcpServers: { memory } }));
  if (daemonConfig !== undefined) {
    await Deno.writeTextFile(join(dir, "mcp-executor.json"), JSON.stringify(daemonConfig));
  }
  return {
    dir,
    config,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * An SDK transport over a child process's stdin and stdout (newline-delimited JSON, as MCP's stdio transport),
 * so that a test holds the `Deno.ChildProcess` itself: its pid, its exit status, and its stdin to close.
 */
class ChildStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Lines on stdout that were not JSON-RPC messages (stdio mode must have none). */
  readonly strayLines: string[] = [];
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #closed = false;

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
  }

  start(): Promise<void> {
    void (async () => {
      let buffer = "";
      const decoder = new TextDecoder();
      for await (const chunk of this.#child.stdout) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line === "") continue;
          try {
            this.onmessage?.(JSON.parse(line));
          } catch (error) {
            this.onerror?.(
              new Error(`Not a JSON-RPC line on stdout: ${line.slice(0, 200)}`, { cause: error }),
            );
          }
        }
      }
      this.#closed = true;
      this.onclose?.();
    })();
    return Promise.resolve();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writer.close().catch(() => {});
  }
}

/** An SDK client connected to a daemon it started over stdio. */
export interface StdioDaemon extends AsyncDisposable {
  client: Client;
  process: Deno.ChildProcess;
  /** The daemon's stderr (resolves after it exits). */
  output: Promise<string>;
  /** Closes the daemon's stdin (the client going away). */
  closeStdin(): Promise<void>;
  /** Lines the daemon wrote to stdout that were not JSON-RPC messages. */
  strayLines: string[];
}

/**
 * Starts `cli/serve.ts --config <config>` as a subprocess and connects an SDK client over its stdio.
 *
 * @param config The mcp.json path.
 * @param args More flags.
 * @returns The connected client; disposing closes stdin, then kills the daemon if it is still running.
 */
export async function stdioDaemon(config: string, args: string[] = []): Promise<StdioDaemon> {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVE, "--config", config, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = new Response(process.stderr).text();
  const transport = new ChildStdioTransport(process);
  const client = new Client({ name: "daemon-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    process,
    output,
    closeStdin: () => transport.close(),
    strayLines: transport.strayLines,
    async [Symbol.asyncDispose]() {
      await transport.close();
      const timer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch {
          // Gone.
        }
      }, 20_000);
      await process.status;
      clearTimeout(timer);
      await output;
    },
  };
}

/** A daemon subprocess serving HTTP. */
export interface HttpDaemon extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** The MCP endpoint. */
  url: URL;
  process: Deno.ChildProcess;
  /** Collected stderr (read after exit). */
  output: Promise<string>;
}

/** Options for {@linkcode httpDaemon}. */
export interface HttpDaemonOptions {
  /** More flags. */
  args?: string[];
  /** Flags for `deno run` itself (e.g. `--inspect`). */
  denoArgs?: string[];
  /** More environment variables. */
  env?: Record<string, string>;
  /** The bearer token `/healthz` needs. */
  token?: string;
  /**
   * Pass `--no-auth`. Default: `true` when no `token` is given, for the tests whose subject is not who may call;
   * `false` leaves authentication to the flags, the environment and the config (a 401 from `/healthz` then
   * counts as started).
   */
  noAuth?: boolean;
  /** The port. Default: a free one. */
  port?: number;
}

/**
 * Starts `cli/serve.ts --http` on a free port and waits until `/healthz` answers.
 *
 * @param config The mcp.json path.
 * @param options More flags and environment, the token, `--no-auth`, the port.
 * @returns The running daemon; disposing sends SIGTERM and waits for the exit.
 */
export async function httpDaemon(
  config: string,
  options: HttpDaemonOptions = {},
): Promise<HttpDaemon> {
  const port = options.port ?? freePort();
  const noAuth = options.noAuth ?? options.token === undefined;
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(options.denoArgs ?? []),
      SERVE,
      "--config",
      config,
      "--http",
      "--port",
      String(port),
      ...(noAuth ? ["--no-auth"] : []),
      ...(options.args ?? []),
    ],
    env: options.env ?? {},
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const output = new Response(process.stderr).text();
  const base = `http://127.0.0.1:${port}`;
  const headers: Record<string, string> = options.token === undefined
    ? {}
    : { authorization: `Bearer ${options.token}` };
  const deadline = Date.now() + 60_000;
  let exited: Deno.CommandStatus | undefined;
  void process.status.then((status) => exited = status);
  while (true) {
    if (exited !== undefined) {
      throw new Error(
        `The daemon exited with code ${exited.code} before it served: ${await output}`,
      );
    }
    try {
      const response = await fetch(`${base}/healthz`, { headers });
      await response.body?.cancel();
      if (response.ok) break;
      if (response.status === 401 && !noAuth && options.token === undefined) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      process.kill("SIGKILL");
      throw new Error(`The daemon did not start: ${await output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    url: new URL(`${base}/mcp`),
    process,
    output,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await process.status;
      await output;
    },
  };
}

/**
 * Connects an SDK client over Streamable HTTP.
 *
 * @param url The MCP endpoint.
 * @param token A bearer token to send.
 * @returns The client and its transport.
 */
export async function httpClient(
  url: URL,
  token?: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport } & AsyncDisposable> {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "daemon-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    async [Symbol.asyncDispose]() {
      await client.close().catch(() => {});
    },
  };
}

/**
 * Every process below `pid` (children, grandchildren...), read from /proc.
 *
 * @param pid The root process.
 * @returns Their process ids.
 */
export function descendants(pid: number): number[] {
  const children = Map.groupBy(processes(), (p) => p.ppid);
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child.pid);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * Whether a process is alive (a zombie counts as gone).
 *
 * @param pid The process id.
 * @returns `true` while it runs.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.type === "text" ? content[0].text ?? "" : "";
}
