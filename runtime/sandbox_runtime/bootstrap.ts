/**
 * The sandbox process's main module. It connects to the host's Unix socket, creates the Worker that will run the
 * agent code with the task's permissions (a fresh one for each task, on the host's `recycle` order), and relays
 * lines between the two: socket lines go to the Worker as
 * strings, the Worker's messages go to the socket as lines. It parses nothing and checks nothing (the host checks
 * every message), so it never blocks: tool calls from one task travel concurrently.
 *
 * Run by the host as `deno run <flags> bootstrap.ts <socket path> <config JSON>`; see `../sandbox/sandbox_command.ts`.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import { type BootstrapConfig, LineWriter, readLines, type RecycleMessage } from "../wire/mod.ts";
import type { WorkerInit } from "./worker.ts";

/** The exit code when the Worker itself fails outside agent code (the host reports a crash). */
export const WORKER_FAILED_EXIT_CODE = 70;

if (import.meta.main) await main();

async function main(): Promise<void> {
  const [socketPath, configText] = Deno.args;
  if (socketPath === undefined || configText === undefined) {
    throw new TypeError("Cannot start sandbox: expected a socket path and a config argument");
  }
  const config = JSON.parse(configText) as BootstrapConfig;
  const conn = await Deno.connect({ transport: "unix", path: socketPath });
  const writer = new LineWriter(conn);
  let worker = startWorker(config, writer, undefined);
  await readLines(conn, (line) => {
    // The host's recycle order (after a task that finished cleanly): the old Worker ends and is never heard again,
    // a fresh one takes its place. Every other line goes to the current Worker as it is.
    if (line.startsWith('{"type":"recycle"')) {
      const { nonce } = JSON.parse(line) as RecycleMessage;
      worker.onmessage = null;
      worker.onmessageerror = null;
      worker.onerror = null;
      worker.terminate();
      worker = startWorker(config, writer, nonce);
      return;
    }
    worker.postMessage(line);
  });
  // The host closed the channel: nothing more can happen in this process.
  Deno.exit(0);
}

function startWorker(
  config: BootstrapConfig,
  writer: LineWriter,
  nonce: string | undefined,
): Worker {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    name: "agent",
    deno: {
      permissions: {
        read: config.permissions.read,
        write: config.permissions.write,
        net: config.permissions.net,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  });
  worker.onmessage = (event: MessageEvent<unknown>) => writer.send(toLine(event.data));
  worker.onmessageerror = () => writer.send('{"type":"unreadable"}');
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    console.error(`Sandbox worker failed: ${event.message}`);
    Deno.exit(WORKER_FAILED_EXIT_CODE);
  };
  const init: WorkerInit = { preload: config.preload };
  if (nonce !== undefined) init.nonce = nonce;
  if (config.python !== undefined) init.python = config.python;
  worker.postMessage(init);
  return worker;
}

/** One line for the socket: the Worker's own JSON text as it is, anything else (forged by agent code) as JSON. */
function toLine(data: unknown): string {
  if (typeof data === "string" && !data.includes("\n")) return data;
  try {
    return JSON.stringify(data) ?? '{"type":"unserializable"}';
  } catch {
    return '{"type":"unserializable"}';
  }
}
