/**
 * Measures the privacy layer. Scanning: MB/s tokenizing a generated tool result (rows with emails, phones, cards,
 * IBANs, names through a field rule, free-text notes repeating them, and near-miss noise) of 1 MB and 10 MB, as a
 * structured value and as text holding JSON (what most servers return), each with a new vault. Calls: a tool-call
 * loop in a real sandbox task against server-everything, with `pii` off and on, and how many calls reached privacy
 * code (with `pii` off it must be none: the call path skips it).
 *
 * Run: `deno run -A bench/pii_bench.ts [--sizes=1,10] [--calls=200] [--tasks=5] [--write-docs]` (`--write-docs`
 * replaces the `## Privacy` section of `docs/benchmarks.md`).
 *
 * @module
 */

import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions } from "../runtime/mod.ts";
import { PrivacyVaults } from "../runtime/privacy/mod.ts";
import { probePrivacy } from "../tests/helpers/privacy_probe.ts";
import { referenceConfig } from "../tests/helpers/servers.ts";
import { replaceSection } from "./_docs_section.ts";
import { piiResult } from "./_pii_data.ts";

function option(name: string, fallback: string): string {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}

const SIZES = option("sizes", "1,10").split(",").map(Number);
const CALLS = Number(option("calls", "200"));
const TASKS = Number(option("tasks", "5"));
const WRITE_DOCS = Deno.args.includes("--write-docs");

const PII: NonNullable<OrchestratorOptions["pii"]> = {
  enabled: true,
  fields: [{ server: "crm", path: "$.rows[*].name", kind: "NAME" }],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Scans one result with a new vault; checks that every row's email, name and phone became a token. */
function scan(value: unknown, rows: number): { ms: number; tokens: number } {
  using vaults = new PrivacyVaults(PII);
  const task = vaults.forTask({ id: "bench", session: "bench" });
  const start = performance.now();
  const out = task.resultWithPlaceholders("crm", "query", value);
  const ms = performance.now() - start;
  const parsed = (typeof out === "string" ? JSON.parse(out) : out) as {
    rows: Record<string, string>[];
  };
  const leaked = parsed.rows.filter((r) =>
    !/^\[EMAIL_\d+\]$/.test(r.email!) || !/^\[NAME_\d+\]$/.test(r.name!) ||
    !/^\[PHONE_\d+\]$/.test(r.phone!) || !/^Called \[NAME_\d+\] on \[PHONE_\d+\]/.test(r.note!)
  );
  if (parsed.rows.length !== rows || leaked.length > 0) {
    throw new Error(`Scan missed values in ${leaked.length} rows: ${JSON.stringify(leaked[0])}`);
  }
  task.end();
  // Distinct values tokenized: a session's vault is dropped with the vaults, so count from the output.
  const tokens = new Set(JSON.stringify(parsed).match(/\[[A-Z]+_\d+\]/g)).size;
  return { ms, tokens };
}

// Warm up: compile the detectors' code paths before anything is timed.
scan(piiResult(200_000, 7).value, piiResult(200_000, 7).rows);

const scanRows: string[] = [];
for (const mb of SIZES) {
  const { value, bytes, rows } = piiResult(mb * 1_000_000);
  for (
    const [form, input] of [["structured", value], ["JSON text", JSON.stringify(value)]] as const
  ) {
    const { ms, tokens } = scan(input, rows);
    scanRows.push(
      `| ${(bytes / 1e6).toFixed(1)} MB | ${form} | ${rows} | ${tokens} | ${
        (ms / 1000).toFixed(2)
      } s | ${(bytes / 1e6 / (ms / 1000)).toFixed(2)} |`,
    );
    console.error(scanRows.at(-1));
  }
}

/** Runs `TASKS` tasks of `CALLS` echo calls each, with `pii` as given; returns µs per call and privacy calls. */
async function callLoop(pii: OrchestratorOptions["pii"]): Promise<{ us: number; privacy: number }> {
  const root = await Deno.makeTempDir({ prefix: "pii-bench-" });
  const orch = new MCPOrchestrator({
    config: referenceConfig(root),
    serversDir: join(root, "servers"),
    stateDir: join(root, "state"),
    poolSize: 1,
    ...(pii === undefined ? {} : { pii }),
  });
  try {
    await orch.initialize();
    const code = `for (let i = 0; i < ${CALLS}; i++) {
  const r = await everything.echo({ message: "order " + i + " for ann.lee@example.com, +1 415-555-2671" });
  if (i === 0) console.log(JSON.stringify(r));
}
return ${CALLS};`;
    let id = 0;
    const run = () =>
      orch.executeTask({
        id: `pii-bench-${++id}`,
        description: "pii bench",
        code,
        requiredTools: ["everything"],
        status: "pending",
        session: "bench",
      });
    const warm = await run();
    if (warm.status !== "completed") {
      throw new Error(`Bench task failed: ${JSON.stringify(warm.error)}`);
    }
    const seen = warm.logs.join("\n");
    if (pii !== undefined && seen.includes("ann.lee@example.com")) {
      throw new Error(`pii on, yet ${seen}`);
    }
    if (pii === undefined && !seen.includes("ann.lee@example.com")) {
      throw new Error(`pii off, yet ${seen}`);
    }
    using probe = probePrivacy();
    const perCall: number[] = [];
    for (let t = 0; t < TASKS; t++) {
      const start = performance.now();
      const result = await run();
      if (result.status !== "completed") {
        throw new Error(`Bench task failed: ${JSON.stringify(result.error)}`);
      }
      perCall.push((performance.now() - start) * 1000 / CALLS);
    }
    return { us: median(perCall), privacy: probe.total() };
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(root, { recursive: true });
  }
}

const off = await callLoop(undefined);
const on = await callLoop(PII);
const callRows = [
  `| off | ${TASKS} x ${CALLS} | ${off.us.toFixed(0)} | ${off.privacy} |`,
  `| on | ${TASKS} x ${CALLS} | ${on.us.toFixed(0)} | ${on.privacy} |`,
];
if (off.privacy !== 0) throw new Error(`pii off, yet ${off.privacy} calls reached privacy code`);

const load = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");
const body = [
  "- Command: `deno run -A bench/pii_bench.ts --write-docs`",
  `- Last run: ${new Date().toISOString().slice(0, 10)}`,
  `- Machine: ${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}); ` +
  `load average ${load}`,
  "",
  "### Scanning a tool result",
  "",
  "Generated rows (`bench/_pii_data.ts`): a unique name (field rule `$.rows[*].name`), email and phone per row, a " +
  "card or an IBAN, a note repeating name, phone and email in free text, and near misses (order numbers, " +
  "timestamps, versions, UUIDs, prices, 16-digit numbers). One new vault each; every row is checked to come out " +
  "tokenized.",
  "",
  "| result | form | rows | distinct tokens | time | MB/s |",
  "| --- | --- | ---: | ---: | ---: | ---: |",
  ...scanRows,
  "",
  "### Tool calls with `pii` off and on",
  "",
  "A real sandbox task calling `everything.echo` (a message with an email and a phone) in a loop against " +
  "server-everything; median over the tasks of the time per call. The last column counts calls into the privacy " +
  "classes (`tests/helpers/privacy_probe.ts`) during the measured tasks: with `pii` off the tool-call path " +
  "(`runtime/orchestrator/task_calls.ts`) never reaches them, so the cost is zero by construction.",
  "",
  "| pii | tasks x calls | µs per call | calls into privacy code |",
  "| --- | --- | ---: | ---: |",
  ...callRows,
].join("\n");

console.log(body);
if (WRITE_DOCS) {
  const docs = new URL("../docs/benchmarks.md", import.meta.url);
  const existing = await Deno.readTextFile(docs).catch(() => undefined);
  await Deno.writeTextFile(docs, replaceSection(existing, "Privacy", body));
  // `deno task ok` runs `deno fmt --check`: align the tables and wrap the text as the repository's config says.
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", docs.pathname],
    cwd: new URL("..", docs).pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!fmt.success) console.error(`deno fmt failed: ${new TextDecoder().decode(fmt.stderr)}`);
  console.log(`\nWrote the Privacy section of ${docs.pathname}`);
}
