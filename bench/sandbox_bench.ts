/**
 * Sandbox timings: cold task start, warm task start from the pool, and the bridge round trip of a trivial tool call.
 * Prints a markdown table. Keep it short: the machine is shared.
 *
 * Run: `deno run -A bench/sandbox_bench.ts [--runs=50] [--calls=1000]`
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SandboxPool } from "../runtime/sandbox/mod.ts";

const runs = Number(Deno.args.find((arg) => arg.startsWith("--runs="))?.slice(7) ?? 50);
const calls = Number(Deno.args.find((arg) => arg.startsWith("--calls="))?.slice(8) ?? 1000);

const root = await Deno.makeTempDir({ prefix: "sandbox_bench_" });
const serversDir = join(root, "servers");
await Deno.mkdir(join(serversDir, "echo"), { recursive: true });
await Deno.writeTextFile(
  join(serversDir, "_client.ts"),
  `export function callTool(server: string, tool: string, args: unknown): Promise<unknown> {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any)[Symbol.for("mcp-executor.bridge")].callTool(server, tool, args);
}
`,
);
await Deno.writeTextFile(
  join(serversDir, "echo", "index.ts"),
  `import { callTool } from "../_client.ts";
export function echo(input: unknown): Promise<unknown> {
  return callTool("echo", "echo", input);
}
`,
);
const echo = {
  name: "echo",
  identifier: "echo",
  moduleUrl: pathToFileURL(join(serversDir, "echo", "index.ts")).href,
};
const onToolCall = (call: { args: unknown }): Promise<unknown> => Promise.resolve(call.args);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function waitIdle(pool: SandboxPool): Promise<void> {
  await pool.settled();
  // Let the fresh process go quiet: it is idle, but its threads may still be winding down.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const rows: Array<[string, string, string]> = [];
try {
  {
    await using cold = await SandboxPool.create({
      serversDir,
      stateDir: join(root, "state_cold"),
      poolSize: 0,
    });
    const times: number[] = [];
    for (let index = 0; index < runs; index++) {
      const start = performance.now();
      const result = await cold.run({ taskId: `c${index}`, code: "return 1", onToolCall });
      times.push(performance.now() - start);
      if (result.value !== 1) throw new Error(`Cold run failed: ${JSON.stringify(result)}`);
    }
    rows.push([
      "cold task start (spawn + Worker + `return 1`)",
      `${median(times).toFixed(2)} ms`,
      `median of ${runs}`,
    ]);
  }
  {
    await using pool = await SandboxPool.create({
      serversDir,
      stateDir: join(root, "state_warm"),
      poolSize: 1,
    });
    const times: number[] = [];
    const inside: number[] = [];
    const peaks: number[] = [];
    for (let index = 0; index < runs; index++) {
      await waitIdle(pool);
      const start = performance.now();
      const result = await pool.run({
        taskId: `w${index}`,
        code: "return 1",
        servers: [echo],
        onToolCall,
      });
      times.push(performance.now() - start);
      inside.push(result.durationMs);
      peaks.push(result.peakRssBytes);
      if (result.value !== 1) throw new Error(`Warm run failed: ${JSON.stringify(result)}`);
    }
    rows.push([
      "warm task start from the pool (`return 1`)",
      `${median(times).toFixed(2)} ms`,
      `median of ${runs}; run message to done: ${median(inside).toFixed(2)} ms`,
    ]);

    rows.push([
      "peak RSS of a sandbox process running `return 1`",
      `${(median(peaks) / 2 ** 20).toFixed(1)} MB`,
      `median of ${runs}`,
    ]);

    await waitIdle(pool);
    const code = `const times = [];
for (let i = 0; i < ${calls}; i++) {
  const start = performance.now();
  await echo.echo({ i });
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
return times[Math.floor(times.length / 2)];`;
    const start = performance.now();
    const result = await pool.run({ taskId: "calls", code, servers: [echo], onToolCall });
    const total = performance.now() - start;
    if (result.status !== "completed") {
      throw new Error(`Call run failed: ${JSON.stringify(result)}`);
    }
    rows.push([
      "bridge round trip of a trivial tool call",
      `${(result.value as number).toFixed(3)} ms`,
      `median of ${calls} sequential calls in one task (mean ${
        (total / calls).toFixed(3)
      } ms incl. task start)`,
    ]);

    await waitIdle(pool);
    const parallel = `const start = performance.now();
await Promise.all(Array.from({ length: 5 }, () => echo.echo({ slow: true })));
return performance.now() - start;`;
    const slowCall = (): Promise<unknown> =>
      new Promise((resolve) => setTimeout(() => resolve(null), 100));
    const result2 = await pool.run({
      taskId: "parallel",
      code: parallel,
      servers: [echo],
      onToolCall: slowCall,
    });
    rows.push([
      "5 parallel calls that each take 100 ms on the host",
      `${(result2.value as number).toFixed(1)} ms`,
      "one task, `Promise.all`",
    ]);
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

const load = await Deno.readTextFile("/proc/loadavg").then((text) => text.split(" ")[0]).catch(() =>
  "?"
);
console.log(
  `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, load average ${load} at the end\n`,
);
console.log("| measurement | result | notes |");
console.log("| --- | --- | --- |");
for (const [name, value, note] of rows) console.log(`| ${name} | ${value} | ${note} |`);
