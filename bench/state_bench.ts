/**
 * The shared state store's costs, measured on real processes: (a) what PostgreSQL adds per task and per tool call
 * against the embedded default (the same daemon, over HTTP, with and without `state.url`); (b) the takeover time
 * after `kill -9` of the replica that holds a session, behind HAProxy running `deploy/haproxy.cfg`, from the kill
 * to the session's next successful call, at the default `state.leaseMs` (1500) and at 5000; (c) 200 concurrent sessions
 * over two replicas behind HAProxy against one replica alone: calls per second and p95.
 *
 * Needs a PostgreSQL server it may create databases on (`MCPX_TEST_PG_URL`, as the tests; `.ci/run` shows how to
 * start a throwaway one) and `/usr/sbin/haproxy` for (b) and (c). Everything runs on loopback.
 *
 * Run: `MCPX_TEST_PG_URL=postgres://... deno run -A bench/state_bench.ts [--quick] [--only=a,b,c] [--write-docs]`
 *
 * - `--quick`: smaller samples, for a smoke test;
 * - `--only`: the parts to run (default all);
 * - `--write-docs`: replace the `## State store` section of `docs/benchmarks.md` (needs all three parts).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DEFAULT_LEASE_MS } from "../runtime/daemon/mod.ts";
import type { Client } from "../runtime/sdk.ts";
import { daemonDir, httpClient, httpDaemon } from "../tests/daemon/_daemon.ts";
import { freshDatabase, PG_URL } from "../tests/helpers/postgres.ts";
import {
  CLUSTER_IGNORE,
  clusterClient,
  resultData,
  startCluster,
  TOKENS,
} from "../tests/cluster/_cluster.ts";
import { replaceSection } from "./_docs_section.ts";
import { ms, summarize, type Summary } from "./_speed_stats.ts";
import { loadAverage, pgVersion, progress, signed, sleep, table } from "./_state_bench_parts.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "a,b,c" },
    "write-docs": { type: "boolean", default: false },
  },
});
const QUICK = values.quick;
const PARTS = new Set(values.only.split(","));
const SIZES = QUICK
  ? { runs: 40, takeovers: 3, sessions: 50, callsPerSession: 3 }
  : { runs: 200, takeovers: 10, sessions: 200, callsPerSession: 5 };
const WARM_UP = 20;
const PAUSE_MS = 30;
const DOCS = new URL("../docs/benchmarks.md", import.meta.url);

const TRIVIAL = "return 1;";
const READ_GRAPH = "const g = await memory.readGraph({}); return g.entities.length;";
/** Calls per task in the loop task, which gives the per-call cost with less noise than one call. */
const LOOP = 20;
const READ_GRAPH_LOOP =
  `for (let i = 0; i < ${LOOP}; i++) await memory.readGraph({}); return ${LOOP};`;

if (PG_URL === undefined) {
  console.error(
    "bench/state_bench.ts needs MCPX_TEST_PG_URL (a PostgreSQL server it may create databases on)",
  );
  Deno.exit(2);
}
if (!Deno.env.get("MCPX_STATE_KEY")) {
  // Every replica this script starts inherits it: the store seals sign-ins and PII vaults with it.
  const key = crypto.getRandomValues(new Uint8Array(32));
  Deno.env.set("MCPX_STATE_KEY", btoa(String.fromCharCode(...key)));
}

async function execute(client: Client, code: string): Promise<unknown> {
  return resultData(await client.callTool({ name: "execute_code", arguments: { code } }));
}

// --- (a) the store's cost per task and per call ---------------------------------------------------------------

interface CostFigures {
  name: string;
  trivial: Summary;
  readGraph: Summary;
  loop: Summary;
}

async function measureCost(): Promise<{ text: string; figures: CostFigures[] }> {
  await using db = await freshDatabase();
  // The type check (on by default in the daemon) is off in all three: it is the same for each and would only add
  // its own noise to what the store costs.
  const configs = [
    { name: "files (default: no audit file)", config: { typecheck: "off" } },
    {
      name: "files with `audit.file`",
      config: { typecheck: "off", audit: { file: "audit.jsonl" } },
    },
    { name: "PostgreSQL (`state.url`)", config: { typecheck: "off", state: { url: db.url } } },
  ];
  const daemons = [];
  const stack = new AsyncDisposableStack();
  try {
    for (const { name, config } of configs) {
      const sessions = await Deno.makeTempDir({ prefix: "mcpx-state-bench-sessions-" });
      stack.defer(() => Deno.remove(sessions, { recursive: true }).catch(() => {}));
      const dir = stack.use(await daemonDir({ ...config, sessions: { dir: sessions } }));
      const daemon = stack.use(await httpDaemon(dir.config));
      const { client } = stack.use(await httpClient(daemon.url));
      daemons.push({
        name,
        client,
        trivial: [] as number[],
        readGraph: [] as number[],
        loop: [] as number[],
      });
    }
    progress(`(a) ${SIZES.runs} tasks of each kind on each daemon, interleaved, one at a time`);
    for (let i = 0; i < WARM_UP + SIZES.runs; i++) {
      // Rotate the order so that no daemon always runs right after another's task.
      for (let k = 0; k < daemons.length; k++) {
        const d = daemons[(i + k) % daemons.length]!;
        const kinds = [[TRIVIAL, d.trivial], [READ_GRAPH, d.readGraph], [
          READ_GRAPH_LOOP,
          d.loop,
        ]] as const;
        for (const [code, into] of kinds) {
          await sleep(PAUSE_MS); // the sandbox pool refills between tasks (not timed)
          const started = performance.now();
          await execute(d.client, code);
          if (i >= WARM_UP) into.push(performance.now() - started);
        }
      }
    }
  } finally {
    await stack.disposeAsync();
  }
  const figures = daemons.map((d) => ({
    name: d.name,
    trivial: summarize(d.trivial),
    readGraph: summarize(d.readGraph),
    loop: summarize(d.loop),
  }));
  const perCall = (f: CostFigures) => (f.loop.median - f.trivial.median) / LOOP;
  const base = figures[0]!;
  const rows = figures.map((f) => [
    f.name,
    `${ms(f.trivial.median)} / ${ms(f.trivial.p95)}`,
    `${ms(f.readGraph.median)} / ${ms(f.readGraph.p95)}`,
    f === base ? "" : signed(f.trivial.median - base.trivial.median),
    f === base ? "" : signed(
      (f.readGraph.median - f.trivial.median) - (base.readGraph.median - base.trivial.median),
    ),
    `${ms(f.loop.median)} / ${ms(f.loop.p95)}`,
    `${ms(perCall(f))}${f === base ? "" : ` (${signed(perCall(f) - perCall(base))})`}`,
  ]);
  const text = table(
    [
      "daemon",
      "`return 1`: p50 / p95 ms",
      "one `read_graph`: p50 / p95 ms",
      "added per task, p50 ms",
      "added per call, p50 ms",
      `${LOOP} \`read_graph\` in one task: p50 / p95 ms`,
      "per call from it, ms (added)",
    ],
    rows,
  );
  return { text, figures };
}

// --- (b) takeover after kill -9 -----------------------------------------------------------------------------

interface TakeoverFigures {
  leaseMs: number;
  times: Summary;
  attempts: Summary;
}

async function measureTakeover(leaseMs: number): Promise<TakeoverFigures> {
  progress(`(b) ${SIZES.takeovers} takeovers with state.leaseMs ${leaseMs}`);
  await using cluster = await startCluster({ leaseMs });
  const times: number[] = [];
  const attempts: number[] = [];
  for (let run = 0; run < SIZES.takeovers; run++) {
    await using alice = await clusterClient(cluster.url, TOKENS.alice);
    const sessionId = alice.transport.sessionId!;
    await execute(alice.client, TRIVIAL);
    // Let a heartbeat renew the lease, as in a session that has lived a while.
    await sleep(leaseMs / 3 + 200);
    const owner = await cluster.owner(sessionId);
    const dead = cluster.ids.indexOf(owner ?? "");
    if (dead < 0) throw new Error(`Cannot find the replica of session ${sessionId}: ${owner}`);
    const killedAt = performance.now();
    await cluster.stop(dead, "SIGKILL");
    let failed = 0;
    while (true) {
      try {
        await execute(alice.client, TRIVIAL);
        break;
      } catch (error) {
        failed++;
        if (performance.now() - killedAt > 60_000) {
          throw new Error(`No takeover within 60 s: ${(error as Error).message}`);
        }
        await sleep(50);
      }
    }
    times.push(performance.now() - killedAt);
    attempts.push(failed);
    if (alice.transport.sessionId !== sessionId) throw new Error("The session id changed");
    progress(`    run ${run + 1}: ${Math.round(times.at(-1)!)} ms, ${failed} failed attempts`);
    await cluster.start(dead);
    await sleep(1_500); // HAProxy's `rise 2` at `inter 500ms`: the replica is back in before the next run
  }
  return { leaseMs, times: summarize(times), attempts: summarize(attempts) };
}

// --- (c) 200 concurrent sessions ------------------------------------------------------------------------------

interface LoadFigures {
  replicas: number;
  calls: number;
  failed: number;
  seconds: number;
  latency: Summary;
  connect: Summary;
}

async function measureLoad(replicas: number): Promise<LoadFigures> {
  progress(
    `(c) ${SIZES.sessions} sessions x ${SIZES.callsPerSession} calls on ${replicas} replica(s) behind HAProxy`,
  );
  await using cluster = await startCluster({
    replicas,
    leaseMs: DEFAULT_LEASE_MS,
    sessions: { maxPerPrincipal: SIZES.sessions + 16, max: SIZES.sessions + 56 },
  });
  const stack = new AsyncDisposableStack();
  try {
    const clients: Client[] = [];
    const connect: number[] = [];
    // Sessions open 20 at a time: the measure is the calls, not an initialize storm.
    for (let i = 0; i < SIZES.sessions; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, SIZES.sessions - i) }, async () => {
          const started = performance.now();
          const c = await clusterClient(cluster.url, TOKENS.alice);
          connect.push(performance.now() - started);
          return c;
        }),
      );
      for (const c of batch) {
        stack.use(c);
        clients.push(c.client);
      }
    }
    const latency: number[] = [];
    let failed = 0;
    const deadline = performance.now() + 180_000;
    const started = performance.now();
    await Promise.all(clients.map(async (client) => {
      for (let k = 0; k < SIZES.callsPerSession && performance.now() < deadline; k++) {
        const t = performance.now();
        try {
          await execute(client, READ_GRAPH);
          latency.push(performance.now() - t);
        } catch {
          failed++;
        }
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    return {
      replicas,
      calls: latency.length,
      failed,
      seconds,
      latency: summarize(latency),
      connect: summarize(connect),
    };
  } finally {
    await stack.disposeAsync();
  }
}

// --- run ------------------------------------------------------------------------------------------------------

const parts: string[] = [];
function section(title: string, body: string): void {
  const text = `### ${title}\n\n${body.trim()}\n`;
  console.log(`\n${text}`);
  parts.push(text);
}

if (PARTS.has("a")) {
  const load = loadAverage();
  const { text } = await measureCost();
  section(
    "What the shared store adds per task and per tool call",
    `${text}\n\nOne daemon each (\`cli/serve.ts --http\`, server-memory, \`sessions.dir\` set), over Streamable HTTP ` +
      `on loopback, one request at a time, ${SIZES.runs} of each after ${WARM_UP} warm-up, interleaved across the ` +
      `daemons, ${PAUSE_MS} ms untimed pause between requests. "Added per task" is the ` +
      `difference of the \`return 1\` medians against the default; "added per call" the difference of ` +
      `(\`read_graph\` task − \`return 1\` task) against the default; "per call from it" is (${LOOP}-call task − ` +
      `\`return 1\` task) / ${LOOP}, with its difference against the default in brackets. Targets (issue 20): at most +1 ms per task ` +
      `and +0.1 ms per call at p50. Load average at start: ${load}.`,
  );
}

if (PARTS.has("b")) {
  if (CLUSTER_IGNORE) throw new Error("Part (b) needs /usr/sbin/haproxy");
  const load = loadAverage();
  const figures: TakeoverFigures[] = [];
  for (const leaseMs of [DEFAULT_LEASE_MS, 5_000]) figures.push(await measureTakeover(leaseMs));
  section(
    "Takeover after `kill -9` of a session's replica",
    `${
      table(
        [
          "`state.leaseMs`",
          "runs",
          "kill → next successful call: p50 ms",
          "p95 ms",
          "min / max ms",
          "failed attempts (p50)",
        ],
        figures.map((f) => [
          `${f.leaseMs}${f.leaseMs === DEFAULT_LEASE_MS ? " (default)" : ""}`,
          String(f.times.n),
          ms(f.times.median),
          ms(f.times.p95),
          `${ms(f.times.min)} / ${ms(f.times.max)}`,
          String(f.attempts.median),
        ]),
      )
    }\n\nTwo replicas on one PostgreSQL behind HAProxy (\`deploy/haproxy.cfg\`, \`tests/cluster/_cluster.ts\`). ` +
      `Each run: a new session runs a task, waits for a lease renewal, its replica is killed with SIGKILL, and ` +
      `the same client (same session id, no new \`initialize\`) retries a \`return 1\` task every 50 ms until ` +
      `one succeeds; then the replica is started again. The time is mostly the lease's rest (a lease renewed ` +
      `every third of \`leaseMs\` has between 2/3 and all of it left at the kill). Target (issue 20): p50 at ` +
      `most 2 s. Load average at start: ${load}.`,
  );
}

if (PARTS.has("c")) {
  if (CLUSTER_IGNORE) throw new Error("Part (c) needs /usr/sbin/haproxy");
  const load = loadAverage();
  const figures: LoadFigures[] = [];
  for (const replicas of [2, 1]) figures.push(await measureLoad(replicas));
  section(
    `${SIZES.sessions} concurrent sessions: two replicas against one`,
    `${
      table(
        [
          "replicas behind HAProxy",
          "calls answered",
          "failed",
          "calls per second",
          "call p50 ms",
          "call p95 ms",
          "session open p95 ms",
        ],
        figures.map((f) => [
          String(f.replicas),
          String(f.calls),
          String(f.failed),
          (f.calls / f.seconds).toFixed(1),
          ms(f.latency.median),
          ms(f.latency.p95),
          ms(f.connect.p95),
        ]),
      )
    }\n\n${SIZES.sessions} SDK clients (one session each, opened 20 at a time before the clock starts) each run ` +
      `${SIZES.callsPerSession} \`execute_code\` calls one after another (a task with one \`read_graph\`), all ` +
      `sessions at once, through HAProxy on loopback; each replica has the default \`maxConcurrentTasks\` (4) ` +
      `and \`poolSize\` (2), so a call's latency is mostly its wait in the replica's queue. Every process (the ` +
      `replicas, their sandboxes, server-memory, PostgreSQL, HAProxy, the clients) shares one machine's ` +
      `${navigator.hardwareConcurrency} cores, so the second replica adds processes, not cores. Load average at ` +
      `start: ${load}.`,
  );
}

if (values["write-docs"]) {
  if (parts.length !== 3) throw new Error("--write-docs needs all three parts");
  const existing = await Deno.readTextFile(DOCS).catch(() => undefined);
  const body =
    `Run: \`MCPX_TEST_PG_URL=postgres://... deno run -A bench/state_bench.ts --write-docs\` ` +
    `(PostgreSQL ${await pgVersion()} and HAProxy on loopback, Deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} cores shared with other work).\n\n${parts.join("\n")}`;
  await Deno.writeTextFile(DOCS, replaceSection(existing, "State store", body));
  // The tables as printed are not aligned; `deno task ok` checks the format.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", DOCS.pathname] }).output();
  progress("wrote the State store section of docs/benchmarks.md");
}
