/**
 * README's "Plug it into your agent" snippets, taken from README.md as written: the `claude` lines run with the real
 * Claude Code CLI, and every entry of the JSON snippets is connected the way those clients read them (`command` and
 * `args` over stdio, `url` over Streamable HTTP) with the SDK's client, which then runs `execute_code`. Every
 * command starts with `npx -y deno@2.9.6`, so that a machine with only Node.js runs it; the stdio entries run
 * through the real npx.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Client, StdioClientTransport, StreamableHTTPClientTransport } from "../runtime/sdk.ts";
import { daemonDir } from "./daemon/_daemon.ts";
import { freePort } from "./helpers/servers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.332";
/** How every README command starts Deno: through npx, with only Node.js on the machine. */
const NPX_DENO = ["npx", "-y", "deno@2.9.6"];

/** README's snippets by their `<!-- snippet: name -->` marker. */
async function snippets(): Promise<Map<string, string>> {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const found = new Map<string, string>();
  for (const m of readme.matchAll(/<!-- snippet: (\S+) -->\n+```\w+\n([\s\S]*?)```/g)) {
    found.set(m[1]!, m[2]!);
  }
  return found;
}

interface Entry {
  type?: string;
  command?: string;
  args?: string[];
  url?: string;
  headers?: Record<string, string>;
}

/** A shell line's words: double-quoted strings are one word, without their quotes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Connects the SDK client to one config entry, runs a task through execute_code, and returns its data. */
async function runThrough(entry: Entry): Promise<unknown> {
  const client = new Client({ name: "hookup-test", version: "1.0.0" });
  const transport = entry.url !== undefined
    ? new StreamableHTTPClientTransport(new URL(entry.url), {
      requestInit: { headers: entry.headers ?? {} },
    })
    : new StdioClientTransport({
      command: entry.command!,
      args: entry.args ?? [],
      stderr: "ignore",
    });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "execute_code",
      "run_skill",
      "save_skill",
      "search_tools",
    ]);
    const result = await client.callTool({
      name: "execute_code",
      arguments: {
        code: "const graph = await memory.readGraph();\nreturn graph.entities.length + 42;",
      },
    });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    return (result.structuredContent as { data: unknown }).data;
  } finally {
    await client.close();
  }
}

Deno.test("README's hook-up snippets connect Claude Code, Claude Desktop, Cursor and VS Code configs to the daemon", async (t) => {
  await using dir = await daemonDir();
  const port = freePort();
  // The bearer token the daemon makes at its first start, read from the line it prints.
  let token = "";
  const fill = (text: string) =>
    text.replaceAll("/path/to/mcp-executor", ROOT).replaceAll("/path/to/mcp.json", dir.config)
      .replaceAll("8787", String(port)).replaceAll("<token>", token);
  const all = await snippets();
  assert.deepEqual([...all.keys()].sort(), [
    "claude-code",
    "claude-code-project",
    "claude-desktop",
    "cursor",
    "serve-http",
    "vscode",
  ]);

  const words = fill(all.get("serve-http")!).trim().split(/\s+/);
  assert.deepEqual(words.slice(0, 3), NPX_DENO);
  // npx does not pass SIGTERM on to Deno, and the test must stop this daemon: it runs the same Deno directly.
  assert.equal(Deno.version.deno, NPX_DENO[2]!.slice("deno@".length));
  const args = words.slice(3);
  const daemon = new Deno.Command(Deno.execPath(), {
    args,
    env: { MCPX_STATE_DIR: `${dir.dir}/state` },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  })
    .spawn();
  const stderr = daemon.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const printed = new RegExp(
    `claude mcp add --transport http mcp-executor http://127\\.0\\.0\\.1:${port}/mcp ` +
      '--header "Authorization: Bearer ([A-Za-z0-9_-]{43})"\n',
  );
  while (!printed.test(seen)) {
    const { value, done } = await stderr.read();
    assert.ok(!done, `the daemon stopped before printing its token: ${seen}`);
    seen += value;
  }
  assert.ok(seen.includes(`serving MCP at http://127.0.0.1:${port}/mcp`), seen);
  token = printed.exec(seen)![1]!;
  // Keep draining stderr so the daemon never blocks on a full pipe.
  const drain = (async () => {
    while (!(await stderr.read()).done) { /* discard */ }
  })();

  try {
    for (const name of ["claude-code-project", "claude-desktop", "cursor", "vscode"]) {
      await t.step(name, async () => {
        const config = JSON.parse(fill(all.get(name)!));
        const entries = Object.entries(
          (config.mcpServers ?? config.servers) as Record<string, Entry>,
        );
        assert.ok(entries.length > 0);
        for (const [key, entry] of entries) {
          if (entry.command !== undefined) {
            // Run as written: npx fetches Deno (from its cache after the first time).
            assert.deepEqual([entry.command, ...(entry.args ?? []).slice(0, 2)], NPX_DENO);
          }
          assert.equal(await runThrough(entry), 42, `${name}: ${key}`);
        }
      });
    }

    await t.step("claude-code (the real Claude Code CLI)", async () => {
      const home = await Deno.makeTempDir({ prefix: "mcpx-claude-home-" });
      try {
        const lines = fill(all.get("claude-code")!).split("\n").map((l) =>
          l.replace(/#.*$/, "").trim()
        )
          .filter((l) => l !== "");
        const claude = async (line: string) => {
          assert.match(line, /^claude /);
          const out = await new Deno.Command("npx", {
            args: ["-y", CLAUDE_CODE, ...shellWords(line.slice("claude ".length))],
            cwd: dir.dir,
            env: {
              HOME: home,
              PATH: Deno.env.get("PATH") ?? "",
            },
            stdin: "null",
          }).output();
          const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 0, text);
          return text;
        };
        for (const line of lines.slice(0, -1)) await claude(line);
        const list = await claude(lines.at(-1)!);
        assert.match(list, /^mcp-executor: npx -y deno@2\.9\.6 run -A .* - ✔ Connected$/m);
        assert.match(
          list,
          new RegExp(
            `^mcp-executor-http: http://127\\.0\\.0\\.1:${port}/mcp \\(HTTP\\) - ✔ Connected$`,
            "m",
          ),
        );
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    });
  } finally {
    daemon.kill("SIGTERM");
    await daemon.status;
    await drain;
  }
});
