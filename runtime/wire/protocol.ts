/**
 * The messages the host and a sandbox process exchange over the control channel (a Unix socket, one JSON object
 * a line), and the messages the sandbox process and its Worker exchange with `postMessage`.
 *
 * These are the only shapes that cross the boundary. The host validates every message it receives against the zod
 * schemas in `../sandbox/protocol_schema.ts`; nothing the sandbox sends is trusted.
 *
 * Both sides of the sandbox use this file: it imports nothing outside `runtime/wire/` and no npm package.
 *
 * @module
 */

import type { PythonInit, PythonTask } from "./python.ts";
import type { WireError } from "./wire_error.ts";

/**
 * Permissions the Worker that runs agent code gets. Everything not listed is denied.
 *
 * @example Let one task read one folder
 * ```ts
 * import { MCPOrchestrator, type WorkerPermissions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await Deno.writeTextFile(`${dir}/note.txt`, "hello");
 * const permissions: WorkerPermissions = { read: [dir] };
 * const result = await orch.executeTask({ id: "t1", description: "read", requiredTools: [], status: "pending",
 *   code: `return await Deno.readTextFile(${JSON.stringify(`${dir}/note.txt`)});`, permissions });
 * assert.equal(result.data, "hello");
 * ```
 */
export interface WorkerPermissions {
  /** Absolute paths the agent code may read. */
  read?: string[];
  /** Absolute paths the agent code may write. */
  write?: string[];
  /** Hosts (`"example.com"`, `"127.0.0.1:8080"`) the agent code may connect to. */
  net?: string[];
}

/** One server whose generated module the agent code gets in scope. */
export interface ServerBinding {
  /** The server's name in mcp.json, e.g. `"memory"`. */
  name: string;
  /** The identifier it is bound to in agent code, e.g. `memory`, `my_server`. */
  identifier: string;
  /** The `file:` URL of its generated `servers/<server>/index.ts`. */
  moduleUrl: string;
}

// ---- host -> sandbox process ----

/**
 * Starts a task. A Worker runs exactly one task in its life; its process may run more, each in a fresh Worker.
 *
 * The host prepares the agent code (see `../sandbox/prepare_code.ts`) so that the agent's line N is line N of
 * {@linkcode RunMessage.source}. A `script` is evaluated: it yields an async function that resolves the imports
 * and returns the agent function. A `module` is imported by a computed `data:` URL; its default export is the agent
 * function. Either way every import is resolved against the Worker's own permissions.
 */
export interface RunMessage {
  type: "run";
  /** The task's id; every message the sandbox sends about it must carry the same id. */
  taskId: string;
  /** How {@linkcode RunMessage.source} is run: `python` runs it in the Worker's Pyodide interpreter. */
  format: "script" | "module" | "python";
  /** For `python`: the servers to write as Python modules, the folders to mount, the working folder. */
  python?: PythonTask;
  /** The prepared code. */
  source: string;
  /** How many characters line 1 of the source carries in front of the agent's own line 1. */
  firstLineOffset: number;
  /** URL prefixes to shorten in stacks and messages, e.g. `{ "file:///srv/app/servers/": "servers/" }`. */
  pathAliases: Record<string, string>;
  /** The most console text, in bytes, to pass back; the rest is dropped with a note. */
  maxLogBytes: number;
  /** The largest single message, in bytes, the host accepts; larger tool arguments or results fail early. */
  maxMessageBytes: number;
}

/** The answer to a {@linkcode CallMessage}. */
export type CallResultMessage =
  | { type: "call_result"; callId: number; ok: true; value: unknown }
  | { type: "call_result"; callId: number; ok: false; error: WireError };

/**
 * After a task that finished cleanly: end its Worker and create a fresh one for the next task. The fresh Worker's
 * `ready` carries {@linkcode RecycleMessage.nonce}, which agent code never sees, so a `ready` forged by the old
 * Worker is told apart.
 */
export interface RecycleMessage {
  type: "recycle";
  /** A random value the new Worker's `ready` must echo. */
  nonce: string;
}

/** Everything the host sends. */
export type HostMessage = RunMessage | CallResultMessage | RecycleMessage;

// ---- sandbox process -> host ----

/** The sandbox process is up, its Worker is created and it waits for a {@linkcode RunMessage}. */
export interface ReadyMessage {
  /** The message kind. */
  type: "ready";
  /** The {@linkcode RecycleMessage.nonce} of the recycle that created this Worker (absent for the first). */
  nonce?: string;
}

/** Agent code called a tool. */
export interface CallMessage {
  /** The message kind. */
  type: "call";
  /** The task the call belongs to. */
  taskId: string;
  /** Unique within the task; the host answers with the same id. */
  callId: number;
  /** The server named in the call (checked by the host against the task's allowlist). */
  server: string;
  /** The tool named in the call. */
  tool: string;
  /** The tool's arguments, as JSON data. */
  args: unknown;
}

/**
 * Agent code read the tool catalog: `tools.search(query, { limit, server })` or `tools.list(server)`. The host
 * answers with a {@linkcode CallResultMessage} of the same `callId` (calls and catalog reads share the ids).
 */
export interface CatalogMessage {
  /** The message kind. */
  type: "catalog";
  /** The task the read belongs to. */
  taskId: string;
  /** Unique within the task, shared with {@linkcode CallMessage.callId}. */
  callId: number;
  /** `search`: ranked hits for `query`; `list`: every tool (of `server`, when given). */
  op: "search" | "list";
  /** `search`: what the agent looks for. */
  query?: string;
  /** Only this server's tools. */
  server?: string;
  /** `search`: the most hits. */
  limit?: number;
}

/** One console line from agent code. */
export interface LogMessage {
  /** The message kind. */
  type: "log";
  /** The task the line belongs to. */
  taskId: string;
  /** The console method's level. */
  level: "log" | "info" | "warn" | "error" | "debug";
  /** The formatted text, possibly cut to the log limit. */
  text: string;
}

/** Agent code reported how far it got, through the `progress(done, total?, message?)` global. */
export interface ProgressMessage {
  /** The message kind. */
  type: "progress";
  /** The task the report belongs to. */
  taskId: string;
  /** How much is done (a finite number). */
  progress: number;
  /** How much there is in all, when known. */
  total?: number;
  /** A short line saying what is happening. */
  message?: string;
}

/**
 * The agent code finished: its return value made JSON-safe (absent for `undefined`), or what it threw.
 * `droppedLogBytes` counts the console bytes the Worker itself cut over {@linkcode RunMessage.maxLogBytes}.
 */
export type DoneMessage =
  | { type: "done"; taskId: string; ok: true; value?: unknown; droppedLogBytes?: number }
  | { type: "done"; taskId: string; ok: false; error: WireError; droppedLogBytes?: number };

/** Everything a sandbox process sends. */
export type SandboxMessage =
  | ReadyMessage
  | CallMessage
  | CatalogMessage
  | LogMessage
  | ProgressMessage
  | DoneMessage;

/**
 * One entry of the tool catalog as agent code reads it from `tools.search` and `tools.list`.
 *
 * @example
 * ```ts
 * import type { CatalogEntry } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const entry: CatalogEntry = { name: "memory.read_graph", server: "memory", tool: "read_graph",
 *   functionName: "readGraph", description: "Read the knowledge graph" };
 * assert.equal(entry.name, `${entry.server}.${entry.tool}`);
 * ```
 */
export interface CatalogEntry {
  /** `server.tool`. */
  name: string;
  /** The server's name. */
  server: string;
  /** The tool's name. */
  tool: string;
  /** The generated function's name. */
  functionName: string;
  /** The first sentence of the description, on one line. */
  description: string;
}

/** The global the Worker bootstrap defines and generated `servers/_client.ts` calls. */
export const BRIDGE_SYMBOL_KEY = "mcp-executor.bridge";

/** What the Worker bootstrap puts under `globalThis[Symbol.for(BRIDGE_SYMBOL_KEY)]`. */
export interface Bridge {
  /** Calls a tool through the host; resolves to the unwrapped result, rejects with a ToolError. */
  callTool(server: string, tool: string, args: unknown): Promise<unknown>;
}

/** The second command-line argument of a sandbox process, as JSON. */
export interface BootstrapConfig {
  /** The Worker's permissions: a list of allowed paths or hosts, or `false` for none. */
  permissions: { read: string[] | false; write: string[] | false; net: string[] | false };
  /** Modules the Worker imports before it reports ready. */
  preload: string[];
  /** Set for processes that run Python: where Pyodide is (the Worker loads it before it reports ready). */
  python?: PythonInit;
}
