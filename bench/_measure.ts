/**
 * Runs one token scenario for real and counts both sides from that run (o200k_base unless the tokenizer was
 * swapped):
 *
 * - classic tool calling = the definitions of the scenario's tool set + every tool call's name and arguments and
 *   every raw result that crossed the bridge (`stats.tokensDirect` minus the connected servers' definitions);
 * - code mode = the `search_tools` / `execute_code` definitions + the discovery (each `search_tools` call and the
 *   text it returned, plus `execute_code`'s name and `requiredTools`) + `stats.tokensUsed` (code, data, logs,
 *   error).
 *
 * @module
 */

import type { TaskResult } from "../runtime/mod.ts";
import { savedRatio, toolCallTokens } from "../runtime/tokens/mod.ts";
import { countTokens } from "../runtime/tokens/mod.ts";
import type { BenchContext } from "./_bench_context.ts";
import type { Catalog } from "./_catalog.ts";
import { codeModeSystemTokens } from "./_code_mode.ts";
import type { Scenario, ScenarioKey, SearchStep } from "./_scenarios.ts";

/** One `search_tools` call and what it cost. */
export interface MeasuredSearch {
  query: string;
  detail: string;
  limit: number;
  servers?: string[];
  /** The call's name and arguments plus the text it returned. */
  tokens: number;
  /** Tool names of the hits, best first. */
  hits: string[];
}

/** The figures of one scenario run. */
export interface ScenarioFigures {
  /** The scenario's letter; a variant adds a prime (`e′`). */
  key: ScenarioKey | `${ScenarioKey}′`;
  title: string;
  status: TaskResult["status"];
  /** What the scenario's check found wrong; empty when it did its job. */
  problems: string[];
  durationMs: number;
  toolsCalled: string[];
  classic: {
    /** `"corpus"`: all recorded servers; `"reference"`: the three connected ones; `"used"`: only the tools called. */
    toolSet: "corpus" | "reference" | "used";
    servers: number;
    tools: number;
    definitions: number;
    callsAndResults: number;
    total: number;
  };
  codeMode: {
    system: number;
    discovery: number;
    /** `stats.tokensUsed`: the code, the returned data, the logs and the error. */
    code: number;
    total: number;
  };
  /** `1 - codeMode.total / classic.total`, four places; negative when code mode cost more. */
  saved: number;
  searches: MeasuredSearch[];
  /** The raw task result, for tests (not printed). */
  result: TaskResult;
}

function search(
  catalog: Catalog,
  step: SearchStep,
): { measured: MeasuredSearch; problems: string[] } {
  const options = {
    detail: step.detail,
    limit: step.limit,
    ...(step.servers === undefined ? {} : { servers: step.servers }),
  };
  const text = catalog.searchText(step.query, options);
  const hits = catalog.search(step.query, options).map((h) => h.name);
  const args = {
    query: step.query,
    detail: step.detail,
    limit: step.limit,
    ...(step.servers ? { servers: step.servers } : {}),
  };
  const problems = step.expect
    .filter((name) => (step.limit === 1 ? hits[0] !== name : !hits.includes(name)))
    .map((name) =>
      `search_tools(${JSON.stringify(step.query)}) did not find ${name}: got ${hits.join(", ")}`
    );
  return {
    measured: { ...args, tokens: toolCallTokens("search_tools", args) + countTokens(text), hits },
    problems,
  };
}

/**
 * Writes the scenario's data, does its discovery, runs its code through the orchestrator, checks the result and
 * counts both sides.
 *
 * @param ctx The bench context.
 * @param scenario The scenario.
 * @returns Its figures; `problems` lists anything that went wrong.
 */
export async function measureScenario(
  ctx: BenchContext,
  scenario: Scenario,
): Promise<ScenarioFigures> {
  const catalog = scenario.catalog === "corpus" ? await ctx.corpus() : ctx.reference;
  await scenario.setup(ctx);
  const problems: string[] = [];
  const searches = scenario.discovery.map((step) => {
    const found = search(catalog, step);
    problems.push(...found.problems);
    return found.measured;
  });
  const result = await ctx.orch.executeTask({
    id: `tokens-${scenario.key}`,
    description: scenario.title,
    code: scenario.code(ctx.dir),
    requiredTools: scenario.requiredTools,
    status: "pending",
  });
  if (result.status !== "completed") {
    problems.push(`task ${result.status}: ${result.error?.name}: ${result.error?.message}`);
  } else {
    problems.push(...await scenario.check(ctx, result));
  }
  const definitions = catalog.definitionTokens;
  const callsAndResults = result.stats.tokensDirect - ctx.orch.toolDefinitionTokens();
  const system = codeModeSystemTokens(catalog.servers);
  const discovery = searches.reduce((sum, s) => sum + s.tokens, 0) +
    toolCallTokens("execute_code", { requiredTools: scenario.requiredTools });
  const classicTotal = definitions + callsAndResults;
  const codeTotal = system + discovery + result.stats.tokensUsed;
  return {
    key: scenario.key,
    title: scenario.title,
    status: result.status,
    problems,
    durationMs: result.stats.duration,
    toolsCalled: result.stats.toolsCalled,
    classic: {
      toolSet: catalog.kind,
      servers: catalog.servers.length,
      tools: catalog.toolCount,
      definitions,
      callsAndResults,
      total: classicTotal,
    },
    codeMode: { system, discovery, code: result.stats.tokensUsed, total: codeTotal },
    saved: savedRatio(codeTotal, classicTotal),
    searches,
    result,
  };
}

/**
 * The same figures with classic tool calling given only the definitions of the tools the task called: the
 * most favourable case for classic tool calling.
 *
 * @param figures A scenario's figures.
 * @param definitions Tokens of the called tools' definitions.
 * @returns New figures, keyed with a prime (`e′`).
 */
export function withOnlyUsedDefinitions(
  figures: ScenarioFigures,
  definitions: number,
): ScenarioFigures {
  const total = definitions + figures.classic.callsAndResults;
  const tools = new Set(figures.toolsCalled);
  const servers = new Set([...tools].map((name) => name.split(".")[0]));
  return {
    ...figures,
    key: `${figures.key.slice(0, 1) as ScenarioKey}′`,
    title: `${figures.title}, classic given only ${[...tools].join(", ")}`,
    classic: {
      ...figures.classic,
      toolSet: "used",
      servers: servers.size,
      tools: tools.size,
      definitions,
      total,
    },
    saved: savedRatio(figures.codeMode.total, total),
  };
}
