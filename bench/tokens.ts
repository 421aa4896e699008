/**
 * Token benchmark: code execution with MCP against classic tool calling, on five scenarios modelled on
 * Anthropic's "Code execution with MCP", each run for real through {@linkcode MCPOrchestrator} against the
 * reference servers (server-memory, server-filesystem, server-everything from npm, data in a temporary folder).
 * Both sides are counted from the run with the o200k_base tokenizer; see `bench/_measure.ts` for what each side
 * holds. Every scenario checks its own result; the script exits 1 if one is wrong, and only a clean run replaces
 * the `## Tokens` section of `docs/benchmarks.md`.
 *
 * Run: `deno run -A bench/tokens.ts [--json] [--no-docs]`
 *
 * @module
 */

import { toolDefinitionTokens } from "../runtime/tokens/mod.ts";
import { getTokenizerName } from "../runtime/tokens/mod.ts";
import { loadRecordedServers } from "../tests/helpers/search_corpus.ts";
import { openBench } from "./_bench_context.ts";
import { measureScenario, type ScenarioFigures, withOnlyUsedDefinitions } from "./_measure.ts";
import { replaceSection } from "./_docs_section.ts";
import { renderSection, type TokenReport } from "./_report.ts";
import { SCENARIOS } from "./_scenarios.ts";
import { daemonToolListTokens } from "./_daemon_tools.ts";

const GOAL = 0.987;
const DOCS = new URL("../docs/benchmarks.md", import.meta.url);
const json = Deno.args.includes("--json");
const writeDocs = !Deno.args.includes("--no-docs");

function note(line: string): void {
  if (json) console.error(line);
  else console.log(line);
}

async function run(): Promise<{ report: TokenReport; surprises: string[] }> {
  await using ctx = await openBench();
  const corpus = await ctx.corpus();
  const surprises: string[] = [];
  // The corpus holds the reference servers as recorded; the live ones should define their tools the same way.
  const names = new Set(ctx.reference.servers.map((s) => s.name));
  const recorded = (await loadRecordedServers())
    .filter((s) => names.has(s.key))
    .reduce((sum, s) => sum + toolDefinitionTokens(s.tools), 0);
  if (recorded !== ctx.reference.definitionTokens) {
    surprises.push(
      `the live reference servers' definitions take ${ctx.reference.definitionTokens} tokens, the recorded ones ${recorded}`,
    );
  }
  const scenarios: ScenarioFigures[] = [];
  for (const scenario of SCENARIOS) {
    const figures = await measureScenario(ctx, scenario);
    note(
      `(${figures.key}) ${figures.status} in ${figures.durationMs.toFixed(0)} ms${
        figures.problems.length === 0 ? "" : `: ${figures.problems.join("; ")}`
      }`,
    );
    scenarios.push(figures);
  }
  const e = scenarios.find((f) => f.key === "e");
  if (e !== undefined) {
    const everything = ctx.orch.connections.get("everything")?.tools ?? [];
    const used = everything.filter((t) => e.toolsCalled.includes(`everything.${t.name}`));
    scenarios.push(withOnlyUsedDefinitions(e, toolDefinitionTokens(used)));
  }
  return {
    report: {
      tokenizer: getTokenizerName(),
      date: new Date().toISOString().slice(0, 10),
      machine:
        `${navigator.hardwareConcurrency} cores (${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno})`,
      corpus: {
        servers: corpus.servers.length,
        tools: corpus.toolCount,
        definitionTokens: corpus.definitionTokens,
      },
      reference: {
        servers: ctx.reference.servers.length,
        tools: ctx.reference.toolCount,
        definitionTokens: ctx.reference.definitionTokens,
      },
      goal: GOAL,
      scenarios,
    },
    surprises,
  };
}

/** Formats markdown as `deno fmt` does with this project's settings, so that the docs pass `deno fmt --check`. */
async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", `--config=${new URL("../deno.json", import.meta.url).pathname}`, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  if (!success) throw new Error(`Cannot format the report: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

const { report, surprises } = await run();
// The daemon's own tool definitions: a fixed cost, whatever servers stand behind it (budget: under 1,000).
const daemonTools = await daemonToolListTokens();
const failed = report.scenarios.filter((f) => f.problems.length > 0);
const section = (await formatMarkdown(`## Tokens\n\n${renderSection(report)}\n`))
  .replace(/^## Tokens\n\n/, "");
if (json) {
  const scenarios = report.scenarios.map(({ result, ...figures }) => ({
    ...figures,
    data: result.data,
  }));
  const a = report.scenarios.find((f) => f.key === "a");
  console.log(JSON.stringify(
    {
      ...report,
      scenarios,
      goalA: a === undefined ? null : { target: GOAL, saved: a.saved, met: a.saved >= GOAL },
      daemonToolList: daemonTools,
      surprises,
      ok: failed.length === 0,
    },
    null,
    2,
  ));
} else {
  console.log(`\n## Tokens\n\n${section.trimEnd()}`);
  console.log(
    `\nDaemon tools/list (${daemonTools.tools.join(", ")}): ${daemonTools.tokens} tokens ` +
      `(${Object.entries(daemonTools.perTool).map(([n, t]) => `${n} ${t}`).join(", ")}), ` +
      "the same for any number of servers",
  );
  for (const surprise of surprises) console.log(`\nSurprise: ${surprise}`);
}
if (failed.length > 0) {
  console.error(
    `\n${failed.length} scenario(s) did not do what they should: ${
      failed.map((f) => f.key).join(", ")
    }`,
  );
  Deno.exit(1);
}
if (writeDocs) {
  const existing = await Deno.readTextFile(DOCS).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  await Deno.mkdir(new URL(".", DOCS), { recursive: true });
  await Deno.writeTextFile(DOCS, replaceSection(existing, "Tokens", section));
  note(`\nWrote the ## Tokens section of ${DOCS.pathname}`);
}
