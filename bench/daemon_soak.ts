/**
 * Daemon soak: the daemon over Streamable HTTP (`cli/serve.ts --http`) with many concurrent SDK clients for a fixed
 * time, each running a mix of `execute_code` tasks (trivial, tool-calling on server-memory, throwing, timing out,
 * exhausting memory, cancelled by aborting the request) and `search_tools` calls, and ending its session (`DELETE`)
 * and opening a new one now and then. Prints calls and errors per kind, the sessions left, the daemon's memory,
 * descriptors and child processes, and the latency per time window. Linux only (it reads /proc).
 *
 * Run as `deno run -A bench/daemon_soak.ts [--seconds 60] [--clients 20] [--window 60]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DAEMON_SOAK_KINDS, type DaemonSoakWindow, runDaemonSoak } from "./_daemon_soak_run.ts";

/**
 * Runs the daemon soak with the command-line flags and prints its table.
 *
 * @param args The command-line arguments.
 * @returns 0 when every call ended as its kind expects and nothing leaked, 1 otherwise, 2 for bad flags.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seconds: { type: "string", default: "60" },
      clients: { type: "string", default: "20" },
      window: { type: "string", default: "60" },
    },
  });
  const numbers = {
    seconds: Number(values.seconds),
    clients: Number(values.clients),
    window: Number(values.window),
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 1) {
      console.error(
        `--${name} must be a whole number >= 1, got ${
          JSON.stringify(values[name as keyof typeof values])
        }`,
      );
      return 2;
    }
  }
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `daemon soak: ${numbers.clients} clients over Streamable HTTP for ${numbers.seconds} s, ` +
      `windows of ${numbers.window} s`,
  );
  console.log(
    "| window | calls | p50 ms | p99 ms | trivial p50 ms | trivial p99 ms | daemon RSS MB | heap after GC MB | fds (sockets) | children |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const row = (w: DaemonSoakWindow) =>
    console.log(
      `| ${w.index} | ${w.calls} | ${w.p50Ms.toFixed(0)} | ${w.p99Ms.toFixed(0)} | ${
        w.trivialP50Ms.toFixed(0)
      } | ${w.trivialP99Ms.toFixed(0)} | ${mb(w.sample.rssBytes)} | ${
        mb(w.heapBytes)
      } | ${w.sample.fds} (${w.sample.socketFds}) | ${w.sample.children} |`,
    );
  const report = await runDaemonSoak({
    clients: numbers.clients,
    seconds: numbers.seconds,
    windowSeconds: numbers.window,
    onWindow: row,
  });
  console.log("\n| kind | calls | expected errors |");
  console.log("| --- | ---: | ---: |");
  for (const kind of DAEMON_SOAK_KINDS) {
    console.log(`| ${kind} | ${report.calls[kind]} | ${report.expectedErrors[kind]} |`);
  }
  const total = Object.values(report.calls).reduce((a, b) => a + b, 0);
  console.log(
    `| all | ${total} | ${Object.values(report.expectedErrors).reduce((a, b) => a + b, 0)} |`,
  );
  console.log(`\nunexpected errors: ${report.unexpected.length} (goal 0)`);
  for (const line of report.unexpected.slice(0, 20)) console.log(`  ${line}`);
  console.log(
    `sessions opened ${report.sessionsOpened}; open on the daemon after every client left: ` +
      `${report.sessionsLeft} (goal 0)`,
  );
  console.log(`daemon's tasks by status (/metrics): ${JSON.stringify(report.tasksByStatus)}`);
  console.log(
    `daemon RSS ${mb(report.start.rssBytes)} MB after warm-up, ${
      mb(report.end.rssBytes)
    } MB at the end; ` +
      `fds ${report.start.fds} (${report.start.socketFds} sockets) -> ${report.end.fds} (${report.end.socketFds} sockets); processes below it ${report.start.children} -> ` +
      `${report.end.children} (MCP server + idle pool); ${report.httpConnections} HTTP connections still open ` +
      "at the end (kept alive by the clients' fetch)",
  );
  console.log(
    `daemon V8 heap in use after a full GC: ${mb(report.heapAfterGc.start)} MB after warm-up, ` +
      `${
        mb(report.heapAfterGc.end)
      } MB at the end (RSS growth with a level heap is memory V8 or the allocator ` +
      "keep, not a leak)",
  );
  console.log(
    `after SIGTERM: exit code ${report.exitCode}, processes left running ${report.childrenLeft} (goal 0)`,
  );
  const failed = report.unexpected.length > 0 || report.sessionsLeft !== 0 ||
    report.childrenLeft !== 0 || report.exitCode !== 0;
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
