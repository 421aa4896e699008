/**
 * The five token scenarios of `bench/tokens.ts`, modelled on Anthropic's "Code execution with MCP": each one
 * writes its data, runs a real agent program through {@linkcode MCPOrchestrator} against the reference servers,
 * checks what came back, and counts both sides from that run.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import type { TaskResult } from "../runtime/mod.ts";
import type { SearchDetail } from "../runtime/search/mod.ts";
import {
  makeOrders,
  makeTeam,
  makeTranscript,
  type Order,
  ordersCsv,
  splitParagraphs,
} from "./_data.ts";
import type { BenchContext } from "./_bench_context.ts";

/** The scenario letters of the issue. */
export type ScenarioKey = "a" | "b" | "c" | "d" | "e";

/** One `search_tools` call the scenario's agent makes before writing its code. */
export interface SearchStep {
  query: string;
  detail: SearchDetail;
  limit: number;
  servers?: string[];
  /** Tools (`server.tool`) the agent needs from this search: among the hits, or the top hit when `limit` is 1. */
  expect: string[];
}

/** A tool call as the agent code makes it, for replaying outside the sandbox. */
export interface ToolCall {
  server: string;
  tool: string;
  args: Record<string, unknown>;
}

/** A scenario: what the agent discovers, the code it writes, and how its result is checked. */
export interface Scenario {
  key: ScenarioKey;
  title: string;
  /** Which tool set classic tool calling is given, and code mode searches. */
  catalog: "corpus" | "reference";
  requiredTools: string[];
  discovery: SearchStep[];
  /** Writes the scenario's data into the bench's data folder. */
  setup(ctx: BenchContext): Promise<void>;
  /** The agent code, given the data folder's path. */
  code(dir: string): string;
  /** The tool calls the code makes, when replaying them is harmless (read-only tools). */
  calls?(dir: string): ToolCall[];
  /**
   * Checks the task's result (and, through the bench's own connections, the servers' state).
   *
   * @returns What is wrong; empty when the scenario did its job.
   */
  check(ctx: BenchContext, result: TaskResult): Promise<string[]>;
}

/** A `search_tools` step with detail `"full"` for one tool the agent has picked. */
function fullLookup(name: string): SearchStep {
  const [server, tool] = name.split(".") as [string, string];
  return { query: tool, detail: "full", limit: 1, servers: [server], expect: [name] };
}

function describe(query: string, ...expect: string[]): SearchStep {
  return { query, detail: "description", limit: 5, expect };
}

function same(what: string, actual: unknown, expected: unknown): string[] {
  return isDeepStrictEqual(actual, expected) ? [] : [
    `${what}: expected ${JSON.stringify(expected).slice(0, 200)}, got ${
      JSON.stringify(actual)?.slice(0, 200)
    }`,
  ];
}

const MEETING = "Weekly product sync 2025-03-14";

const longDocument: Scenario = {
  key: "a",
  title: "long document: filesystem -> memory, as one entity's observations",
  catalog: "corpus",
  requiredTools: ["filesystem.read_text_file", "memory.create_entities"],
  discovery: [
    describe("read a text file", "filesystem.read_text_file"),
    describe(
      "save notes as observations of an entity in the knowledge graph",
      "memory.create_entities",
    ),
    fullLookup("filesystem.read_text_file"),
    fullLookup("memory.create_entities"),
  ],
  setup: (ctx) => Deno.writeTextFile(`${ctx.dir}/transcript.md`, makeTranscript()),
  code: (dir) =>
    `const { content } = await filesystem.readTextFile({ path: ${
      JSON.stringify(`${dir}/transcript.md`)
    } });
const paragraphs = content.split(/\\n\\s*\\n/).map((p) => p.trim()).filter((p) => p !== "");
await memory.createEntities({
  entities: [{ name: ${JSON.stringify(MEETING)}, entityType: "meeting", observations: paragraphs }],
});
return { entity: ${JSON.stringify(MEETING)}, paragraphs: paragraphs.length };`,
  async check(ctx, result) {
    const expected = splitParagraphs(makeTranscript());
    const stored = await ctx.orch.connections.callTool("memory", "open_nodes", {
      names: [MEETING],
    }) as {
      entities: { name: string; observations: string[] }[];
    };
    return [
      ...same("returned value", result.data, { entity: MEETING, paragraphs: expected.length }),
      ...same("entity observations", stored.entities[0]?.observations, expected),
    ];
  },
};

/** The filter of scenario (b): a handful of the 10,000 orders. */
export function isLargeApacCancellation(o: Order): boolean {
  return o.region === "APAC" && o.status === "cancelled" && o.amount >= 4900;
}

const largeDataset: Scenario = {
  key: "b",
  title: "10,000-row CSV read from filesystem, filtered in the sandbox",
  catalog: "reference",
  requiredTools: ["filesystem.read_text_file"],
  discovery: [
    describe("read a text file", "filesystem.read_text_file"),
    fullLookup("filesystem.read_text_file"),
  ],
  setup: (ctx) => Deno.writeTextFile(`${ctx.dir}/orders.csv`, ordersCsv(makeOrders())),
  code: (dir) =>
    `const { content } = await filesystem.readTextFile({ path: ${
      JSON.stringify(`${dir}/orders.csv`)
    } });
const [header, ...lines] = content.trim().split("\\n");
const columns = header.split(",");
return lines
  .map((line) => Object.fromEntries(line.split(",").map((value, i) => [columns[i], value])))
  .filter((o) => o.region === "APAC" && o.status === "cancelled" && Number(o.amount) >= 4900)
  .map((o) => ({ ...o, amount: Number(o.amount) }));`,
  calls: (
    dir,
  ) => [{ server: "filesystem", tool: "read_text_file", args: { path: `${dir}/orders.csv` } }],
  check(_ctx, result) {
    const expected = makeOrders().filter(isLargeApacCancellation);
    const problems = same("filtered rows", result.data, expected);
    if (expected.length < 1 || expected.length >= 10) {
      problems.push(
        `the filter should keep a handful of rows (1 to 9), it keeps ${expected.length}`,
      );
    }
    return Promise.resolve(problems);
  },
};

const POLLS = 10;

const pollingLoop: Scenario = {
  key: "c",
  title:
    `polling loop: a status check called until done (everything.get-sum as the progress counter)`,
  catalog: "reference",
  requiredTools: ["everything.get-sum"],
  discovery: [describe("add two numbers", "everything.get-sum"), fullLookup("everything.get-sum")],
  setup: () => Promise.resolve(),
  code: () =>
    `let checks = 0;
let progress = 0;
while (progress < 100 && checks < 20) {
  checks++;
  const status = String(await everything.getSum({ a: checks * 10, b: 0 }));
  progress = Number(status.match(/is (-?\\d+(?:\\.\\d+)?)/)?.[1]);
}
return { checks, progress };`,
  calls: () =>
    Array.from({ length: POLLS }, (_, i) => ({
      server: "everything",
      tool: "get-sum",
      args: { a: (i + 1) * 10, b: 0 },
    })),
  check: (_ctx, result) =>
    Promise.resolve([
      ...same("returned value", result.data, { checks: POLLS, progress: 100 }),
      ...same("tool calls", result.stats.toolsCalled.length, POLLS),
    ]),
};

const workflow: Scenario = {
  key: "d",
  title: "workflow across three servers: filesystem -> memory -> everything",
  catalog: "reference",
  requiredTools: [
    "filesystem.read_text_file",
    "memory.create_entities",
    "memory.create_relations",
    "everything.echo",
  ],
  discovery: [
    describe("read a text file", "filesystem.read_text_file"),
    describe(
      "create entities and relations in the knowledge graph",
      "memory.create_entities",
      "memory.create_relations",
    ),
    describe("echo a message back", "everything.echo"),
    fullLookup("filesystem.read_text_file"),
    fullLookup("memory.create_entities"),
    fullLookup("memory.create_relations"),
    fullLookup("everything.echo"),
  ],
  setup: (ctx) =>
    Deno.writeTextFile(`${ctx.dir}/team.json`, `${JSON.stringify(makeTeam(), null, 2)}\n`),
  code: (dir) =>
    `const { content } = await filesystem.readTextFile({ path: ${
      JSON.stringify(`${dir}/team.json`)
    } });
const engineers = JSON.parse(content).filter((p) => p.role === "engineer");
const teams = [...new Set(engineers.map((p) => p.team))].sort();
await memory.createEntities({
  entities: [
    ...teams.map((team) => ({ name: \`team \${team}\`, entityType: "team", observations: [] })),
    ...engineers.map((p) => ({ name: p.name, entityType: "engineer", observations: [\`joined \${p.joined}\`] })),
  ],
});
await memory.createRelations({
  relations: engineers.map((p) => ({ from: p.name, to: \`team \${p.team}\`, relationType: "member_of" })),
});
const summary = teams.map((t) => \`\${t} \${engineers.filter((p) => p.team === t).length}\`).join(", ");
const notice = await everything.echo({ message: \`Engineers per team: \${summary}\` });
return { engineers: engineers.length, teams: teams.length, notice };`,
  async check(ctx, result) {
    const engineers = makeTeam().filter((p) => p.role === "engineer");
    const teams = [...new Set(engineers.map((p) => p.team))].sort();
    const summary = teams.map((t) => `${t} ${engineers.filter((p) => p.team === t).length}`).join(
      ", ",
    );
    const graph = await ctx.orch.connections.callTool("memory", "read_graph", {}) as {
      entities: { name: string; entityType: string }[];
      relations: { from: string; to: string; relationType: string }[];
    };
    const memberOf = graph.relations.filter((r) => r.relationType === "member_of");
    return [
      ...same("returned value", result.data, {
        engineers: engineers.length,
        teams: teams.length,
        notice: `Echo: Engineers per team: ${summary}`,
      }),
      ...same(
        "engineers in memory",
        graph.entities.filter((e) => e.entityType === "engineer").map((e) => e.name).sort(),
        engineers.map((p) => p.name).sort(),
      ),
      ...same(
        "member_of relations",
        memberOf.map((r) => `${r.from} -> ${r.to}`).sort(),
        engineers.map((p) => `${p.name} -> team ${p.team}`).sort(),
      ),
    ];
  },
};

const simpleCall: Scenario = {
  key: "e",
  title: "one simple call: everything.get-sum",
  catalog: "reference",
  requiredTools: ["everything.get-sum"],
  discovery: [describe("add two numbers", "everything.get-sum"), fullLookup("everything.get-sum")],
  setup: () => Promise.resolve(),
  code: () => `return await everything.getSum({ a: 1234, b: 5678 });`,
  calls: () => [{ server: "everything", tool: "get-sum", args: { a: 1234, b: 5678 } }],
  check: (_ctx, result) =>
    Promise.resolve(same("returned value", result.data, "The sum of 1234 and 5678 is 6912.")),
};

/** The five scenarios, in the issue's order. */
export const SCENARIOS: readonly Scenario[] = [
  longDocument,
  largeDataset,
  pollingLoop,
  workflow,
  simpleCall,
];

/**
 * One scenario by its letter.
 *
 * @param key The letter.
 * @returns The scenario.
 */
export function scenario(key: ScenarioKey): Scenario {
  return SCENARIOS.find((s) => s.key === key)!;
}
