/**
 * The Worker's main module: the agent code's side of the bridge.
 *
 * It defines the bridge global that generated `servers/_client.ts` calls, turns `console.*` into `log` messages,
 * and, on the `run` message, runs the prepared agent code and posts `done`: a script is evaluated, a module is
 * imported by a computed `data:` URL. Either way the agent's imports are resolved at run time, so they are checked
 * against this Worker's own permissions (a Worker's main-module graph would load with the parent's).
 *
 * Messages in both directions are JSON text: the sandbox process relays lines between its socket and this Worker
 * without parsing them. Nothing here is trusted by the host, which validates every message.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import {
  type CallResultMessage,
  cleanText,
  type CleanTextOptions,
  fromWire,
  type RunMessage,
  toWireError,
  type WireError,
} from "../wire/mod.ts";
import { toJsonSafe } from "./json_safe.ts";
import type { LogLevel } from "./console_capture.ts";
import { type CatalogFields, installAgentGlobals } from "./agent_globals.ts";
// Python agent code (issue 21): the interpreter and its runner live in python/.
import { loadPython, type PythonInit, runPython } from "./python/mod.ts";

/** The first message the sandbox process posts: modules to load before the Worker reports ready. */
export interface WorkerInit {
  /** `file:` URLs of modules to import ahead of the task (the generated server modules). */
  preload: string[];
  /** Echoed in the `ready` message (see `RecycleMessage`). */
  nonce?: string;
  /** Set when the process serves Python: the interpreter is loaded before `ready`. */
  python?: PythonInit;
}

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: WorkerEvent) => void): void;
}

interface WorkerEvent {
  data?: unknown;
  reason?: unknown;
  error?: unknown;
  message?: string;
  preventDefault(): void;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** Captured at call time so that a failed call's stack shows where the agent made it. */
  site: Error;
}

const scope = globalThis as unknown as WorkerScope;
const post = scope.postMessage.bind(scope);
const stringify = JSON.stringify;
// Indirect eval: the script runs in the global scope, not in this module's.
const indirectEval = globalThis.eval;
const parse = JSON.parse;
const encoder = new TextEncoder();

const WARM_MODULE = "export default async function __agent__(): Promise<number> { return 1\n}\n";

let initialized = false;
let task: RunMessage | undefined;
let clean: CleanTextOptions = { firstLineOffset: 0, pathAliases: {}, internalUrl: "" };
let finished = false;
let nextCallId = 0;
const pending = new Map<number, PendingCall>();
let logBytes = 0;
let droppedLogBytes = 0;

installAgentGlobals({ callTool, readCatalog, log, progress, onExit });

scope.addEventListener("message", (event) => {
  const data = event.data;
  if (typeof data !== "string") {
    void init(data as WorkerInit);
    return;
  }
  const message = parse(data) as RunMessage | CallResultMessage;
  if (message.type === "run") void run(message);
  else if (message.type === "call_result") settle(message);
});
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  fail(event.reason);
});
scope.addEventListener("error", (event) => {
  event.preventDefault();
  fail(event.error ?? new Error(String(event.message)));
});

async function init(config: WorkerInit): Promise<void> {
  if (initialized) return;
  initialized = true;
  // Computed specifiers: checked against this Worker's own read permission, like the agent's imports.
  await Promise.allSettled(config.preload.map((url) => import(url)));
  // Warm both paths agent code takes: eval for scripts, the data: URL loader for modules.
  await (indirectEval("(async () => 1)") as () => Promise<number>)();
  const warm = "data:application/typescript;base64," + toBase64(encoder.encode(WARM_MODULE));
  await import(warm).catch(() => {});
  // A failed load is reported by the Python task that needs the interpreter.
  if (config.python !== undefined) await loadPython(config.python).catch(() => {});
  post(
    config.nonce === undefined
      ? '{"type":"ready"}'
      : stringify({ type: "ready", nonce: config.nonce }),
  );
}

async function run(message: RunMessage): Promise<void> {
  if (task !== undefined) return;
  task = message;
  // The runtime folder holds both this folder and `../wire/`: frames from either are internal.
  const internalUrl = new URL("../", import.meta.url).href;
  clean = {
    firstLineOffset: message.firstLineOffset,
    pathAliases: message.pathAliases,
    internalUrl,
  };
  let value: unknown;
  try {
    // Off the message-dispatch stack, so that the agent's stack traces start at its own code.
    await null;
    value = message.format === "python"
      ? await runPython(message, { callTool, log, progress })
      : await (message.format === "script" ? runScript(message.source) : runModule(message.source));
  } catch (error) {
    fail(error);
    return;
  }
  complete(value);
}

async function runScript(source: string): Promise<unknown> {
  const load = indirectEval(source) as () => Promise<() => Promise<unknown>>;
  const agent = await load();
  return await agent();
}

async function runModule(source: string): Promise<unknown> {
  const specifier = "data:application/typescript;base64," + toBase64(encoder.encode(source));
  const agent = await import(specifier) as { default: () => Promise<unknown> };
  return await agent.default();
}

function onExit(code: number): void {
  if (code === 0) {
    complete(undefined);
    return;
  }
  const error = new Error(`Agent code exited with code ${code}`);
  error.name = "ExitError";
  fail(Object.assign(error, { code: "exit" }));
}

function complete(value: unknown): void {
  if (finished || task === undefined) return;
  let line: string;
  try {
    const safe = toJsonSafe(value);
    line = stringify({ type: "done", taskId: task.taskId, ok: true, value: safe, droppedLogBytes });
    checkSize(line, "Cannot return the value");
  } catch (error) {
    fail(error);
    return;
  }
  finished = true;
  post(line);
}

function fail(error: unknown): void {
  if (finished || task === undefined) return;
  finished = true;
  const wire = describe(error);
  post(stringify({ type: "done", taskId: task.taskId, ok: false, error: wire, droppedLogBytes }));
}

function callTool(server: string, tool: string, args: unknown): Promise<unknown> {
  if (typeof server !== "string" || typeof tool !== "string") {
    return Promise.reject(new TypeError("Cannot call tool: server and tool must be strings"));
  }
  if (task === undefined || finished) {
    return Promise.reject(new Error(`Cannot call tool "${tool}": the task has finished`));
  }
  let line: string;
  const callId = nextCallId++;
  try {
    const safeArgs = args === undefined ? {} : toJsonSafe(args);
    line = stringify({ type: "call", taskId: task.taskId, callId, server, tool, args: safeArgs });
    checkSize(line, `Cannot call tool "${tool}"`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return Promise.reject(
      new TypeError(`Cannot call tool "${tool}": invalid arguments: ${reason}`),
    );
  }
  const site = new Error();
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject, site });
    post(line);
  });
}

function readCatalog(op: "search" | "list", fields: CatalogFields): Promise<unknown> {
  if (task === undefined || finished) {
    return Promise.reject(new Error("Cannot read the tool catalog: the task has finished"));
  }
  const callId = nextCallId++;
  const line = stringify({ type: "catalog", taskId: task.taskId, callId, op, ...fields });
  const site = new Error();
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject, site });
    post(line);
  });
}

function settle(message: CallResultMessage): void {
  const call = pending.get(message.callId);
  if (call === undefined) return;
  pending.delete(message.callId);
  if (message.ok) {
    call.resolve(message.value);
    return;
  }
  const error = fromWire(message.error);
  const frames = (call.site.stack ?? "").split("\n").slice(1).join("\n");
  error.stack = cleanText(`${error.name}: ${error.message}\n${frames}`, clean);
  call.reject(error);
}

function log(level: LogLevel, text: string): void {
  if (task === undefined || finished) return;
  if (text.includes("data:") || text.includes("file:") || text.includes("\u001b")) {
    text = cleanText(text, clean);
  }
  const remaining = task.maxLogBytes - logBytes;
  const bytes = utf8Length(text);
  if (bytes > remaining) {
    if (remaining <= 0) {
      droppedLogBytes += bytes;
      return;
    }
    const { read, written } = encoder.encodeInto(text, new Uint8Array(remaining));
    text = text.slice(0, read);
    droppedLogBytes += bytes - written;
    logBytes += written;
  } else {
    logBytes += bytes;
  }
  post(stringify({ type: "log", taskId: task.taskId, level, text }));
}

/** The longest progress message sent, in characters (the host refuses longer ones). */
const MAX_PROGRESS_MESSAGE = 1000;

function progress(done: unknown, total?: unknown, message?: unknown): void {
  if (typeof done !== "number" || !Number.isFinite(done)) {
    throw new TypeError("Cannot report progress: done must be a finite number");
  }
  if (total !== undefined && (typeof total !== "number" || !Number.isFinite(total))) {
    throw new TypeError("Cannot report progress: total must be a finite number or undefined");
  }
  if (task === undefined || finished) return;
  const report: Record<string, unknown> = { type: "progress", taskId: task.taskId, progress: done };
  if (total !== undefined) report.total = total;
  if (message !== undefined) {
    report.message = cleanText(String(message), clean).slice(0, MAX_PROGRESS_MESSAGE);
  }
  post(stringify(report));
}

function describe(error: unknown): WireError {
  const wire = toWireError(error, "agent_error");
  const out: WireError = {
    name: String(wire.name),
    code: String(wire.code),
    message: cleanText(String(wire.message), clean),
  };
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack === "string") out.stack = cleanText(stack, clean);
  if (typeof wire.server === "string") out.server = wire.server;
  if (typeof wire.tool === "string") out.tool = wire.tool;
  return out;
}

function checkSize(line: string, action: string): void {
  const limit = task?.maxMessageBytes ?? Infinity;
  if (line.length * 3 <= limit) return;
  const bytes = encoder.encode(line).length;
  if (bytes > limit) {
    throw new RangeError(
      `${action}: it is ${bytes} bytes as JSON, over the limit of ${limit} bytes`,
    );
  }
}

function utf8Length(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else {
      bytes += 2;
      if (unit >= 0xd800 && unit <= 0xdbff) index++;
    }
  }
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
