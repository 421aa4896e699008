import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Tool } from "../sdk.ts";
import { writeServerModule, writeServerModules } from "./write_server_modules.ts";
import {
  allFixtureKeys,
  generateTree,
  GOLDEN_FIXTURES,
  KITCHEN_SINK_FILE,
  loadFixtureFile,
  loadFixtures,
  readTree,
} from "./_test_fixtures.ts";

/** A temporary folder removed when the test's scope ends. */
async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "codegen_test_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

function tool(name: string): Tool {
  return { name, inputSchema: { type: "object", properties: {} } };
}

/** Runs the Deno that runs the tests, in `cwd`; returns its exit code and output. */
async function deno(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

/** Type-checks and format-checks a generated tree as a standalone project, with the project's settings. */
async function assertCheckAndFmt(dir: string): Promise<void> {
  const config = {
    lock: false,
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
    },
    fmt: { lineWidth: 100 },
  };
  await Deno.writeTextFile(join(dir, "deno.json"), `${JSON.stringify(config, null, 2)}\n`);
  const tsFiles = [...(await readTree(dir)).keys()].filter((path) => path.endsWith(".ts"));
  const check = await deno(dir, ["check", "--config", "deno.json", ...tsFiles]);
  assert.equal(check.code, 0, `deno check failed:\n${check.output}`);
  const fmt = await deno(dir, ["fmt", "--check", "--config", "deno.json", "."]);
  assert.equal(fmt.code, 0, `deno fmt --check failed:\n${fmt.output}`);
}

Deno.test("writeServerModules() writes the tree, then only what changed", async () => {
  await using dir = await tempDir();
  const servers = await loadFixtures(GOLDEN_FIXTURES);
  const first = await writeServerModules(dir.path, servers);
  const expected = generateTree(servers);
  assert.deepEqual(first.written, [...expected.keys()]);
  assert.deepEqual(first.removed, []);
  assert.deepEqual(await readTree(dir.path), expected);

  assert.deepEqual(await writeServerModules(dir.path, servers), { written: [], removed: [] });

  const memory = servers.find((server) => server.name === "memory")!;
  memory.version = "0.6.4";
  const bumped = await writeServerModules(dir.path, servers);
  assert.ok(bumped.written.length > 0);
  assert.ok(bumped.written.every((path) => path.startsWith("memory/")), bumped.written.join(", "));
});

Deno.test("writeServerModules() removes stale generated files and leaves other files alone", async () => {
  await using dir = await tempDir();
  await writeServerModules(dir.path, [
    { name: "alpha", version: "1", tools: [tool("one"), tool("two")] },
    { name: "beta", version: "1", tools: [tool("three")] },
    { name: "gamma", version: "1", tools: [tool("four")] },
  ]);
  await Deno.writeTextFile(join(dir.path, "alpha", "notes.ts"), "export const mine = 1;\n");
  await Deno.writeTextFile(join(dir.path, "gamma", "README.md"), "mine\n");
  await Deno.mkdir(join(dir.path, "custom"));
  await Deno.writeTextFile(join(dir.path, "custom", "helper.ts"), "export const helper = 2;\n");
  await Deno.writeTextFile(join(dir.path, "top.ts"), "export const top = 3;\n");

  const result = await writeServerModules(dir.path, [{
    name: "alpha",
    version: "1",
    tools: [tool("one")],
  }]);

  // globals.d.ts follows the servers: only alpha's namespace is left.
  assert.deepEqual(result.written, [
    "alpha/__init__.py",
    "alpha/_manifest.json",
    "alpha/_module.js",
    "alpha/index.ts",
    "globals.d.ts",
  ]);
  const globals = await Deno.readTextFile(join(dir.path, "globals.d.ts"));
  assert.match(globals, /var alpha: typeof alpha_;/);
  assert.doesNotMatch(globals, /beta|gamma/);
  assert.deepEqual(result.removed, [
    "alpha/two.ts",
    "beta",
    "beta/__init__.py",
    "beta/_manifest.json",
    "beta/_module.js",
    "beta/index.ts",
    "beta/three.ts",
    "gamma/__init__.py",
    "gamma/_manifest.json",
    "gamma/_module.js",
    "gamma/four.ts",
    "gamma/index.ts",
  ]);
  assert.deepEqual([...(await readTree(dir.path)).keys()], [
    "_client.ts",
    "alpha/__init__.py",
    "alpha/_manifest.json",
    "alpha/_module.js",
    "alpha/index.ts",
    "alpha/notes.ts",
    "alpha/one.ts",
    "custom/helper.ts",
    "gamma/README.md",
    "globals.d.ts",
    "top.ts",
  ]);
});

Deno.test("writeServerModules() leaves another writer's temporary files alone", async () => {
  await using dir = await tempDir();
  const servers = [{ name: "alpha", version: "1", tools: [tool("one")] }];
  await writeServerModules(dir.path, servers);
  // What another process writing the same folder has on disk between its write and its rename: generated text
  // under a temporary name.
  const target = join(dir.path, "alpha", "one.ts");
  const temporary = `${target}.${crypto.randomUUID()}.tmp`;
  await Deno.copyFile(target, temporary);
  const result = await writeServerModules(dir.path, [
    { name: "alpha", version: "1", tools: [tool("one"), tool("two")] },
  ]);
  assert.ok(result.written.includes("alpha/two.ts"));
  assert.deepEqual(result.removed, []);
  await Deno.rename(temporary, target);
});

Deno.test("writeServerModules() refuses to overwrite a file it did not generate", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "alpha"));
  await Deno.writeTextFile(join(dir.path, "alpha", "one.ts"), "// my own code\n");
  await assert.rejects(
    writeServerModules(dir.path, [{ name: "alpha", version: "1", tools: [tool("one")] }]),
    {
      name: "Error",
      message: 'Cannot write "alpha/one.ts": the file exists and was not generated by mcp-executor',
    },
  );
  assert.equal(await Deno.readTextFile(join(dir.path, "alpha", "one.ts")), "// my own code\n");
});

Deno.test("writeServerModules() rejects two servers that map to one folder", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    writeServerModules(dir.path, [
      { name: "my server", version: "1", tools: [] },
      { name: "my_server", version: "1", tools: [] },
    ]),
    {
      name: "TypeError",
      message:
        'Cannot generate server modules: servers "my server" and "my_server" both map to folder "my_server"',
    },
  );
});

Deno.test("writeServerModule() regenerates one server and cleans only its folder", async () => {
  await using dir = await tempDir();
  await writeServerModules(dir.path, [
    { name: "alpha", version: "1", tools: [tool("one"), tool("two")] },
    { name: "beta", version: "1", tools: [tool("three")] },
  ]);
  const [first, second] = await Promise.all([
    writeServerModule(dir.path, {
      name: "alpha",
      version: "2",
      tools: [tool("one"), tool("five")],
    }),
    writeServerModule(dir.path, {
      name: "alpha",
      version: "2",
      tools: [tool("one"), tool("five")],
    }),
  ]);
  assert.deepEqual(first, {
    written: [
      "alpha/__init__.py",
      "alpha/_manifest.json",
      "alpha/_module.js",
      "alpha/five.ts",
      "alpha/index.ts",
      "alpha/one.ts",
    ],
    removed: ["alpha/two.ts"],
  });
  // The second call ran after the first (calls on one folder are serialized): nothing left to do.
  assert.deepEqual(second, { written: [], removed: [] });
  const files = [...(await readTree(dir.path)).keys()];
  assert.ok(files.includes("beta/three.ts"));
});

Deno.test("writeServerModules() output passes deno check and deno fmt, and its types work for callers", async () => {
  await using dir = await tempDir();
  const servers = [
    ...await loadFixtures(GOLDEN_FIXTURES),
    await loadFixtureFile(KITCHEN_SINK_FILE),
  ];
  await writeServerModules(dir.path, servers);
  // Agent-style code against the generated modules: right calls compile, wrong ones must not.
  await Deno.writeTextFile(
    join(dir.path, "usage.ts"),
    `import * as memory from "./memory/index.ts";
import * as thinking from "./sequential-thinking/index.ts";

export async function usage(): Promise<string[]> {
  const graph = await memory.readGraph();
  await memory.createEntities({ entities: [{ name: "a", entityType: "t", observations: [] }] });
  // @ts-expect-error: entities is required
  await memory.createEntities({});
  // @ts-expect-error: read_graph takes no arguments
  await memory.readGraph({ extra: 1 });
  const step = await thinking.sequentialthinking({
    thought: "x",
    nextThoughtNeeded: true,
    thoughtNumber: 1,
    totalThoughts: 2,
  });
  step.branches satisfies string[];
  return graph.entities.map((entity) => entity.name);
}
`,
  );
  await assertCheckAndFmt(dir.path);
});

Deno.test("writeServerModules() output passes deno check and deno fmt for every recorded fixture", async () => {
  await using dir = await tempDir();
  await writeServerModules(dir.path, await loadFixtures(await allFixtureKeys()));
  await assertCheckAndFmt(dir.path);
});

Deno.test("generated functions call the sandbox bridge, and reject clearly outside a sandbox", async () => {
  await using dir = await tempDir();
  await writeServerModules(dir.path, await loadFixtures(["memory"]));
  const { readGraph, searchNodes } = await import(
    pathToFileURL(join(dir.path, "memory", "index.ts")).href
  );
  await assert.rejects(readGraph(), {
    name: "Error",
    message:
      'Cannot call tool "read_graph" of server "memory": generated server modules only run inside an mcp-executor sandbox',
  });
  const key = Symbol.for("mcp-executor.bridge");
  const calls: unknown[] = [];
  (globalThis as Record<symbol, unknown>)[key] = {
    callTool(server: string, tool: string, args: unknown): Promise<unknown> {
      calls.push({ server, tool, args });
      return Promise.resolve({ entities: [], relations: [] });
    },
  };
  try {
    assert.deepEqual(await readGraph(), { entities: [], relations: [] });
    await searchNodes({ query: "x" });
  } finally {
    delete (globalThis as Record<symbol, unknown>)[key];
  }
  assert.deepEqual(calls, [
    { server: "memory", tool: "read_graph", args: {} },
    { server: "memory", tool: "search_nodes", args: { query: "x" } },
  ]);
});
