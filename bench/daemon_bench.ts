/**
 * Daemon benchmark: the time from an `execute_code` request to its response for a warm trivial task
 * (`return 1`), over stdio and over Streamable HTTP against a real daemon subprocess, next to the library's own
 * `executeTask` in this process. Each is the median of 200 runs after 20 warm-up runs, one request at a time, with
 * a 30 ms pause between requests (not timed) so that the sandbox pool has refilled.
 *
 * Run: `deno run -A bench/daemon_bench.ts [--runs 200]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MCPOrchestrator } from "../runtime/mod.ts";
import type { Client } from "../runtime/sdk.ts";
import { daemonDir, httpClient, httpDaemon, stdioDaemon } from "../tests/daemon/_daemon.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "200" } },
});
const RUNS = Number(values.runs);
const WARM_UP = 20;
const PAUSE_MS = 30;

interface Figures {
  median: number;
  p90: number;
  min: number;
}

function summarize(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p90: at(0.9), min: sorted[0]! };
}

async function measure(label: string, once: () => Promise<void>): Promise<Figures> {
  const samples: number[] = [];
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    const started = performance.now();
    await once();
    if (i >= WARM_UP) samples.push(performance.now() - started);
  }
  const figures = summarize(samples);
  console.log(
    `${label.padEnd(34)} median ${figures.median.toFixed(2)} ms  p90 ${
      figures.p90.toFixed(2)
    } ms  min ${figures.min.toFixed(2)} ms`,
  );
  return figures;
}

async function callOnce(client: Client): Promise<void> {
  const result = await client.callTool({ name: "execute_code", arguments: { code: "return 1;" } });
  if ((result.structuredContent as { data?: unknown } | undefined)?.data !== 1) {
    throw new Error(`Unexpected result: ${JSON.stringify(result)}`);
  }
}

await using dir = await daemonDir();
console.log(`Warm trivial task (return 1), median of ${RUNS} after ${WARM_UP} warm-up runs:`);

{
  await using orch = new MCPOrchestrator({ config: dir.config });
  await orch.initialize();
  let n = 0;
  await measure("library executeTask", async () => {
    const result = await orch.executeTask({
      id: `b${n++}`,
      description: "bench",
      code: "return 1;",
      requiredTools: [],
      status: "pending",
    });
    if (result.data !== 1) throw new Error(`Unexpected result: ${JSON.stringify(result)}`);
  });
  n = 0;
  await measure("library executeTask with a session", async () => {
    const result = await orch.executeTask({
      id: `s${n++}`,
      description: "bench",
      code: "return 1;",
      requiredTools: [],
      status: "pending",
      session: "bench",
    });
    if (result.data !== 1) throw new Error(`Unexpected result: ${JSON.stringify(result)}`);
  });
}

{
  await using daemon = await stdioDaemon(dir.config);
  await measure("daemon execute_code over stdio", () => callOnce(daemon.client));
}

{
  await using daemon = await httpDaemon(dir.config);
  await using client = await httpClient(daemon.url);
  await measure("daemon execute_code over HTTP", () => callOnce(client.client));
}

console.log(
  "\nMeasured on a shared machine: the figures are noisy; rerun on a quiet one for the record.",
);
