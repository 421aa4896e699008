/**
 * The token benchmark's report: a markdown table with notes, and the `## Tokens` section of
 * `docs/benchmarks.md`, replaced in place so that the file's other sections stay as they are.
 *
 * @module
 */

import type { ScenarioFigures } from "./_measure.ts";

/** A tool set's size and the tokens of its definitions. */
export interface ToolSetCost {
  servers: number;
  tools: number;
  definitionTokens: number;
}

/** Everything the report shows. */
export interface TokenReport {
  tokenizer: string;
  /** ISO date of the run. */
  date: string;
  machine: string;
  corpus: ToolSetCost;
  reference: ToolSetCost;
  /** The goal for scenario (a), as a ratio (0.987). */
  goal: number;
  scenarios: ScenarioFigures[];
}

const number = new Intl.NumberFormat("en-US");

function n(value: number): string {
  return number.format(value);
}

/**
 * A ratio as a percentage with two decimals, with a real minus sign when negative.
 *
 * @param ratio E.g. 0.9874.
 * @returns E.g. `"98.74%"`.
 */
export function percent(ratio: number): string {
  const text = `${(Math.abs(ratio) * 100).toFixed(2)}%`;
  return ratio < 0 ? `−${text}` : text;
}

function toolSet(f: ScenarioFigures): string {
  switch (f.classic.toolSet) {
    case "corpus":
      return `whole corpus (${f.classic.servers} servers, ${f.classic.tools} tools)`;
    case "reference":
      return `3 reference servers (${f.classic.tools} tools)`;
    case "used":
      return `only the tool called (${f.classic.tools})`;
  }
}

/**
 * The markdown table, one row per scenario.
 *
 * @param scenarios The figures.
 * @returns The table.
 */
export function renderTable(scenarios: readonly ScenarioFigures[]): string {
  const rows = [
    "| scenario | tool calls | classic: definitions of | classic tokens (definitions / calls+results) | code-mode tokens (system / discovery / code+data+logs) | saved | check |",
    "| --- | ---: | --- | ---: | ---: | ---: | :---: |",
  ];
  for (const f of scenarios) {
    rows.push(
      `| (${f.key}) ${f.title} | ${f.toolsCalled.length} | ${toolSet(f)} | ` +
        `${n(f.classic.total)} (${n(f.classic.definitions)} / ${n(f.classic.callsAndResults)}) | ` +
        `${n(f.codeMode.total)} (${n(f.codeMode.system)} / ${n(f.codeMode.discovery)} / ${
          n(f.codeMode.code)
        }) | ` +
        `${percent(f.saved)} | ${f.problems.length === 0 ? "ok" : "WRONG"} |`,
    );
  }
  return rows.join("\n");
}

/**
 * The lines under the table: the corpus's cost, scenario (a) against its goal, and scenario (e)'s sign.
 *
 * @param report The report.
 * @returns Markdown lines.
 */
export function renderNotes(report: TokenReport): string[] {
  const notes = [
    `Loading the whole recorded corpus classically costs ${
      n(report.corpus.definitionTokens)
    } tokens of tool ` +
    `definitions (${report.corpus.tools} tools on ${report.corpus.servers} servers); the ${report.reference.servers} ` +
    `reference servers cost ${
      n(report.reference.definitionTokens)
    } (${report.reference.tools} tools). ` +
    `Tokenizer: ${report.tokenizer}.`,
  ];
  const a = report.scenarios.find((f) => f.key === "a");
  if (a !== undefined) {
    const allowed = Math.floor(a.classic.total * (1 - report.goal));
    const gap = Math.round(Math.abs(a.saved - report.goal) * 10_000) / 100;
    notes.push(
      `(a) against the goal of ${percent(report.goal)} saved: ${percent(a.saved)} saved, ` +
        (a.saved >= report.goal
          ? `goal met by ${gap.toFixed(2)} points`
          : `goal missed by ${gap.toFixed(2)} points`) +
        ` (code mode ${n(a.codeMode.total)} tokens against ${
          n(a.classic.total)
        }; the goal allows at most ` +
        `${n(allowed)}).`,
    );
  }
  for (const f of report.scenarios.filter((f) => f.key.startsWith("e"))) {
    notes.push(
      f.saved < 0
        ? `(${f.key}) code mode LOSES: it costs ${n(f.codeMode.total)} tokens against classic's ${
          n(f.classic.total)
        } ` +
          `(${(f.codeMode.total / f.classic.total).toFixed(1)}×), a negative saving of ${
            percent(f.saved)
          }.`
        : `(${f.key}) code mode wins only because classic loads ${toolSet(f)}: ${
          n(f.codeMode.total)
        } tokens ` +
          `against ${n(f.classic.total)}, of which ${n(f.classic.definitions)} are definitions.`,
    );
  }
  const shown = report.scenarios.filter((f) => /^[a-e]$/.test(f.key));
  notes.push(
    "A task's own `stats.tokensSaved` (1 − tokensUsed / tokensDirect) leaves out code mode's system and discovery " +
      "tokens and counts the connected servers' definitions on the classic side, so it reads higher than the saved " +
      `column: ${
        shown.map((f) => `(${f.key}) ${percent(f.result.stats.tokensSaved)}`).join(", ")
      }.`,
  );
  return notes;
}

/** How the figures are counted, for the docs. */
const METHOD = [
  "How each side is counted, from the real run of each scenario:",
  "",
  "- classic tool calling = the tool definitions the model is given (`{ name, description, input_schema }` per tool, " +
  "summed per server) + every tool call's name and arguments as the model writes them + every raw tool result as it " +
  "enters the context (`stats.tokensDirect` minus the connected servers' definitions). Data that flows from one tool " +
  "into the next is in the next call's real arguments, so it counts twice, as it would pass through the model twice.",
  "- code mode = system (the `search_tools` and `execute_code` definitions, naming the configured servers) + " +
  "discovery (each `search_tools` call and the real `searchToolsText` output it returns, plus `execute_code`'s name " +
  "and `requiredTools`) + `stats.tokensUsed` (the code, the returned data, the logs and any error).",
  "- Scenario (a)'s agent searches an index of the whole corpus built like the orchestrator's own; the others search " +
  "the orchestrator. Each token is counted once, when it enters the context (billed input re-reads the context at " +
  "every turn, on both sides, which is left out). The user's prompt and the model's final answer are the same on " +
  "both sides and are left out; so is the JSON escaping of the code inside `execute_code`'s arguments.",
  "- (c) polls `everything.get-sum` as a stand-in status endpoint (progress = check × 10, done at 100 on the 10th).",
];

/**
 * The body of the `## Tokens` section (without its heading).
 *
 * @param report The report.
 * @returns Markdown.
 */
export function renderSection(report: TokenReport): string {
  return [
    "- Command: `deno run -A bench/tokens.ts` (`--json` for machine-readable output)",
    `- Last run: ${report.date}`,
    `- Machine: ${report.machine}`,
    `- Tokenizer: ${report.tokenizer}`,
    "",
    renderTable(report.scenarios),
    "",
    ...renderNotes(report).flatMap((line) => [line, ""]),
    ...METHOD,
  ].join("\n");
}
