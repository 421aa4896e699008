import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, MCPOrchestrator } from "../runtime/mod.ts";
import {
  assertFailed,
  assertNotCapable,
  startOrchestrator,
} from "./helpers/orchestrator_fixture.ts";
import { referenceConfig } from "./helpers/servers.ts";

Deno.test("MCPOrchestrator runs tasks against server-memory, server-filesystem and server-everything", async (t) => {
  const progress: number[] = [];
  await using f = await startOrchestrator({ onProgress: (p) => progress.push(p.progress) });

  await t.step(
    "writes entities, reads the graph back, filters it in the sandbox, returns three names",
    async () => {
      const result = await f.run(
        `await memory.createEntities({ entities: [
  { name: "Ada", entityType: "person", observations: ["engineer"] },
  { name: "Bram", entityType: "person", observations: ["engineer"] },
  { name: "Chiara", entityType: "person", observations: ["designer"] },
  { name: "Runtime", entityType: "team", observations: ["owns the sandbox"] },
] });
const graph = await memory.readGraph();
return graph.entities.filter((e) => e.entityType === "person").map((e) => e.name).sort();`,
        ["memory"],
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.deepEqual(result.data, ["Ada", "Bram", "Chiara"]);
      assert.deepEqual(result.stats.toolsCalled, ["memory.create_entities", "memory.read_graph"]);
      assert.ok(result.stats.tokensUsed > 0 && result.stats.tokensDirect > result.stats.tokensUsed);
    },
  );

  await t.step("lists and reads files through server-filesystem", async () => {
    const data = join(f.dir, "data");
    await Deno.writeTextFile(join(data, "a.txt"), "alpha");
    await Deno.writeTextFile(join(data, "b.txt"), "beta");
    const result = await f.run(
      `const listing = await filesystem.listDirectory({ path: ${JSON.stringify(data)} });
const names = listing.content.split("\\n").filter((l) => l.startsWith("[FILE]") && l.endsWith(".txt"))
  .map((l) => l.slice("[FILE] ".length));
const texts = await Promise.all(names.map((n) => filesystem.readTextFile({ path: ${
        JSON.stringify(data)
      } + "/" + n })));
return Object.fromEntries(names.map((n, i) => [n, texts[i].content]));`,
      ["filesystem.list_directory", "filesystem.read_text_file"],
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, { "a.txt": "alpha", "b.txt": "beta" });
  });

  await t.step("a server-everything tool reports progress to onProgress", async () => {
    const result = await f.run(
      `return await everything.triggerLongRunningOperation({ duration: 0.3, steps: 3 });`,
      ["everything"],
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.match(String(result.data), /Long running operation completed/);
    assert.deepEqual(progress.slice(0, 2), [1, 2]);
  });

  await t.step(`agent code imports from "servers/<server>/index.ts"`, async () => {
    const result = await f.run(
      `import { readGraph } from "servers/memory/index.ts";
const graph = await readGraph();
return graph.entities.length;`,
      ["memory.read_graph"],
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, 4);
  });

  await t.step("console output is captured into the result", async () => {
    const result = await f.run(`console.log("hello", { n: 1 }); console.error("oops"); return 1;`);
    assert.deepEqual(result.logs.map((l) => l.replace(/\s+/g, " ")), ["hello { n: 1 }", "oops"]);
  });
});

Deno.test("MCPOrchestrator refuses what a task did not ask for, each with a clear error", async (t) => {
  await using f = await startOrchestrator();

  await t.step("a tool outside requiredTools", async () => {
    const result = await f.run(
      `try { await memory.deleteEntities({ entityNames: ["x"] }); } catch (e) { return [e.name, e.code, e.message]; }`,
      ["memory.read_graph"],
    );
    assert.equal(result.status, "completed");
    const [name, code, message] = result.data as string[];
    assert.equal(name, "ToolError");
    assert.equal(code, "not_allowed");
    assert.match(
      message!,
      /Cannot call tool "delete_entities" on server "memory": task "task-\d+" did not list/,
    );
    assert.deepEqual(result.stats.toolsCalled, []);
  });
  await t.step("a server outside requiredTools is not even in scope", async () => {
    const result = await f.run(`return typeof filesystem;`, ["memory"]);
    assert.equal(result.data, "undefined");
  });
  await t.step("a requiredTools entry naming no configured server", async () => {
    const result = await f.run(`return 1;`, ["github"]);
    assertFailed(
      result,
      "unknown_server",
      /requiredTools entry "github" names no configured server/,
    );
  });

  const boundary: [string, string, RegExp][] = [
    [
      "Deno.readTextFile of /etc/passwd",
      `return await Deno.readTextFile("/etc/passwd");`,
      /read access to "\/etc\/passwd"/,
    ],
    [
      "fetch",
      `return await (await fetch("http://127.0.0.1:8080/")).text();`,
      /net access to "127\.0\.0\.1:8080"/,
    ],
    ["Deno.env.get", `return Deno.env.get("HOME");`, /env access to "HOME"/],
    [
      "Deno.Command",
      `return await new Deno.Command("/bin/ls").output();`,
      /run access to "\/bin\/ls"/,
    ],
  ];
  for (const [name, code, message] of boundary) {
    const layer = name === "Deno.Command"
      ? "the blocker refuses it before it runs"
      : "the sandbox refuses it";
    await t.step(`${name}: ${layer}`, async () => {
      const result = await f.run(code);
      if (name === "Deno.Command") {
        assertFailed(result, "blocked", /rule "subprocess"/);
      } else {
        // The blocker has no rule against these: the Worker's empty permission set refuses them.
        assertNotCapable(result, message);
      }
    });
  }

  await using open = await startOrchestrator({ blockerPolicy: { subprocess: "allow" } });
  await t.step("Deno.Command with its blocker rule off: the sandbox still refuses it", async () => {
    // An absolute path: Deno looks a bare name up on PATH (empty in the sandbox) before it checks permission.
    const result = await open.run(`return await new Deno.Command("/bin/ls").output();`);
    assertNotCapable(result, /run access to "\/bin\/ls"/);
  });
});

Deno.test("MCPOrchestrator contains runaway code and keeps serving", async (t) => {
  await using f = await startOrchestrator({ memoryLimitMb: 200, heapMb: 64 });

  await t.step("a busy loop is killed at its deadline", async () => {
    const result = await f.run(`while (true) {}`, [], { timeoutMs: 300 });
    assert.equal(result.status, "timeout");
    assertFailed(result, "timeout", /timed out after 300 ms \(limit "timeoutMs"\)/);
  });
  await t.step("memory exhaustion ends only that task", async () => {
    const result = await f.run(
      `const hog = []; while (true) hog.push({ a: Math.random(), b: [1, 2, 3] });`,
    );
    assertFailed(result, "memory_limit", /memory.*\(limit "(heapMb|memoryLimitMb)"\)/);
  });
  await t.step("a thrown error keeps its message and line", async () => {
    const result = await f.run(`const x = 1;\nthrow new RangeError("bad value " + x);`);
    assert.equal(result.status, "failed");
    assert.equal(result.error?.name, "RangeError");
    assert.equal(result.error?.message, "bad value 1");
    assert.match(result.error?.stack ?? "", /agent\.ts:2:/);
  });
  await t.step("the next task runs normally", async () => {
    const result = await f.run(`return (await memory.readGraph()).entities.length;`, ["memory"]);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, 0);
  });
});

Deno.test("MCPOrchestrator fails a call whose server is killed mid-call, and reconnects for the next task", async () => {
  await using f = await startOrchestrator();
  const pid = f.orch.connections.get("everything")!.pid!;
  const running = f.run(
    `try { await everything.triggerLongRunningOperation({ duration: 5, steps: 5 }); return "finished"; }
catch (e) { return [e.name, e.code, e.message]; }`,
    ["everything"],
  );
  await new Promise((r) => setTimeout(r, 400));
  Deno.kill(pid, "SIGKILL");
  const result = await running;
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const [name, code, message] = result.data as string[];
  assert.equal(name, "ToolError");
  assert.equal(code, "server_unavailable");
  assert.match(message!, /server "everything" closed the connection during the call/);
  const next = await f.run(`return await everything.getSum({ a: 20, b: 22 });`, ["everything"]);
  assert.equal(next.status, "completed", JSON.stringify(next.error));
  assert.match(String(next.data), /42/);
});

Deno.test("MCPOrchestrator.initialize() rejects a malformed mcp.json, naming the server and the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "mcp.json"),
      JSON.stringify({ mcpServers: { memory: { command: "deno", args: ["run", 42] } } }),
    );
    const orch = new MCPOrchestrator({ config: join(dir, "mcp.json") });
    await assert.rejects(orch.initialize(), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /server "memory" field "args\[1\]"/);
      return true;
    });
    await orch.shutdown();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCPOrchestrator runs 20 tasks with maxConcurrentTasks 4, never more than 4 at once", async () => {
  await using f = await startOrchestrator({ maxConcurrentTasks: 4, poolSize: 2 });
  let peak = 0;
  let peakProcesses = 0;
  let sawQueue = false;
  const sampler = setInterval(() => {
    const stats = f.orch.getStats();
    peak = Math.max(peak, stats.activeTasks);
    peakProcesses = Math.max(peakProcesses, stats.sandboxes.alive);
    if (stats.queuedTasks > 0) sawQueue = true;
  }, 2);
  try {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      f.run(
        `await everything.triggerLongRunningOperation({ duration: 0.1, steps: 1 });\nreturn ${i};`,
        ["everything"],
      )));
    assert.deepEqual(results.map((r) => r.status), Array(20).fill("completed"));
    assert.deepEqual(results.map((r) => r.data), Array.from({ length: 20 }, (_, i) => i));
  } finally {
    clearInterval(sampler);
  }
  assert.ok(peak <= 4, `peak ${peak} > 4`);
  assert.ok(peak >= 2, "tasks ran side by side");
  assert.ok(sawQueue, "tasks beyond the limit waited in the queue");
  // Running tasks plus the idle pool: 4 + 2. A finished task's process is killed as its result is handed over.
  assert.ok(peakProcesses <= 6, `peak of ${peakProcesses} sandbox processes > 4 + 2`);
  await f.orch.settled();
  assert.deepEqual(f.orch.getStats().sandboxes, { idle: 2, alive: 2 });
  const stats = f.orch.getStats();
  assert.equal(stats.activeTasks, 0);
  assert.equal(stats.completedTasks.completed, 20);
});

Deno.test("MCPOrchestrator cancels queued and running tasks", async () => {
  await using f = await startOrchestrator({ maxConcurrentTasks: 1 });
  const controller = new AbortController();
  const running = f.orch.executeTask({
    id: "long",
    description: "sleeps",
    code: `await new Promise((r) => setTimeout(r, 10_000));`,
    requiredTools: [],
    status: "pending",
  });
  const queued = f.run(`return 1;`, [], { signal: controller.signal });
  await new Promise((r) => setTimeout(r, 200));
  controller.abort();
  assert.equal(f.orch.cancelTask("long"), true);
  const [a, b] = await Promise.all([running, queued]);
  assert.equal(a.status, "cancelled");
  assert.equal(b.status, "cancelled");
  assert.match(b.error?.message ?? "", /cancelled before it started/);
  assert.equal(f.orch.cancelTask("long"), false);
});

Deno.test("MCPOrchestrator enforces maxToolCalls and cuts a large return value to maxResultBytes", async () => {
  await using f = await startOrchestrator({ maxToolCalls: 3, maxResultBytes: 2_000 });
  const calls = await f.run(
    `const out = [];
for (let i = 0; i < 5; i++) {
  try { await memory.readGraph(); out.push("ok"); } catch (e) { out.push(e.code + ": " + e.message); }
}
return out;`,
    ["memory"],
  );
  const out = calls.data as string[];
  assert.deepEqual(out.slice(0, 3), ["ok", "ok", "ok"]);
  assert.match(
    out[3]!,
    /^limit_exceeded: .*reached its limit of 3 tool calls \(limit "maxToolCalls"\)/,
  );
  const big = await f.run(`return Array.from({ length: 10_000 }, (_, i) => ({ id: i }));`);
  assert.equal(big.status, "completed");
  assert.equal(big.dataTruncated, true);
  assert.ok(JSON.stringify(big.data).length <= 2_000);
  assert.match(String((big.data as unknown[]).at(-1)), /more items cut/);
  assert.match(big.logs.at(-1) ?? "", /maxResultBytes limit of 2000 bytes/);
});

Deno.test("MCPOrchestrator.getStats() reports servers, tools and tasks", async () => {
  await using f = await startOrchestrator({ maxConcurrentTasks: 3 });
  const stats = f.orch.getStats();
  assert.deepEqual(stats.servers.map((s) => [s.name, s.state, s.toolCount]), [
    ["memory", "connected", 9],
    ["filesystem", "connected", 14],
    ["everything", "connected", 13],
  ]);
  assert.equal(stats.tools, 36);
  assert.equal(stats.maxConcurrentTasks, 3);
  assert.equal(stats.activeTasks, 0);
  assert.equal(stats.queuedTasks, 0);
  const generated = [...Deno.readDirSync(join(f.dir, "servers"))].map((e) => e.name).sort();
  assert.deepEqual(generated, ["_client.ts", "everything", "filesystem", "globals.d.ts", "memory"]);
});

Deno.test("MCPOrchestrator workspaces keep state between tasks and stay apart", async () => {
  await using f = await startOrchestrator();
  const write = await f.run(
    `await Deno.writeTextFile("notes.txt", "step 1 done");\nreturn "ok";`,
    [],
    { workspace: "alpha" },
  );
  assert.equal(write.status, "completed", JSON.stringify(write.error));
  const read = await f.run(`return await Deno.readTextFile("notes.txt");`, [], {
    workspace: "alpha",
  });
  assert.equal(read.data, "step 1 done");
  assert.equal(
    await Deno.readTextFile(join(f.orch.workspacePath("alpha"), "notes.txt")),
    "step 1 done",
  );
  const other = await f.run(
    `return await Deno.readTextFile(${
      JSON.stringify(join(f.orch.workspacePath("alpha"), "notes.txt"))
    });`,
    [],
    { workspace: "beta" },
  );
  assertNotCapable(other, /read access/);
  const noWorkspace = await f.run(`return await Deno.readTextFile("notes.txt");`);
  assertNotCapable(noWorkspace, /read access/);
  const bad = await f.run(`return 1;`, [], { workspace: "../alpha" });
  assertFailed(bad, "invalid_workspace", /Invalid workspace name "\.\.\/alpha"/);
});

Deno.test("MCPOrchestrator binds server modules in a folder whose path holds a space and a #", async () => {
  const dir = await Deno.makeTempDir({ prefix: "odd path #1 " });
  const orch = new MCPOrchestrator({
    config: referenceConfig(dir),
    serversDir: join(dir, "my servers #1"),
    stateDir: join(dir, "state"),
    poolSize: 1,
  });
  try {
    await orch.initialize();
    const result = await orch.executeTask({
      id: "odd-path",
      description: "namespace from an odd path",
      code: `return (await memory.readGraph()).entities.length;`,
      requiredTools: ["memory.read_graph"],
      status: "pending",
    });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, 0);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("new MCPOrchestrator() refuses limits too small to work, naming them", () => {
  const config = { servers: {} };
  assert.throws(
    () => new MCPOrchestrator({ config, maxToolCalls: 0 }),
    /maxToolCalls must be a whole number >= 1/,
  );
  assert.throws(
    () => new MCPOrchestrator({ config, maxResultBytes: 32 }),
    /maxResultBytes must be a whole number >= 64, got 32/,
  );
  assert.throws(() => new MCPOrchestrator({ config, maxConcurrentTasks: 0 }), RangeError);
});
