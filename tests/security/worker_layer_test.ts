/**
 * Escape suite, the Worker layer on its own (issue 21): what the sandbox process's flags allow but the Worker's own
 * permission set refuses, for both languages. The process may read the sandbox runtime (its own code) and connect to
 * its control socket; agent code in the Worker may do neither. Were the Worker's permissions lost (e.g. `"inherit"`),
 * these steps fail even though the process flags still stop everything else.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { RUNTIME_DIR, sandboxPids, startFixture, waitFor } from "./_fixture.ts";

/** The control socket path an idle sandbox process was started with (from its command line). */
function socketOf(pid: number): string {
  const args = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
  return args.find((arg) => arg.startsWith("--allow-write="))!.slice("--allow-write=".length);
}

Deno.test("escape suite: the Worker's permissions stop what the process flags allow, in TypeScript and Python", async (t) => {
  await using f = await startFixture({ orchestrator: { pythonPoolSize: 1 } });
  const runtimeFile = JSON.stringify(join(RUNTIME_DIR, "worker.ts"));

  await t.step("TypeScript: reading the sandbox runtime is NotCapable", async () => {
    const result = await f.run(
      `try { await Deno.readTextFile(${runtimeFile}); return "read"; } catch (e) { return e.name; }`,
    );
    assert.equal(result.data, "NotCapable", JSON.stringify(result));
  });

  await t.step("TypeScript: connecting to its own control socket is NotCapable", async () => {
    assert.ok(await waitFor(() => f.sandboxPids().length > 0), "an idle sandbox process");
    const socket = JSON.stringify(socketOf(f.sandboxPids()[0]!));
    const result = await f.run(
      `try { await Deno.connect({ transport: "unix", path: ${socket} }); return "connected"; } catch (e) { return e.name; }`,
    );
    assert.equal(result.data, "NotCapable", JSON.stringify(result));
  });

  const python = async (code: string) =>
    await f.orch.executeTask({
      id: `layer-${crypto.randomUUID().slice(0, 8)}`,
      description: "Worker layer",
      code,
      language: "python",
      requiredTools: [],
      status: "pending",
    });

  await t.step("Python: reading the sandbox runtime through js is NotCapable", async () => {
    const result = await python(`import js
try:
    await js.Deno.readTextFile(${runtimeFile})
    outcome = "read"
except Exception as error:
    outcome = str(error).split(":")[0]
outcome`);
    assert.equal(result.data, "NotCapable", JSON.stringify(result));
  });

  await t.step(
    "Python: connecting to its own control socket through js is NotCapable",
    async () => {
      await python("1"); // the Python pool exists and keeps an idle process
      await f.orch.settled();
      const pids = sandboxPids(join(f.stateDir, "python"));
      assert.ok(pids.length > 0, "an idle Python sandbox process");
      const socket = JSON.stringify(socketOf(pids[0]!));
      const result = await python(`import js
from pyodide.ffi import to_js
try:
    await js.Deno.connect(to_js({"transport": "unix", "path": ${socket}}, dict_converter=js.Object.fromEntries))
    outcome = "connected"
except Exception as error:
    outcome = str(error).split(":")[0]
outcome`);
      assert.equal(result.data, "NotCapable", JSON.stringify(result));
    },
  );
});
