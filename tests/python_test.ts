/**
 * Python agent code against real servers (issue 21): the same bridge, limits and results as TypeScript.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";

Deno.test("Python tasks call real servers through the same bridge as TypeScript", async (t) => {
  const reports: unknown[] = [];
  await using f = await startOrchestrator({
    pythonPoolSize: 1,
    taskTimeoutMs: 20_000,
    onTaskProgress: (event) => {
      if (event.kind === "agent") reports.push([event.progress, event.total, event.message]);
    },
  });
  const py = { language: "python" };

  await t.step(
    "creates entities in server-memory, reads the graph, filters it and returns a dict",
    async () => {
      const result = await f.run(
        `from servers.memory import create_entities, read_graph

await create_entities(entities=[
    {"name": "Ada", "entityType": "person", "observations": ["engineer"]},
    {"name": "Bram", "entityType": "person", "observations": ["engineer"]},
    {"name": "Runtime", "entityType": "team", "observations": ["owns the sandbox"]},
])
graph = await memory.read_graph()
people = sorted(e["name"] for e in graph["entities"] if e["entityType"] == "person")
print("found", len(people))
{"people": people, "teams": [e["name"] for e in graph["entities"] if e["entityType"] == "team"]}`,
        ["memory"],
        py,
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.deepEqual(result.data, { people: ["Ada", "Bram"], teams: ["Runtime"] });
      assert.deepEqual(result.logs, ["found 2"]);
      assert.deepEqual(result.stats.toolsCalled, ["memory.create_entities", "memory.read_graph"]);
      assert.ok(result.stats.tokensUsed > 0);
    },
  );

  await t.step("a ToolError is caught in Python with its code, server and tool", async () => {
    const result = await f.run(
      `try:
    await memory.delete_entities(entityNames=["x"])
    outcome = "called"
except ToolError as error:
    outcome = {"code": error.code, "server": error.server, "tool": error.tool}
outcome`,
      ["memory.read_graph"],
      py,
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, {
      code: "not_allowed",
      server: "memory",
      tool: "delete_entities",
    });
  });

  await t.step("an uncaught ToolError fails the task as a ToolError", async () => {
    const result = await f.run(`await memory.delete_entities(entityNames=["x"])`, [
      "memory.read_graph",
    ], py);
    assert.equal(result.status, "failed");
    assert.equal(result.error?.name, "ToolError");
    assert.equal(result.error?.code, "not_allowed");
    assert.match(result.error?.stack ?? "", /task\.py", line 1/);
  });

  await t.step("asyncio.gather runs ten 0.2 s calls in parallel", async () => {
    const result = await f.run(
      `import asyncio, time
started = time.monotonic()
done = await asyncio.gather(*[
    everything.trigger_long_running_operation(duration=0.2, steps=1) for _ in range(10)
])
{"calls": len(done), "seconds": time.monotonic() - started}`,
      ["everything"],
      py,
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const data = result.data as { calls: number; seconds: number };
    assert.equal(data.calls, 10);
    // One after another they would take 2 s or more.
    assert.ok(data.seconds < 1.2, `ten parallel calls took ${data.seconds} s`);
  });

  await t.step("a deadline kills while True: pass, and the next task runs", async () => {
    const stuck = await f.run("while True:\n    pass", [], { ...py, timeoutMs: 1_500 });
    assert.equal(stuck.status, "timeout");
    assert.match(stuck.error?.message ?? "", /timed out after 1500 ms/);
    const next = await f.run("sum(range(10))", [], py);
    assert.equal(next.status, "completed", JSON.stringify(next.error));
    assert.equal(next.data, 45);
  });

  await t.step(
    "a workspace file written in Python is read by a TypeScript task of the session",
    async () => {
      const session = { session: "s1", workspace: "shared" };
      const wrote = await f.run(
        `with open("notes.txt", "w") as out:
    out.write("from python")
import os
os.getcwd() == os.path.realpath(".")`,
        [],
        { ...py, ...session },
      );
      assert.equal(wrote.status, "completed", JSON.stringify(wrote.error));
      const read = await f.run(`return await Deno.readTextFile("notes.txt");`, [], session);
      assert.equal(read.status, "completed", JSON.stringify(read.error));
      assert.equal(read.data, "from python");
    },
  );

  await t.step(
    "the result is the last expression; a variable named result alone is an error",
    async () => {
      const result = await f.run("result = 1\nx = 2", [], py);
      assert.equal(result.status, "failed");
      assert.match(result.error?.message ?? "", /value of its last expression/);
      const returned = await f.run("return 1", [], py);
      assert.equal(returned.status, "failed");
      assert.equal(returned.error?.name, "SyntaxError");
      assert.match(returned.error?.message ?? "", /last expression/);
    },
  );

  await t.step("logging, progress, and tools.search/list work", async () => {
    const result = await f.run(
      `import logging
logging.getLogger("agent").warning("careful")
progress(1, 2, "half")
hits = await tools.search("read graph", limit=3)
listed = await tools.list("memory")
{"hit": hits[0]["tool"], "listed": len(listed)}`,
      [],
      py,
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.data, { hit: "read_graph", listed: 9 });
    assert.deepEqual(result.logs, ["WARNING:agent:careful"]);
    assert.deepEqual(reports, [[1, 2, "half"]]);
  });
});

Deno.test("pythonPoolSize must be a whole number, and an unknown language is refused naming it", async () => {
  const { MCPOrchestrator } = await import("../runtime/mod.ts");
  assert.throws(
    () => new MCPOrchestrator({ config: { servers: {} }, pythonPoolSize: -1 }),
    /pythonPoolSize must be a whole number >= 0, got -1/,
  );
  await using f = await startOrchestrator({ servers: "none" });
  await assert.rejects(
    f.run("1", [], { language: "ruby" }),
    /language must be "typescript" or "python", got "ruby"/,
  );
});

Deno.test("a Python task without Pyodide fails saying how to install it; TypeScript tasks still run", async () => {
  const empty = await Deno.makeTempDir();
  try {
    await using f = await startOrchestrator({ servers: "none", pyodideDir: empty });
    const result = await f.run("1", [], { language: "python" });
    assert.equal(result.status, "failed");
    assert.match(
      result.error?.message ?? "",
      /the npm package "pyodide@314\.0\.8" is not installed/,
    );
    assert.equal((await f.run("return 1;")).data, 1);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("PII tokens work for Python as for TypeScript: the code sees tokens, the server gets real values", async () => {
  await using f = await startOrchestrator({
    pythonPoolSize: 0,
    pii: { enabled: true, flows: [{ from: "filesystem", to: ["memory"] }] },
  });
  const data = join(f.dir, "data");
  await Deno.writeTextFile(join(data, "contact.txt"), "Write to ann.lee@example.com please");
  const result = await f.run(
    `text = (await filesystem.read_text_file(path=${
      JSON.stringify(join(data, "contact.txt"))
    }))["content"]
email = [w for w in text.split() if w.startswith("[EMAIL")][0]
await memory.create_entities(entities=[{"name": "Ann", "entityType": "person", "observations": [f"email: {email}"]}])
print("sent", email)
email`,
    ["filesystem.read_text_file", "memory.create_entities"],
    { language: "python", session: "p1" },
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal(result.data, "[EMAIL_1]");
  assert.deepEqual(result.logs, ["sent [EMAIL_1]"]);
  const stored = await Deno.readTextFile(join(data, "memory.jsonl"));
  assert.ok(stored.includes("email: ann.lee@example.com"), stored);
});

Deno.test('a Python task runs under typecheck "error": the TypeScript checker never sees it', async () => {
  await using f = await startOrchestrator({
    pythonPoolSize: 0,
    typecheck: "error",
    taskTimeoutMs: 20_000,
  });
  const result = await f.run(`graph = await memory.read_graph()\nlen(graph["entities"])`, [
    "memory",
  ], {
    language: "python",
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal(typeof result.data, "number");
  assert.deepEqual(result.warnings ?? [], []);
});
