import assert from "node:assert/strict";
import { prepareCode, type PreparedCode } from "./prepare_code.ts";

const SERVERS_URL = "file:///app/servers/";
const SKILLS_URL = "file:///app/skills/";

/** Evaluates a prepared script without imports in this process, as the Worker would. */
async function evaluate(prepared: PreparedCode): Promise<unknown> {
  assert.equal(prepared.format, "script");
  const load = (0, eval)(prepared.source) as () => Promise<() => Promise<unknown>>;
  return await (await load())();
}

function agentLines(prepared: PreparedCode): string[] {
  const lines = prepared.source.split("\n");
  return [lines[0]!.slice(prepared.firstLineOffset), ...lines.slice(1)];
}

Deno.test("prepareCode() keeps every agent line on its line number", () => {
  const code =
    'import { echo } from "servers/echo/index.ts";\nconst a = 1;\n\nreturn await echo({ a });';
  const prepared = prepareCode(code, { serversUrl: SERVERS_URL });
  assert.equal(prepared.format, "script");
  const lines = agentLines(prepared);
  assert.equal(lines[0]!.trim(), ";");
  assert.equal(lines[1], "const a = 1;");
  assert.equal(lines[3], "return await echo({ a });");
  assert.match(
    prepared.source.split("\n")[0]!,
    /^\(async \(\) => \{"use strict"; const \{ echo \} = await import\("file:\/\/\/app\/servers\/echo\/index\.ts"\);/,
  );
});

Deno.test("prepareCode() rewrites servers/ and skills/ specifiers to file: URLs", async (t) => {
  const cases: Array<[string, string]> = [
    ['import { echo } from "servers/echo/index.ts";', "file:///app/servers/echo/index.ts"],
    ['import { echo } from "./servers/echo/index.ts";', "file:///app/servers/echo/index.ts"],
    ['import * as echo from "servers/echo";', "file:///app/servers/echo/index.ts"],
    ['import { summarize } from "skills/summarize.ts";', "file:///app/skills/summarize.ts"],
  ];
  for (const [code, url] of cases) {
    await t.step(code, () => {
      const script = prepareCode(code, { serversUrl: SERVERS_URL, skillsUrl: SKILLS_URL });
      assert.ok(script.source.includes(`await import(${JSON.stringify(url)})`), script.source);
      const module = prepareCode(code, {
        serversUrl: SERVERS_URL,
        skillsUrl: SKILLS_URL,
        forceModule: true,
      });
      assert.equal(module.format, "module");
      assert.ok(module.source.includes(`from ${JSON.stringify(url)};`), module.source);
    });
  }
});

Deno.test("prepareCode() resolves skills/<name>/ to the principal's private folder and refuses hidden folders", () => {
  const skillFolderUrl = (name: string) =>
    name === "greet" ? "file:///app/skills/.principals/alice/greet/" : undefined;
  const options = { serversUrl: SERVERS_URL, skillsUrl: SKILLS_URL, skillFolderUrl };
  const own = prepareCode('import { run } from "skills/greet/versions/2/skill.ts";', options);
  assert.ok(
    own.source.includes('"file:///app/skills/.principals/alice/greet/versions/2/skill.ts"'),
  );
  const shared = prepareCode('import { run } from "skills/motto/skill.ts";', options);
  assert.ok(shared.source.includes('"file:///app/skills/motto/skill.ts"'));
  assert.throws(
    () => prepareCode('import { run } from "skills/.principals/alice/greet/skill.ts";', options),
    /hidden folders of skills\/ cannot be imported/,
  );
});

Deno.test("prepareCode() turns every import form into await import() in a script", () => {
  const code = [
    'import def, { a, b as c, type T, "x-y" as xy } from "servers/s/index.ts";',
    'import * as ns from "servers/n/index.ts";',
    'import type { Only } from "servers/t/index.ts";',
    'import "servers/side/index.ts";',
  ].join("\n");
  const first = prepareCode(code, { serversUrl: SERVERS_URL }).source.split("\n")[0]!;
  assert.ok(
    first.includes(
      'const { default: def, a, b: c, "x-y": xy } = await import("file:///app/servers/s/index.ts");',
    ),
  );
  assert.ok(first.includes('const ns = await import("file:///app/servers/n/index.ts");'));
  assert.ok(!first.includes("servers/t/index.ts"));
  assert.ok(first.includes('await import("file:///app/servers/side/index.ts");'));
});

Deno.test("prepareCode() binds servers as namespaces unless the code imports the name itself", () => {
  const servers = [
    { name: "echo", identifier: "echo", moduleUrl: "file:///app/servers/echo/index.ts" },
    {
      name: "my-server",
      identifier: "my_server",
      moduleUrl: "file:///app/servers/my-server/index.ts",
    },
  ];
  const code = 'import { echo } from "servers/echo/index.ts";\nreturn 1;';
  const first = prepareCode(code, { serversUrl: SERVERS_URL, servers }).source.split("\n")[0]!;
  assert.ok(first.includes("const my_server = await import("));
  assert.ok(!first.includes("const echo = await import("));
  assert.throws(
    () =>
      prepareCode("return 1", {
        serversUrl: SERVERS_URL,
        servers: [{ ...servers[0]!, identifier: "a-b" }],
      }),
    TypeError,
  );
});

Deno.test("prepareCode() loads a server's _module.js where moduleUrls says, in scripts and modules", () => {
  const index = "file:///app/servers/echo/index.ts";
  const lean = "file:///app/servers/echo/_module.js";
  const moduleUrls = new Map([[index, lean]]);
  const servers = [{ name: "echo", identifier: "echo", moduleUrl: index }];
  for (const forceModule of [false, true]) {
    const importing = prepareCode('import { ping } from "servers/echo/index.ts";\nreturn 1;', {
      serversUrl: SERVERS_URL,
      moduleUrls,
      forceModule,
    }).source;
    assert.ok(importing.includes(JSON.stringify(lean)) && !importing.includes(index), importing);
    const bound =
      prepareCode("return 1;", { serversUrl: SERVERS_URL, servers, moduleUrls, forceModule })
        .source;
    assert.ok(bound.includes(JSON.stringify(lean)) && !bound.includes(index), bound);
    // A tool's own file is loaded as it is.
    const own = prepareCode('import { ping } from "servers/echo/ping.ts";\nreturn 1;', {
      serversUrl: SERVERS_URL,
      moduleUrls,
      forceModule,
    }).source;
    assert.ok(own.includes('"file:///app/servers/echo/ping.ts"'));
  }
});

Deno.test("prepareCode() refuses other imports, exports and escapes, naming line and column", async (t) => {
  const cases: Array<[string, RegExp]> = [
    [
      'const a = 1;\nimport x from "npm:left-pad";',
      /line 2, column 1: cannot import "npm:left-pad"/,
    ],
    ['import fs from "node:fs";', /line 1, column 1: cannot import "node:fs"/],
    ['import x from "../servers/echo/index.ts";', /cannot import/],
    ['import x from "servers/../../etc/passwd";', /it leaves the servers\/ folder/],
    ['import x from "servers/%2e%2e/secret.ts";', /it leaves the servers\/ folder/],
    ['import x from "skills/a.ts";', /skills are not available/],
    ["return 1;\n  export const a = 1;", /line 2, column 3: export declarations are not allowed/],
    ['import fs = require("fs");', /line 1, column 1: "import x = \.\.\." is not supported/],
  ];
  for (const [code, message] of cases) {
    await t.step(code, () => {
      assert.throws(() => prepareCode(code, { serversUrl: SERVERS_URL }), (error: Error) => {
        assert.ok(error instanceof SyntaxError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("prepareCode() throws a SyntaxError naming line and column when the code does not parse", () => {
  assert.throws(
    () => prepareCode("const a = 1;\nconst b = ;", { serversUrl: SERVERS_URL }),
    (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.message, "Cannot parse agent code at line 2, column 11: Unexpected token");
      return true;
    },
  );
});

Deno.test("prepareCode() erases TypeScript so that the script runs as JavaScript", async (t) => {
  const cases: Array<[string, string, unknown]> = [
    [
      "annotations",
      "const n: number = 2;\nconst f = (a: number, b?: string): number => a * n;\nreturn f(3);",
      6,
    ],
    [
      "as, satisfies and non-null",
      "const m = new Map([[1, 2]]);\nreturn (m.get(1)! as number) + (3 satisfies number);",
      5,
    ],
    ["generic call and arrow", "const id = <T,>(x: T): T => x;\nreturn id<number>(4);", 4],
    ["type assertion", "const v: unknown = 7;\nreturn <number>v;", 7],
    [
      "interfaces and aliases between lines",
      "let a = 1\ninterface I { x: number }\ntype T = string\n(a)\nreturn a",
      1,
    ],
    [
      "an import between lines",
      'let a = 1\nimport type { T } from "servers/x/index.ts"\n(a)\nreturn a',
      1,
    ],
    [
      "class members",
      [
        "abstract class Base<T> implements Iterable<T> { abstract name: string; declare tag: string;",
        "  private readonly items: T[] = []; protected count!: number; public static of<U>(x: U): U { return x }",
        "  [Symbol.iterator](): Iterator<T> { return this.items[Symbol.iterator]() } }",
        "class Box extends Base<number> { name = 'box'; override get size(): number { return 1 } }",
        "return [new Box().name, new Box().size, Base.of<string>('s')];",
      ].join("\n"),
      ["box", 1, "s"],
    ],
    [
      "overloads and this parameter",
      "function f(a: string): string;\nfunction f(this: void, a: any) { return a }\nreturn f('x');",
      "x",
    ],
    [
      "definite assignment and declare",
      "let x!: number;\ndeclare const y: number;\nx = 3;\nreturn x;",
      3,
    ],
    ["optional method", "class A { m?(): void; n(): number { return 2 } }\nreturn new A().n();", 2],
  ];
  for (const [name, code, expected] of cases) {
    await t.step(name, async () => {
      const prepared = prepareCode(code, { serversUrl: SERVERS_URL });
      assert.equal(prepared.format, "script", prepared.source);
      assert.deepEqual(await evaluate(prepared), expected);
      const lines = agentLines(prepared);
      code.split("\n").forEach((line, index) => assert.equal(lines[index]!.length, line.length));
    });
  }
});

Deno.test("prepareCode() falls back to a module when TypeScript cannot be erased or a module is needed", async (t) => {
  const cases = [
    "enum Color { Red }\nreturn Color.Red;",
    "namespace N { export const a = 1 }\nreturn N.a;",
    "class P { constructor(private x: number) {} }\nreturn new P(1);",
    "return import.meta.url;",
    "const f = (a: number):\n  number => a;\nreturn f(1);",
    "return <number>\n  1;",
  ];
  for (const code of cases) {
    await t.step(code.split("\n")[0]!, () => {
      const prepared = prepareCode(code, { serversUrl: SERVERS_URL });
      assert.equal(prepared.format, "module");
      assert.match(prepared.source, /^export default async function __agent__\(\) \{/);
      assert.deepEqual(agentLines(prepared).slice(0, -2), code.split("\n"));
    });
  }
});
