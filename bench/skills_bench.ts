/**
 * Skill store and skill search speed, on disk in a fresh temporary folder, without servers or sandboxes:
 *
 * - save: a new skill, and a new version of an existing one (median of 100 each);
 * - load: `loadSkill` of one of them (median of 100);
 * - `listSkills` and `searchSkills` over 1,000 skills, whose descriptions are built from the recorded `tools/list`
 *   corpus (`tests/fixtures/tools_list/`), with 100 queries made of words from those descriptions.
 *
 * Run: `deno run --allow-read --allow-write --allow-env bench/skills_bench.ts [--skills=1000] [--runs=100]`
 *
 * @module
 */

import { join } from "node:path";
import { type SkillHost, SkillManager } from "../runtime/skills/mod.ts";
import type { Tool } from "../runtime/sdk.ts";
import { type Row, summarize, timingTable } from "./_speed_stats.ts";

function option(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const SKILLS = option("skills", 1000);
const RUNS = option("runs", 100);
const FIXTURES = new URL("../tests/fixtures/tools_list/", import.meta.url);

/** Mulberry32: a small seeded generator, so that every run builds the same skills and asks the same queries. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function corpusDescriptions(): Promise<string[]> {
  const descriptions: string[] = [];
  for await (const file of Deno.readDir(FIXTURES)) {
    if (!file.name.endsWith(".json")) continue;
    const { tools } = JSON.parse(await Deno.readTextFile(new URL(file.name, FIXTURES))) as {
      tools: Tool[];
    };
    for (const tool of tools) {
      const text = (tool.description ?? "").split(/(?<=\.)\s/)[0]!.replaceAll("---", "-").slice(
        0,
        300,
      ).trim();
      if (text.length > 10) descriptions.push(text);
    }
  }
  return descriptions.sort();
}

async function time(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const CODE = `const items = args.items ?? [];
const seen = new Set();
for (const item of items) seen.add(String(item).toLowerCase());
return { count: seen.size, first: [...seen].slice(0, 3) };`;

const dir = await Deno.makeTempDir({ prefix: "skills-bench-" });
try {
  const host: SkillHost = {
    serversDir: join(dir, "servers"),
    servers: () => [],
    currentTools: () => undefined,
    runTask: () => Promise.reject(new Error("the bench runs no task")),
    refuse: () => Promise.reject(new Error("the bench runs no task")),
  };
  const skills = new SkillManager(host, { dir: join(dir, "skills") });
  const rand = random(42);
  const descriptions = await corpusDescriptions();
  const pick = () => descriptions[Math.floor(rand() * descriptions.length)]!;
  const params = {
    type: "object",
    properties: { items: { type: "array", items: { type: "string" } } },
  };
  const rows: Row[] = [];

  const saveNew: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    saveNew.push(
      await time(() => skills.save(`skill-${i}`, { description: pick(), code: CODE, params })),
    );
  }
  rows.push({
    name: "saveSkill, new skill",
    summary: summarize(saveNew),
    note: "SKILL.md, skill.ts, tools.json + versions/1",
  });

  const saveVersion: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    saveVersion.push(
      await time(() => skills.save("skill-0", { description: pick(), code: CODE, params })),
    );
  }
  rows.push({
    name: "saveSkill, new version",
    summary: summarize(saveVersion),
    note: `versions 2..${RUNS + 1}`,
  });

  const load: number[] = [];
  for (let i = 0; i < RUNS; i++) load.push(await time(() => skills.load(`skill-${i}`)));
  rows.push({ name: "loadSkill", summary: summarize(load), note: "files, metadata, versions" });

  for (let i = RUNS; i < SKILLS; i++) {
    await skills.save(`skill-${i}`, {
      description: `${pick()} Then: ${pick()}`,
      code: CODE,
      params,
    });
  }
  const list: number[] = [];
  for (let i = 0; i < 20; i++) list.push(await time(() => skills.list()));
  rows.push({
    name: `listSkills, ${SKILLS} skills`,
    summary: summarize(list),
    note: "stats each skill's files",
  });

  const queries = Array.from({ length: RUNS }, () => {
    const words = pick().split(/\W+/).filter((w) => w.length > 3);
    return words.slice(0, 3).join(" ") || "list items";
  });
  const first = await time(() => skills.search(queries[0]!));
  const search: number[] = [];
  let hits = 0;
  for (const query of queries) {
    search.push(
      await time(() => {
        hits += skills.search(query).length;
      }),
    );
  }
  rows.push({
    name: `searchSkills, ${SKILLS} skills`,
    summary: summarize(search),
    note: `first call (builds the index): ${first.toFixed(1)} ms; ${
      (hits / queries.length).toFixed(1)
    } hits a query`,
  });

  console.log(`Skills: ${Deno.build.os} ${Deno.build.arch}, Deno ${Deno.version.deno}\n`);
  console.log(timingTable(rows));
} finally {
  await Deno.remove(dir, { recursive: true });
}
