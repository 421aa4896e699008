/**
 * `mcpx stop`: stops running daemons, however they were started (`mcpx serve`, `deno task serve`, through `npx`),
 * by the PID files they keep in the state folder: SIGTERM, then waits until each has drained and exited.
 *
 * @module
 */

import { type FoundDaemon, isAlive, listDaemons } from "./_daemon_lifetime.ts";
import { numberFlag, parseFlags, plural, stringFlag, UsageError } from "./_common.ts";

const HELP = `Usage: mcpx stop [--port <n>] [--all] [--list] [--state-dir <path>] [--timeout <ms>]

Stops the HTTP daemons this user started: each daemon writes <state-dir>/daemons/<pid>.json at start and removes
it at exit; stop sends each SIGTERM (the daemon drains its running tasks, see serve --drain-timeout) and waits
until it has exited. Files of daemons that are gone are removed.

Flags:
  --port <n>           only the HTTP daemon on this port
  --all                also the stdio daemons (those an agent started; it loses its connection)
  --list               only list the daemons, stop none
  --state-dir <path>   the state folder the daemons use. Default: $MCPX_STATE_DIR, else
                       $XDG_STATE_HOME/mcp-executor, else ~/.local/state/mcp-executor
  --timeout <ms>       how long to wait for each to exit. Default: 30000
  -h, --help           this text`;

/**
 * Runs `mcpx stop`.
 *
 * @param args The flags.
 * @returns 0 when every chosen daemon stopped (or none ran), 1 when one is still running.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    port: { type: "string" },
    all: { type: "boolean" },
    list: { type: "boolean" },
    "state-dir": { type: "string" },
    timeout: { type: "string" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const port = numberFlag(parsed, "port");
  if (port !== undefined && parsed.values.all === true) {
    throw new UsageError("Cannot use --port with --all: --port picks one HTTP daemon");
  }
  const timeoutMs = numberFlag(parsed, "timeout") ?? 30_000;
  const found = await listDaemons(stringFlag(parsed, "state-dir"));
  for (const stale of found.filter((d) => !d.alive)) await Deno.remove(stale.file).catch(() => {});
  const running = found.filter((d) => d.alive);
  if (parsed.values.list) {
    for (const d of running) console.log(describe(d));
    if (running.length === 0) console.log("No daemon is running.");
    return 0;
  }
  const chosen = running.filter((d) =>
    port !== undefined
      ? d.record.url !== undefined && new URL(d.record.url).port === String(port)
      : parsed.values.all === true || d.record.mode === "http"
  );
  if (chosen.length === 0) {
    const others = running.length - chosen.length;
    console.log(
      `No daemon${port === undefined ? "" : ` on port ${port}`} to stop${
        others > 0 ? ` (${plural(others, "other daemon")} running: --list shows them)` : ""
      }.`,
    );
    return 0;
  }
  let failed = 0;
  await Promise.all(chosen.map(async (d) => {
    try {
      Deno.kill(d.record.pid, "SIGTERM");
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const deadline = Date.now() + timeoutMs;
    while (await isAlive(d.record)) {
      if (Date.now() > deadline) {
        failed++;
        console.error(
          `${
            describe(d)
          } is still running after ${timeoutMs} ms: kill -KILL ${d.record.pid} ends it at once`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Deno.remove(d.file).catch(() => {});
    console.log(`Stopped ${describe(d)}.`);
  }));
  return failed === 0 ? 0 : 1;
}

function describe({ record }: FoundDaemon): string {
  const where = record.url ?? "stdio";
  return `daemon pid ${record.pid} (${where}, ${record.config}, since ${record.started})`;
}
