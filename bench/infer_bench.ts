/**
 * Output type inference, two libraries on the same results: `genson-js` (JSON to a JSON Schema of names and types,
 * merged without the samples) and `quicktype-core` (JSON samples to TypeScript).
 *
 * The corpus, `bench/infer_corpus.json`, holds results recorded from the reference servers through the orchestrator
 * (the values agent code receives, which is what inference sees): server-memory's `read_graph` and `search_nodes` over
 * 5, then 60 seeded entities, server-filesystem's `directory_tree` of this checkout's `runtime/` (its JSON
 * text parsed) and server-everything's `get-structured-content` for its three cities. Each is inferred alone, then
 * merged with the next result of the same tool. Re-record with `--record` (the entities are made up).
 *
 * Run: `deno run -A bench/infer_bench.ts [--runs=20] [--write-docs] [--record]`
 *
 * @module
 */

import { InputData, jsonInputForTargetLanguage, quicktype } from "quicktype-core";
import { mergeShapes, shapeOf } from "../runtime/codegen/mod.ts";
import { replaceSection } from "./_docs_section.ts";

const DOCS = new URL("../docs/benchmarks.md", import.meta.url);

const CORPUS = new URL("./infer_corpus.json", import.meta.url);

/** Results per tool, in the order they were recorded. */
type Corpus = Record<string, unknown[]>;

const RECORD_CODE =
  `const made = (from, to) => Array.from({ length: to - from }, (_, k) => from + k).map((i) => ({
  name: "entity-" + i, entityType: ["person", "project", "place"][i % 3],
  observations: Array.from({ length: i % 4 }, (_, j) => "observation " + j + " of " + i),
}));
await memory.createEntities({ entities: made(0, 5) });
const few = await memory.readGraph();
await memory.createEntities({ entities: made(5, 60) });
await memory.createRelations({ relations: Array.from({ length: 30 }, (_, i) => ({
  from: "entity-" + i, to: "entity-" + (i + 1), relationType: i % 2 ? "knows" : "works_on",
})) });
const many = await memory.readGraph();
const projects = await memory.searchNodes({ query: "project" });
const places = await memory.searchNodes({ query: "place" });
const [root] = (await filesystem.listAllowedDirectories()).content.split("\\n").slice(1);
const runtime = JSON.parse((await filesystem.directoryTree({ path: root + "/runtime" })).content);
const bench = JSON.parse((await filesystem.directoryTree({ path: root + "/bench" })).content);
const weather = [];
for (const location of ["New York", "Chicago", "Los Angeles"]) {
  weather.push(await everything.getStructuredContent({ location }));
}
return { "memory.read_graph": [few, many], "memory.search_nodes": [projects, places],
  "filesystem.directory_tree": [runtime, bench], "everything.get-structured-content": weather };`;

async function record(): Promise<Corpus> {
  const { MCPOrchestrator } = await import("../runtime/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "infer-corpus-" });
  const checkout = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const pinned = (pkg: string, args: string[] = [], env: Record<string, string> = {}) => ({
    type: "stdio" as const,
    command: Deno.execPath(),
    args: [
      "run",
      "-A",
      "--no-config",
      "--no-lock",
      `npm:@modelcontextprotocol/${pkg}@2026.8.31`,
      ...args,
    ],
    env,
  });
  try {
    await using orch = new MCPOrchestrator({
      config: {
        servers: {
          memory: pinned("server-memory", [], { MEMORY_FILE_PATH: `${dir}/memory.jsonl` }),
          filesystem: pinned("server-filesystem", [checkout]),
          everything: pinned("server-everything", ["stdio"]),
        },
      },
      serversDir: `${dir}/servers`,
      stateDir: `${dir}/state`,
      inferOutputTypes: false,
    });
    await orch.initialize();
    const result = await orch.executeTask({
      id: "record",
      description: "record the inference corpus",
      code: RECORD_CODE,
      requiredTools: ["memory", "filesystem", "everything"],
      status: "pending",
    });
    if (result.status !== "completed") throw new Error(JSON.stringify(result.error));
    return result.data as Corpus;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** How many string values of the result (other than JSON Schema's own words) appear in the shape. */
function keptValues(value: unknown, shape: unknown): number {
  const text = JSON.stringify(shape);
  const words = new Set(["object", "array", "string", "integer", "number", "boolean", "null"]);
  const strings = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 4 && !words.has(v)) strings.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return [...strings].filter((s) => text.includes(JSON.stringify(s))).length;
}

async function quicktypeTs(samples: unknown[]): Promise<string> {
  const input = jsonInputForTargetLanguage("typescript");
  await input.addSource({ name: "Output", samples: samples.map((s) => JSON.stringify(s)) });
  const data = new InputData();
  data.addInput(input);
  const result = await quicktype({
    inputData: data,
    lang: "typescript",
    rendererOptions: { "just-types": "true" },
  });
  return result.lines.join("\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

if (import.meta.main) {
  const runs = Number(Deno.args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 20);
  if (Deno.args.includes("--record")) {
    await Deno.writeTextFile(CORPUS, `${JSON.stringify(await record(), null, 2)}\n`);
  }
  const recorded = JSON.parse(await Deno.readTextFile(CORPUS)) as Corpus;
  const corpus = Object.entries(recorded).map(([tool, results]) =>
    [`\`${tool}\``, results[0], results[1]] as const
  );
  const lines = [
    "| tool | bytes of the first result | genson-js: shape, ms | genson-js: merge a second result, ms | quicktype-core: TypeScript from 1 sample, ms | quicktype-core: from 2 samples, ms | values kept: genson-js / quicktype-core |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  // quicktype-core's first run loads its language tables: warm both up first.
  shapeOf(corpus[0]![1]);
  await quicktypeTs([corpus[0]![1]]);
  for (const [name, first, second] of corpus) {
    const shape = shapeOf(first)!;
    const g1 = await time(runs, () => shapeOf(first));
    const g2 = await time(runs, () => mergeShapes(shape, shapeOf(second)!));
    const q1 = await time(Math.min(runs, 10), () => quicktypeTs([first]));
    const q2 = await time(Math.min(runs, 10), () => quicktypeTs([first, second]));
    const keptG = keptValues(first, shape) === 0 ? "no" : `${keptValues(first, shape)} values`;
    // quicktype-core merges only from samples: inferring from N results means keeping N results.
    lines.push(
      `| ${name} | ${JSON.stringify(first).length.toLocaleString("en")} | ${g1.toFixed(2)} | ${
        g2.toFixed(2)
      } | ${q1.toFixed(1)} | ${q2.toFixed(1)} | ${keptG} / the samples themselves |`,
    );
  }
  const table = lines.join("\n");
  console.log(table);
  if (Deno.args.includes("--write-docs")) {
    const body =
      `Run: \`deno run -A bench/infer_bench.ts --write-docs\` (Deno ${Deno.version.deno}, 2 cores shared with other
work). Medians. genson-js is what the project uses (docs/typecheck.md says why).

${table}
`;
    const existing = await Deno.readTextFile(DOCS).catch(() => undefined);
    await Deno.writeTextFile(DOCS, replaceSection(existing, "Output type inference", body));
  }
}
