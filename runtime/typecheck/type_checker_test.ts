import assert from "node:assert/strict";
import { join } from "node:path";
import { type Tool, writeServerModules } from "../codegen/mod.ts";
import { TypeChecker } from "./type_checker.ts";
import { pidsRunning } from "../../tests/helpers/processes.ts";

const MEMORY_TOOLS: Tool[] = [
  {
    name: "create_entities",
    inputSchema: {
      type: "object" as const,
      properties: {
        entities: {
          type: "array",
          items: {
            type: "object",
            properties: {
              name: { type: "string" },
              entityType: { type: "string" },
              observations: { type: "array", items: { type: "string" } },
            },
            required: ["name", "entityType", "observations"],
          },
        },
      },
      required: ["entities"],
    },
  },
  { name: "read_graph", inputSchema: { type: "object" as const, properties: {} } },
  {
    name: "search_nodes",
    inputSchema: {
      type: "object" as const,
      properties: { query: { type: "string" } },
      required: ["query"],
    },
  },
];

async function withChecker(
  fn: (check: (code: string) => Promise<string[]>, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "typecheck-test-" });
  try {
    await writeServerModules(join(dir, "servers"), [
      { name: "memory", version: "1", tools: MEMORY_TOOLS },
    ]);
    await using checker = new TypeChecker({
      serversDir: join(dir, "servers"),
      skillsDir: join(dir, "skills"),
    });
    const check = async (code: string) => {
      const outcome = await checker.check({
        code,
        servers: [{ identifier: "memory", dir: "memory" }],
      });
      assert.ok(outcome !== undefined, "the checker did not answer");
      return outcome.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
    };
    await fn(check, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("TypeChecker reports the mistakes agents make, in the agent's own lines", async (t) => {
  await withChecker(async (check) => {
    await t.step("a misspelled property of a typed input", async () => {
      const found = await check(
        'const x = 1;\nawait memory.createEntities({ entities: [{ name: "a", entityTyp: "t", observations: [] }] });',
      );
      assert.equal(found.length, 1);
      assert.match(found[0]!, /^2:\d+ .*'entityTyp'/);
    });
    await t.step("a missing required field", async () => {
      const found = await check("await memory.searchNodes({});");
      assert.match(found[0] ?? "", /^1:\d+ .*'query'/);
    });
    await t.step("a wrong primitive type", async () => {
      const found = await check("await memory.searchNodes({ query: 42 });");
      assert.match(found[0] ?? "", /^1:\d+ .*'number' is not assignable to type 'string'/);
    });
    await t.step("a function the server does not have", async () => {
      const found = await check("\n\nawait memory.readGrap();");
      assert.match(found[0] ?? "", /^3:14 Property 'readGrap' does not exist/);
    });
    await t.step(
      "an import of a function the server does not have, after a multi-line import",
      async () => {
        const found = await check(
          'import {\n  readGraph,\n} from "servers/memory/index.ts";\nimport { nope } from "servers/memory/index.ts";\nreturn await readGraph();',
        );
        assert.equal(found.length, 1);
        assert.match(found[0]!, /^4:10 .*'nope'/);
        assert.ok(!found[0]!.includes(Deno.cwd()) && !found[0]!.includes("/tmp"), found[0]);
      },
    );
    await t.step("a server module that does not exist, without a host path", async () => {
      const found = await check('import { x } from "servers/nowhere/index.ts";\nreturn x;');
      assert.match(found[0] ?? "", /^1:\d+ Cannot find module 'servers\/nowhere\/index.ts'/);
    });
  });
});

Deno.test("TypeChecker is loose where agents are loose", async () => {
  await withChecker(async (check) => {
    const clean = [
      // a top-level return, top-level await, any from JSON, unknown results used freely, unused names, implicit any
      "const graph = await memory.readGraph();\nconst unused = 1;\nconst f = (x) => x.y.z;\nreturn graph.entities[0].name;",
      "const data = JSON.parse('{}');\nreturn data.anything.at.all;",
      "progress(1, 2, 'half');\nconst hits = await tools.search('read a file', { limit: 3 });\nreturn hits.map((h) => h.server);",
      "return args.text.split(' ').length;",
      "const text = await Deno.readTextFile('x');\nreturn text.length;",
      // a skill the checker cannot see (a principal's private one) is not an error
      'import { run } from "skills/mine/skill.ts";\nreturn await run({});',
    ];
    for (const code of clean) assert.deepEqual(await check(code), [], code);
  });
});

Deno.test("TypeChecker sees a generated module that changed since the last check", async () => {
  await withChecker(async (check, dir) => {
    const code = "const g = await memory.readGraph();\nreturn g.entitiez.length;";
    assert.deepEqual(await check(code), []); // unknown output: anything goes
    await writeServerModules(join(dir, "servers"), [{
      name: "memory",
      version: "1",
      tools: MEMORY_TOOLS.map((tool) =>
        tool.name !== "read_graph" ? tool : {
          ...tool,
          outputSchema: {
            type: "object" as const,
            properties: { entities: { type: "array" }, relations: { type: "array" } },
            required: ["entities", "relations"],
          },
        }
      ),
    }]);
    const found = await check(code);
    assert.match(
      found[0] ?? "",
      /^2:10 Property 'entitiez' does not exist.*Did you mean 'entities'/,
    );
  });
});

Deno.test("TypeChecker cannot read host files outside servers/ and skills/, whatever the code imports", async () => {
  const outside = await Deno.makeTempDir({ prefix: "typecheck-secret-" });
  try {
    const secret = join(outside, "secret.ts");
    // Its type spells the secret: a checker that read it would print it in "not assignable" messages.
    await Deno.writeTextFile(
      secret.replace(".ts", ".d.ts"),
      'declare const key: { "sk-live-4242": true };\n',
    );
    await Deno.writeTextFile(secret, 'export declare const key: { "sk-live-4242": true };\n');
    await withChecker(async (check) => {
      const attempts = [
        `import { key } from ${JSON.stringify(secret)};\nconst n: number = key;`,
        `type T = typeof import(${JSON.stringify(secret)});\nconst t: number = ({} as T).key;`,
        `/// <reference path=${
          JSON.stringify(secret.replace(".ts", ".d.ts"))
        } />\nconst n: number = key;`,
        `const m = await import(${JSON.stringify(secret)});\nconst n: number = m.key;`,
        `import { key } from "servers/../../${
          outside.split("/").pop()
        }/secret.ts";\nconst n: number = key;`,
      ];
      for (const code of attempts) {
        const found = await check(code);
        assert.ok(found.length > 0, `no error for: ${code}`);
        assert.ok(!found.join("\n").includes("sk-live-4242"), found.join("\n"));
      }
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

/** The compiler processes this process started (their command line has `--api`). */
function compilerPids(): number[] {
  return pidsRunning(["--api"], { childrenOnly: true });
}

Deno.test({
  name:
    "TypeChecker survives its compiler being killed: that check is skipped, the next one starts a new compiler",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "typecheck-kill-" });
    try {
      await using checker = new TypeChecker({ serversDir: dir });
      const code = "const n: number = 'one';";
      assert.equal((await checker.check({ code, servers: [] }))?.diagnostics.length, 1);
      const pids = compilerPids();
      assert.equal(pids.length, 1, `compiler processes: ${pids}`);
      Deno.kill(pids[0]!, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 100));
      // This check finds its compiler gone: it resolves to undefined (the task would run unchecked), no rejection.
      const lost = await checker.check({ code, servers: [] });
      const again = lost ?? await checker.check({ code, servers: [] });
      assert.equal(again?.diagnostics.length, 1);
      assert.ok(!compilerPids().includes(pids[0]!));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("TypeChecker gives up on a check past checkTimeoutMs (the task would run unchecked)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "typecheck-timeout-" });
  try {
    await using checker = new TypeChecker({ serversDir: dir, checkTimeoutMs: 1 });
    // 1 ms: the compiler cannot even start in time.
    assert.equal(await checker.check({ code: "const n: number = 'one';", servers: [] }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
