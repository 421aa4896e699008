/**
 * The MCP Inspector's CLI (`@modelcontextprotocol/inspector-cli`, pinned) lists and calls the daemon's tools, over
 * stdio and over Streamable HTTP. It runs under the machine's `node` (20 here).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { daemonDir, httpDaemon, SERVE } from "./_daemon.ts";

const INSPECTOR = "@modelcontextprotocol/inspector-cli@1.0.3";

/** Installs the inspector CLI into a folder and returns its `build/` folder. */
async function installInspector(dir: string): Promise<string> {
  const install = await new Deno.Command("npm", {
    args: ["install", "--prefix", dir, "--no-audit", "--no-fund", "--silent", INSPECTOR],
    stdin: "null",
  }).output();
  if (!install.success) {
    throw new Error(`Cannot install ${INSPECTOR}: ${new TextDecoder().decode(install.stderr)}`);
  }
  return join(dir, "node_modules/@modelcontextprotocol/inspector-cli/build");
}

/** Runs the inspector's CLI; it looks for `../package.json` from the working folder, hence `cwd`. */
async function inspect(build: string, args: string[]): Promise<unknown> {
  const output = await new Deno.Command("node", {
    args: ["index.js", ...args],
    cwd: build,
    stdin: "null",
  })
    .output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.ok(output.success, `inspector failed: ${new TextDecoder().decode(output.stderr)}`);
  return JSON.parse(stdout);
}

Deno.test("MCP Inspector CLI lists and calls the daemon's tools over stdio and HTTP", async (t) => {
  await using dir = await daemonDir();
  const build = await installInspector(join(dir.dir, "inspector"));
  const stdio = [Deno.execPath(), "run", "-A", SERVE, "--config", dir.config];

  await t.step("over stdio", async () => {
    const listed = await inspect(build, [...stdio, "--method", "tools/list"]) as {
      tools: { name: string }[];
    };
    assert.deepEqual(listed.tools.map((tool) => tool.name), [
      "search_tools",
      "execute_code",
      "save_skill",
      "run_skill",
    ]);
    const called = await inspect(build, [
      ...stdio,
      "--method",
      "tools/call",
      "--tool-name",
      "search_tools",
      "--tool-arg",
      "query=read graph",
    ]) as { content: { text: string }[] };
    assert.match(called.content[0]!.text, /memory\.read_graph/);
  });

  await t.step("over Streamable HTTP", async () => {
    // --no-auth on loopback: this checks that the Inspector's CLI speaks to the daemon, not who may call it.
    await using daemon = await httpDaemon(dir.config, { noAuth: true });
    const called = await inspect(build, [
      daemon.url.href,
      "--method",
      "tools/call",
      "--tool-name",
      "execute_code",
      "--tool-arg",
      "code=const g = await memory.readGraph({}); return g.entities.length + 42;",
    ]) as { structuredContent: { status: string; data: unknown } };
    assert.deepEqual(called.structuredContent.status, "completed");
    assert.equal(called.structuredContent.data, 42);
  });
});
