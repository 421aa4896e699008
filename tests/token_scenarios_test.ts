import assert from "node:assert/strict";
import { openBench } from "../bench/_bench_context.ts";
import type { BenchContext } from "../bench/_bench_context.ts";
import { indexCatalog } from "../bench/_catalog.ts";
import { codeModeTools } from "../bench/_code_mode.ts";
import {
  measureScenario,
  type ScenarioFigures,
  withOnlyUsedDefinitions,
} from "../bench/_measure.ts";
import { replaceSection } from "../bench/_docs_section.ts";
import { percent, renderNotes, renderTable } from "../bench/_report.ts";
import { scenario, type ScenarioKey } from "../bench/_scenarios.ts";
import {
  savedRatio,
  toolCallTokens,
  toolDefinitionTokens,
  toolResultTokens,
} from "../runtime/tokens/mod.ts";
import { countJsonTokens, countTokens } from "../runtime/tokens/mod.ts";

/** Checks that every figure of a scenario is the sum of its parts, recomputing each part independently. */
async function assertFiguresAddUp(
  ctx: BenchContext,
  key: ScenarioKey,
  f: ScenarioFigures,
): Promise<void> {
  const spec = scenario(key);
  const { result } = f;
  assert.deepEqual(f.problems, [], "the scenario's own check failed");

  // Classic = definitions + calls/results; definitions are the three reference servers'.
  assert.equal(f.classic.total, f.classic.definitions + f.classic.callsAndResults);
  assert.equal(f.classic.definitions, ctx.orch.toolDefinitionTokens());
  assert.equal(
    f.classic.callsAndResults,
    result.stats.tokensDirect - ctx.orch.toolDefinitionTokens(),
  );

  // Calls/results: replaying the same calls outside the sandbox gives the same name + args + raw result tokens.
  const calls = spec.calls!(ctx.dir);
  assert.deepEqual(result.stats.toolsCalled, calls.map((c) => `${c.server}.${c.tool}`));
  let replayed = 0;
  for (const call of calls) {
    const raw = await ctx.orch.connections.callToolRaw(call.server, call.tool, call.args);
    replayed += toolCallTokens(call.tool, call.args) + toolResultTokens(raw);
  }
  assert.equal(f.classic.callsAndResults, replayed);

  // Code mode = system + discovery + tokensUsed.
  assert.equal(f.codeMode.total, f.codeMode.system + f.codeMode.discovery + f.codeMode.code);
  assert.equal(f.codeMode.system, toolDefinitionTokens(codeModeTools(ctx.orch.listServers())));
  let discovery = toolCallTokens("execute_code", { requiredTools: spec.requiredTools });
  for (const step of spec.discovery) {
    const options = {
      detail: step.detail,
      limit: step.limit,
      ...(step.servers ? { servers: step.servers } : {}),
    };
    discovery += toolCallTokens("search_tools", { query: step.query, ...options }) +
      countTokens(ctx.orch.searchToolsText(step.query, options));
  }
  assert.equal(f.codeMode.discovery, discovery);
  assert.equal(f.codeMode.code, result.stats.tokensUsed);
  assert.equal(result.error, undefined);
  const logs = result.logs.length === 0 ? 0 : countTokens(result.logs.join("\n"));
  assert.equal(
    result.stats.tokensUsed,
    countTokens(spec.code(ctx.dir)) + countJsonTokens(result.data) + logs,
  );

  // Saved % is what the totals say, with the right sign.
  assert.equal(f.saved, savedRatio(f.codeMode.total, f.classic.total));
  assert.equal(f.saved > 0, f.codeMode.total < f.classic.total);
}

Deno.test("bench scenario (b) filters 10,000 CSV rows in the sandbox, and its token figures add up", async () => {
  await using ctx = await openBench();
  const b = await measureScenario(ctx, scenario("b"));
  assert.equal(b.status, "completed");
  assert.ok(Array.isArray(b.result.data) && b.result.data.length >= 1 && b.result.data.length < 10);
  await assertFiguresAddUp(ctx, "b", b);
  // The whole CSV crossed the bridge (classic reads it), only a handful of rows came back (code mode).
  assert.ok(b.classic.callsAndResults > 100_000, `${b.classic.callsAndResults}`);
  assert.ok(b.codeMode.code < 1_000, `${b.codeMode.code}`);
});

Deno.test("bench scenario (e) one get-sum call is reported honestly, whatever its sign", async (t) => {
  await using ctx = await openBench();
  const e = await measureScenario(ctx, scenario("e"));
  await assertFiguresAddUp(ctx, "e", e);

  await t.step(
    "against classic with only get-sum's definition, code mode loses and says so",
    () => {
      const getSum = ctx.orch.connections.get("everything")!.tools.filter((tool) =>
        tool.name === "get-sum"
      );
      const minimal = withOnlyUsedDefinitions(e, toolDefinitionTokens(getSum));
      assert.equal(minimal.classic.total, minimal.classic.definitions + e.classic.callsAndResults);
      assert.equal(minimal.saved, savedRatio(e.codeMode.total, minimal.classic.total));
      assert.ok(minimal.codeMode.total > minimal.classic.total);
      assert.ok(minimal.saved < 0);
      const table = renderTable([e, minimal]);
      for (const f of [e, minimal]) {
        assert.ok(
          table.includes(`| ${percent(f.saved)} | ok |`),
          table,
        );
      }
      assert.ok(percent(minimal.saved).startsWith("−"));
      const notes = renderNotes({
        tokenizer: "o200k_base",
        date: "2000-01-01",
        machine: "test",
        corpus: { servers: 26, tools: 351, definitionTokens: 1 },
        reference: { servers: 3, tools: 36, definitionTokens: ctx.orch.toolDefinitionTokens() },
        goal: 0.987,
        scenarios: [e, minimal],
      });
      assert.ok(notes.some((line) => line.startsWith("(e′) code mode LOSES")), notes.join("\n"));
    },
  );

  await t.step("the corpus index of scenario (a) is searched like the orchestrator's own", () => {
    const live = indexCatalog(
      ctx.orch.listServers().map((s) => ({
        name: s.name,
        tools: [...ctx.orch.connections.get(s.name)!.tools],
      })),
    );
    assert.equal(live.definitionTokens, ctx.orch.toolDefinitionTokens());
    for (const key of ["a", "d"] as const) {
      for (const step of scenario(key).discovery) {
        const options = {
          detail: step.detail,
          limit: step.limit,
          ...(step.servers ? { servers: step.servers } : {}),
        };
        assert.equal(
          live.searchText(step.query, options),
          ctx.orch.searchToolsText(step.query, options),
        );
      }
    }
  });
});

Deno.test("bench tokens report replaces only the ## Tokens section of docs/benchmarks.md", () => {
  assert.equal(
    replaceSection(undefined, "Tokens", "table"),
    "# Benchmarks\n\n## Tokens\n\ntable\n",
  );
  const speed = "## Speed\n\nfast\n";
  assert.equal(
    replaceSection(`# Benchmarks\n\n## Tokens\n\nold\n\n${speed}`, "Tokens", "new"),
    `# Benchmarks\n\n## Tokens\n\nnew\n\n${speed}`,
  );
  assert.equal(
    replaceSection(`# Benchmarks\n\n${speed}`, "Tokens", "new"),
    `# Benchmarks\n\n${speed}\n## Tokens\n\nnew\n`,
  );
  assert.equal(
    replaceSection(`# Benchmarks\n\n${speed}\n## Tokens\n\nold\n`, "Tokens", "new"),
    `# Benchmarks\n\n${speed}\n## Tokens\n\nnew\n`,
  );
});
