/**
 * Connecting the servers of a config for a command: one line (or a progress bar on a terminal) as each server
 * answers, with its connect time.
 *
 * @module
 */

import {
  ConnectionManager,
  loadConfig,
  type McpConfig,
  type ServerStatus,
} from "../runtime/mod.ts";
import { plural, statusMark } from "./_common.ts";

/** A server's status with the time its connection took. */
export interface TimedStatus extends ServerStatus {
  /** Milliseconds from the start of connecting to ready or failed. */
  connectMs: number;
}

/**
 * Connects every server of a config at once, reporting each as it finishes: a bar on stderr when stderr is a
 * terminal and there are several servers, else nothing (the caller prints a summary).
 *
 * @param config The config, or the path of an mcp.json.
 * @returns The open connections (close them) and each server's status with its connect time, in config order.
 */
export async function connectServers(
  config: McpConfig | string,
): Promise<{ connections: ConnectionManager; statuses: TimedStatus[] }> {
  const loaded = typeof config === "string" ? await loadConfig(config) : config;
  const connections = new ConnectionManager(loaded);
  const names = connections.names;
  const bar = Deno.stderr.isTerminal() && names.length > 1;
  const times = new Map<string, number>();
  const started = performance.now();
  let done = 0;
  const draw = (last: string) => {
    if (!bar) return;
    const width = 24;
    const filled = Math.round((done / names.length) * width);
    const line = `[${"#".repeat(filled)}${
      "-".repeat(width - filled)
    }] ${done}/${names.length} ${last}`;
    Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[K${line}`));
  };
  draw("connecting");
  await Promise.allSettled(names.map(async (name) => {
    try {
      await connections.get(name)!.connect();
    } finally {
      times.set(name, performance.now() - started);
      done++;
      draw(name);
    }
  }));
  if (bar) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
  const statuses = connections.status().map((s) => ({
    ...s,
    connectMs: Math.round(times.get(s.name) ?? 0),
  }));
  return { connections, statuses };
}

/**
 * One line per server: name, state, tool count, time, and the error of a failed one.
 *
 * @param statuses What {@linkcode connectServers} returned.
 * @returns The lines.
 */
export function statusLines(statuses: readonly TimedStatus[]): string[] {
  return statuses.map((s) =>
    s.state === "connected"
      ? `${statusMark(true)}${s.name}: ${plural(s.toolCount ?? 0, "tool")} in ${s.connectMs} ms`
      : `${statusMark(false)}${s.name}: ${s.error ?? s.state}`
  );
}
