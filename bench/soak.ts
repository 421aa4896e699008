/**
 * Soak: 10,000 mixed tasks (trivial, tool-calling against a real server-memory, throwing, timing out, exhausting
 * memory, cancelled) through one orchestrator, printing after each window of 1,000 the host's resident memory, open
 * file descriptors, child processes, sandbox sockets left and the task latency (p50/p99), then what is left after
 * shutdown. Linux only (it reads /proc).
 *
 * Run as `deno run -A bench/soak.ts [--count 10000] [--window 1000] [--concurrency 4]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ONE_TIME_FDS, runSoak, type SoakSample } from "./_soak_run.ts";

/**
 * Runs the soak with the command-line flags and prints its table.
 *
 * @param args The command-line arguments.
 * @returns 0 when nothing leaked and every task ended as its kind expects, else 1.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: "string", default: "10000" },
      window: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "4" },
    },
  });
  const count = Number(values.count);
  const window = Number(values.window);
  const concurrency = Number(values.concurrency);
  for (
    const [name, value] of [["count", count], ["window", window], [
      "concurrency",
      concurrency,
    ]] as const
  ) {
    if (!Number.isInteger(value) || value < 1) {
      console.error(`--${name} must be a whole number >= 1, got ${JSON.stringify(values[name])}`);
      return 2;
    }
  }
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`soak: ${count} tasks, window ${window}, concurrency ${concurrency}`);
  console.log(
    "| tasks | host RSS MB | heap used MB | open fds | children | sockets left | p50 ms | p99 ms |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const started = performance.now();
  const report = await runSoak({
    count,
    window,
    concurrency,
    onSample: (s: SoakSample) =>
      console.log(
        `| ${s.tasks} | ${mb(s.rssBytes)} | ${
          mb(s.heapUsedBytes)
        } | ${s.fds} | ${s.children} | ${s.sockets} | ${s.p50Ms.toFixed(1)} | ${
          s.p99Ms.toFixed(1)
        } |`,
      ),
  });
  const seconds = (performance.now() - started) / 1000;
  const first = report.samples[0]!;
  const last = report.samples.at(-1)!;
  const growth = (last.rssBytes - first.rssBytes) / first.rssBytes * 100;
  console.log(`\nran in ${seconds.toFixed(0)} s; outcomes: ${JSON.stringify(report.outcomes)}`);
  console.log(
    `host RSS after the first window ${mb(first.rssBytes)} MB, at the end ${
      mb(last.rssBytes)
    } MB (${growth.toFixed(1)} % growth after warm-up; goal < 10 %)`,
  );
  console.log(
    `before: ${report.before.children} children, ${report.before.fds} fds, ${report.before.tempEntries} entries left in the state folder; ` +
      `after shutdown: ${report.after.children} children, ${report.after.fds} fds, ${report.after.tempEntries} entries left in the state folder ` +
      `(${ONE_TIME_FDS} fds are opened once by Deno's node:child_process layer at the first server start)`,
  );
  if (report.unexpected.length > 0) {
    console.log(`unexpected outcomes (${report.unexpected.length}):`);
    for (const line of report.unexpected.slice(0, 20)) console.log(`  ${line}`);
  }
  const leaked = report.after.children > report.before.children ||
    report.after.tempEntries > report.before.tempEntries ||
    report.after.fds > report.before.fds + ONE_TIME_FDS;
  return leaked || report.unexpected.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
