/**
 * Escape suite, Python agent code (issue 21): Python reaches the Worker's JavaScript globals (`import js`,
 * `pyodide_js`), so these programs try the same escapes as the TypeScript ones through them, and through Python's own
 * means (`open()`, `os.environ`, sockets, `pyodide.http`). The interpreter runs in the task's Worker: Deno's
 * permissions on that Worker, the sandbox process's flags and the host's check of every message hold whatever
 * Python does.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { TaskResult } from "../../runtime/mod.ts";
import { assertNoSecret, RUNTIME_DIR, SECRET_ENV, startFixture } from "./_fixture.ts";

let counter = 0;

Deno.test("escape suite: Python programs stay inside the task's permissions and requiredTools", async (t) => {
  await using f = await startFixture({
    servers: ["memory"],
    orchestrator: { pythonPoolSize: 1, taskTimeoutMs: 10_000 },
  });
  const run = async (
    code: string,
    tools: string[] = [],
    timeoutMs?: number,
  ): Promise<TaskResult> => {
    const result = await f.orch.executeTask({
      id: `py-${++counter}`,
      description: "hostile Python program",
      code,
      language: "python",
      requiredTools: tools,
      status: "pending",
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    assertNoSecret(result, f.secret);
    return result;
  };
  const probe = async () => {
    const result = await run("1 + 1");
    assert.equal(result.status, "completed", `probe failed: ${JSON.stringify(result.error)}`);
    assert.equal(result.data, 2);
  };
  const secret = JSON.stringify(f.secretFile);

  await t.step(
    "reading a host file: open(), js.Deno, and mounting it through pyodide_js",
    async () => {
      const result = await run(`import js, pyodide_js
out = []
try:
    out.append(open(${secret}).read())
except OSError as error:
    out.append(type(error).__name__)
try:
    out.append(await js.Deno.readTextFile(${secret}))
except Exception as error:
    out.append(str(error).split(":")[0])
try:
    pyodide_js.mountNodeFS("/stolen", ${JSON.stringify(join(f.dir, "secret"))})
    out.append(open("/stolen/secret.txt").read())
except Exception as error:
    out.append("mount refused")
out`);
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      assert.deepEqual(result.data, ["FileNotFoundError", "NotCapable", "mount refused"]);
      await probe();
    },
  );

  await t.step("reading the sandbox runtime (the process may, the Worker may not)", async () => {
    const result = await run(`import js
try:
    text = await js.Deno.readTextFile(${JSON.stringify(join(RUNTIME_DIR, "worker.ts"))})
    outcome = "read"
except Exception as error:
    outcome = str(error).split(":")[0]
outcome`);
    assert.equal(result.data, "NotCapable", JSON.stringify(result));
  });

  await t.step("the host's environment: os.environ, js.Deno.env, js.process.env", async () => {
    const result = await run(`import os, js
out = [os.environ.get(${JSON.stringify(SECRET_ENV)})]
try:
    out.append(js.Deno.env.get(${JSON.stringify(SECRET_ENV)}))
except Exception as error:
    out.append(str(error).split(":")[0])
try:
    out.append(getattr(js.process.env, ${JSON.stringify(SECRET_ENV)}))
except Exception as error:
    out.append(str(error).split(":")[0])
out`);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const [environ, denoEnv] = result.data as unknown[];
    assert.equal(environ, null);
    assert.equal(denoEnv, "NotCapable");
  });

  await t.step("the network: js.fetch, pyodide.http.pyfetch and a Python socket", async () => {
    const result = await run(`import js, socket
from pyodide.http import pyfetch
out = []
for attempt in (lambda: js.fetch("http://127.0.0.1:8080/"), lambda: pyfetch("http://example.com/")):
    try:
        await attempt()
        out.append("connected")
    except Exception as error:
        out.append(str(error))
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    out.append("connected")
except OSError as error:
    out.append("OSError")
out`);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    const [fetched, pyfetched, socketed] = result.data as string[];
    assert.match(fetched!, /Requires net access to "127\.0\.0\.1:8080"/);
    assert.match(pyfetched!, /Requires net access to "example\.com:80"/);
    assert.equal(socketed, "OSError");
  });

  await t.step(
    "a tool outside requiredTools: the bridge, the module, and a forged message",
    async () => {
      await run(
        `await memory.create_entities(entities=[{"name": "Ada", "entityType": "person", "observations": []}])
None`,
        ["memory"],
      );
      const result = await run(
        `import js, json, asyncio, _mcpx
out = []
try:
    await _mcpx.call_tool("memory", "delete_entities", {"entityNames": ["Ada"]})
except ToolError as error:
    out.append(error.code)
try:
    from servers.memory import delete_entities
    await delete_entities(entityNames=["Ada"])
except ToolError as error:
    out.append(error.code)
js.postMessage(json.dumps({"type": "call", "taskId": "forged", "callId": 9999, "server": "memory",
                           "tool": "delete_entities", "args": {"entityNames": ["Ada"]}}))
await asyncio.sleep(0.2)
out`,
        ["memory.read_graph"],
      );
      assert.notEqual(
        result.status,
        "completed",
        "a forged message naming another task stops the task",
      );
      const graph = await run(`[e["name"] for e in (await memory.read_graph())["entities"]]`, [
        "memory",
      ]);
      assert.deepEqual(graph.data, ["Ada"], "the entity was not deleted");
      const caught = await run(
        `import _mcpx
try:
    await _mcpx.call_tool("memory", "delete_entities", {"entityNames": ["Ada"]})
except ToolError as error:
    result_code = error.code
result_code`,
        ["memory.read_graph"],
      );
      assert.equal(caught.data, "not_allowed");
      assert.deepEqual(caught.stats.toolsCalled, []);
    },
  );

  await t.step("while True: pass ends at the deadline and the process is killed", async () => {
    const result = await run("while True:\n    pass", [], 1_500);
    assert.equal(result.status, "timeout");
    await probe();
  });

  await t.step("a memory bomb fails the task; the next task runs", async () => {
    const result = await run("blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 2**20))");
    assert.equal(result.status, "failed", JSON.stringify(result));
    assert.match(
      `${result.error?.name} ${result.error?.code} ${result.error?.message}`,
      /MemoryError|memory_limit|memory limit/,
    );
    await probe();
  });

  await t.step("unbounded recursion fails with RecursionError", async () => {
    const result = await run("def f(n):\n    return f(n + 1)\nf(0)");
    assert.equal(result.status, "failed");
    assert.equal(result.error?.name, "RecursionError", JSON.stringify(result.error));
    await probe();
  });

  await t.step("a 100 MB result is refused with the limit named", async () => {
    const result = await run(`"x" * (100 * 2**20)`);
    assert.equal(result.status, "failed");
    assert.match(
      result.error?.message ?? "",
      /over the limit of \d+ bytes/,
      JSON.stringify(result.error),
    );
    await probe();
  });

  await t.step("an exception with a 50 MB message arrives cut", async () => {
    const result = await run(`raise ValueError("x" * (50 * 2**20))`);
    assert.equal(result.status, "failed");
    assert.equal(result.error?.name, "ValueError");
    assert.ok((result.error?.message.length ?? 0) < 100_000, "the message was cut");
    assert.match(result.error?.message ?? "", /more characters cut/);
    await probe();
  });
});
