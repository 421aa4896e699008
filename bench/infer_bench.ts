/**
 * Output type inference, two libraries on the same results: `genson-js` (JSON to a JSON Schema of names and types,
 * merged without the samples) and `quicktype-core` (JSON samples to TypeScript). The results are built by the script
 * in the shapes the reference servers return: server-memory's `read_graph` (5 entities, then 200),
 * server-filesystem's `directory_tree` (over this checkout's `runtime/`, then `bench/`), and a list of records with
 * optional and null fields (500, then 20).
 *
 * Run: `deno run -A bench/infer_bench.ts [--runs=20] [--write-docs]`
 *
 * @module
 */

import { InputData, jsonInputForTargetLanguage, quicktype } from "quicktype-core";
import { mergeShapes, shapeOf } from "../runtime/codegen/mod.ts";
import { replaceSection } from "./_docs_section.ts";

const DOCS = new URL("../docs/benchmarks.md", import.meta.url);

function graph(n: number): unknown {
  return {
    entities: Array.from({ length: n }, (_, i) => ({
      type: "entity",
      name: `person-${i}@example.com`,
      entityType: i % 3 === 0 ? "person" : "project",
      observations: Array.from({ length: i % 4 }, (_, j) => `observation ${j} of ${i}`),
    })),
    relations: Array.from({ length: Math.floor(n / 2) }, (_, i) => ({
      type: "relation",
      from: `person-${i}@example.com`,
      to: `person-${i + 1}@example.com`,
      relationType: "works_with",
    })),
  };
}

async function tree(dir: string, depth = 0): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const entry of Deno.readDir(dir)) {
    out.push(
      entry.isDirectory && depth < 3
        ? {
          name: entry.name,
          type: "directory",
          children: await tree(`${dir}/${entry.name}`, depth + 1),
        }
        : { name: entry.name, type: entry.isDirectory ? "directory" : "file" },
    );
  }
  return out;
}

function rows(n: number): unknown {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    email: `user${i}@example.com`,
    score: i % 7 === 0 ? null : i / 3,
    tags: i % 2 === 0 ? ["a", "b"] : [],
    ...(i % 5 === 0 ? { note: "late" } : {}),
  }));
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
  const corpus: Array<[string, unknown, unknown]> = [
    ["`read_graph`, 5 entities, then 200", graph(5), graph(200)],
    [
      "`directory_tree` of `runtime/`",
      await tree(new URL("../runtime", import.meta.url).pathname),
      await tree(new URL("../bench", import.meta.url).pathname),
    ],
    ["500 records, optional and null fields", rows(500), rows(20)],
  ];
  const lines = [
    "| result | bytes | genson-js: shape, ms | genson-js: merge a second result, ms | quicktype-core: TypeScript from 1 sample, ms | quicktype-core: from 2 samples, ms | values kept: genson-js / quicktype-core |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  // quicktype-core's first run loads its language tables: warm both up first.
  shapeOf(graph(2));
  await quicktypeTs([graph(2)]);
  for (const [name, first, second] of corpus) {
    const shape = shapeOf(first);
    const g1 = await time(runs, () => shapeOf(first));
    const g2 = await time(runs, () => mergeShapes(shape, shapeOf(second)));
    const q1 = await time(Math.min(runs, 10), () => quicktypeTs([first]));
    const q2 = await time(Math.min(runs, 10), () => quicktypeTs([first, second]));
    const keptG = JSON.stringify(shape).includes("example.com") ? "yes" : "no";
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
