import assert from "node:assert/strict";
import {
  analyzeSkillCode,
  checkSkillModule,
  rebaseSkillModule,
  renderSkillModule,
} from "./skill_code.ts";

const SERVERS = [
  {
    name: "memory",
    identifier: "memory",
    dirName: "memory",
    tools: ["read_graph", "create_entities"],
  },
  { name: "seq-think", identifier: "seq_think", dirName: "seq-think", tools: ["think"] },
];

Deno.test("analyzeSkillCode() finds the tools a skill calls, however it reaches them", async (t) => {
  const cases: Array<[string, string, string[], string[]]> = [
    ["namespace calls", "await memory.readGraph();\nawait seq_think.think({});", [
      "memory.read_graph",
      "seq-think.think",
    ], []],
    [
      "named imports",
      'import { createEntities } from "servers/memory/index.ts";\nawait createEntities({ entities: [] });',
      [
        "memory.create_entities",
      ],
      [],
    ],
    [
      "a namespace used as a value means the whole server",
      "const s = memory;\nawait s.readGraph();",
      ["memory"],
      [],
    ],
    ["computed access means the whole server", "await memory[args.fn]({});", ["memory"], []],
    [
      "property names and types are not uses",
      "const o = { memory: 1 };\nlet x: memory.Foo;\nreturn o.memory;",
      [],
      [],
    ],
    [
      "skill imports",
      'import { run } from "skills/count-domain/skill.ts";\nreturn await run({});',
      [],
      ["count-domain"],
    ],
  ];
  for (const [name, code, tools, skills] of cases) {
    await t.step(name, () => {
      const info = analyzeSkillCode(code, SERVERS);
      assert.deepEqual(info.tools, tools);
      assert.deepEqual(info.skills, skills);
    });
  }
});

Deno.test("renderSkillModule() keeps the body's lines and rewrites its imports relative to the file", () => {
  const code =
    'import { run as other } from "skills/other/skill.ts";\nconst n = await memory.readGraph();\nreturn [n, await other(args)];';
  const info = analyzeSkillCode(code, SERVERS);
  const text = renderSkillModule(info, {
    name: "mine",
    version: 3,
    serversPath: "../../servers",
    skillsPath: "..",
    namespaces: [SERVERS[0]!],
  });
  assert.deepEqual(checkSkillModule(text), { version: 3 });
  assert.ok(text.includes('import * as memory from "../../servers/memory/index.ts";'));
  assert.ok(text.includes('import { run as other } from "../other/skill.ts";'));
  const lines = text.split("\n");
  const start = lines.indexOf("export async function run(args: any): Promise<any> {") + 1;
  assert.deepEqual(lines.slice(start + 1, start + 3), code.split("\n").slice(1));
  const rebased = rebaseSkillModule(text, "/s/mine", "/s/mine/versions/3");
  assert.ok(rebased.includes('from "../../../../servers/memory/index.ts"'));
  assert.ok(rebased.includes('from "../../../other/skill.ts"'));
  assert.throws(() => checkSkillModule("const run = 1;"), /does not export a run function/);
});

Deno.test("a skill that imports another skill's run under that name calls the other skill, not itself", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const render = (name: string, code: string) =>
      renderSkillModule(analyzeSkillCode(code, []), {
        name,
        version: 1,
        serversPath: "../../servers",
        skillsPath: "..",
        namespaces: [],
      });
    await Deno.mkdir(`${dir}/double`);
    await Deno.mkdir(`${dir}/double-plus-one`);
    await Deno.writeTextFile(`${dir}/double/skill.ts`, render("double", "return args.x * 2;"));
    const text = render(
      "double-plus-one",
      `import { run } from "skills/double/skill.ts";\nreturn (await run({ x: args.x })) + 1;`,
    );
    assert.deepEqual(checkSkillModule(text), { version: 1 });
    await Deno.writeTextFile(`${dir}/double-plus-one/skill.ts`, text);
    const module = await import(`file://${dir}/double-plus-one/skill.ts`);
    assert.equal(await module.run({ x: 20 }), 41);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
