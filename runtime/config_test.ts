import assert from "node:assert/strict";
import { ConfigError, loadConfig, parseConfig } from "./config.ts";

function refusal(document: unknown, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(document, { env, baseDir: "/project" });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  throw new Error("parseConfig() accepted a malformed document");
}

Deno.test("parseConfig() reads the Claude Desktop / Claude Code / Cursor formats", () => {
  const config = parseConfig({
    mcpServers: {
      memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
      explicit: {
        type: "stdio",
        command: "node",
        args: ["server.js"],
        cwd: "tools",
        env: { A: "1" },
      },
      remote: { type: "http", url: "https://example.com/mcp", headers: { "X-Key": "k" } },
      cursorStyle: { url: "https://example.com/mcp" },
      legacy: { type: "sse", url: "http://127.0.0.1:3001/sse", timeout: 5000 },
      off: { command: "never", disabled: true },
    },
  }, { env: {}, baseDir: "/project" });
  assert.deepEqual(Object.keys(config.servers), [
    "memory",
    "explicit",
    "remote",
    "cursorStyle",
    "legacy",
  ]);
  assert.deepEqual(config.servers.memory, {
    type: "stdio",
    command: "npx",
    args: ["-y", "@modelcontextprotocol/server-memory"],
    env: {},
    cwd: "/project",
  });
  assert.equal((config.servers.explicit as { cwd: string }).cwd, "/project/tools");
  assert.equal(config.servers.remote?.type, "http");
  assert.equal(config.servers.cursorStyle?.type, "http");
  assert.deepEqual(config.servers.legacy, {
    type: "sse",
    url: "http://127.0.0.1:3001/sse",
    headers: {},
    timeoutMs: 5000,
  });
});

Deno.test("parseConfig() expands ${VAR} and ${VAR:-default} from the environment", () => {
  const config = parseConfig({
    mcpServers: {
      gh: {
        command: "${BIN_DIR}/server",
        args: ["--token", "${TOKEN}", "--mode=${MODE:-fast}"],
        env: { TOKEN: "${TOKEN}" },
      },
      api: {
        type: "http",
        url: "https://${HOST}/mcp",
        headers: { Authorization: "Bearer ${TOKEN}" },
      },
    },
  }, { env: { BIN_DIR: "/opt", TOKEN: "s3cret", HOST: "api.example.com" } });
  assert.deepEqual(config.servers.gh, {
    type: "stdio",
    command: "/opt/server",
    args: ["--token", "s3cret", "--mode=fast"],
    env: { TOKEN: "s3cret" },
    cwd: Deno.cwd(),
  });
  assert.deepEqual(config.servers.api, {
    type: "http",
    url: "https://api.example.com/mcp",
    headers: { Authorization: "Bearer s3cret" },
  });
});

Deno.test("parseConfig() refuses malformed entries, naming the server and the field", async (t) => {
  const cases: [string, unknown, string, string?][] = [
    ["no mcpServers", { servers: {} }, `it needs a top-level "mcpServers" object`],
    ["entry not an object", { mcpServers: { memory: "npx" } }, `server "memory" must be an object`],
    [
      "neither command nor url",
      { mcpServers: { memory: { args: [] } } },
      `server "memory" needs a "command"`,
    ],
    [
      "args not an array",
      { mcpServers: { memory: { command: "npx", args: "-y" } } },
      `server "memory" field "args"`,
    ],
    [
      "an arg not a string",
      { mcpServers: { fs: { command: "npx", args: ["-y", 3] } } },
      `server "fs" field "args[1]"`,
    ],
    [
      "env value not a string",
      { mcpServers: { m: { command: "x", env: { PORT: 80 } } } },
      `server "m" field "env.PORT"`,
    ],
    ["empty command", { mcpServers: { m: { command: "" } } }, `server "m" field "command"`],
    [
      "unknown type",
      { mcpServers: { m: { type: "websocket", url: "ws://x" } } },
      `server "m" field "type"`,
    ],
    [
      "bad url",
      { mcpServers: { r: { type: "http", url: "not a url" } } },
      `server "r" field "url" is not a valid URL`,
    ],
    [
      "headers not strings",
      { mcpServers: { r: { url: "http://x", headers: { A: true } } } },
      `server "r" field "headers.A"`,
    ],
    [
      "negative timeout",
      { mcpServers: { r: { url: "http://x", timeout: -1 } } },
      `server "r" field "timeout"`,
    ],
    [
      "maxConcurrentCalls of 0",
      { mcpServers: { memory: { command: "npx", maxConcurrentCalls: 0 } } },
      `server "memory" field "maxConcurrentCalls": must be a positive integer`,
    ],
    [
      "fractional maxConcurrentCalls",
      { mcpServers: { r: { url: "http://x", maxConcurrentCalls: 1.5 } } },
      `server "r" field "maxConcurrentCalls": must be a positive integer`,
    ],
    [
      "maxConcurrentCalls as a string",
      { mcpServers: { memory: { command: "npx", maxConcurrentCalls: "1" } } },
      `server "memory" field "maxConcurrentCalls": must be a positive integer`,
    ],
    [
      "missing variable",
      { mcpServers: { gh: { command: "x", env: { TOKEN: "${GITHUB_TOKEN}" } } } },
      `server "gh" field "env".TOKEN uses "\${GITHUB_TOKEN}"`,
      "missing_variable",
    ],
  ];
  for (const [name, document, expected, code] of cases) {
    await t.step(name, () => {
      const error = refusal(document);
      assert.ok(
        error.message.includes(expected),
        `${error.message}\n  should include: ${expected}`,
      );
      assert.equal(error.code, code ?? "invalid_config");
    });
  }
});

Deno.test("loadConfig() names the file when it is missing or not JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadConfig(`${dir}/absent.json`), (error: ConfigError) => {
      assert.equal(error.code, "unreadable");
      assert.ok(error.message.includes(`${dir}/absent.json`));
      return true;
    });
    await Deno.writeTextFile(
      `${dir}/mcp.json`,
      `{ "mcpServers": { "memory": { "command": "npx", } } }`,
    );
    await assert.rejects(loadConfig(`${dir}/mcp.json`), (error: ConfigError) => {
      assert.equal(error.code, "invalid_json");
      assert.ok(error.message.includes("is not valid JSON"));
      return true;
    });
    await Deno.writeTextFile(
      `${dir}/mcp.json`,
      `{ "mcpServers": { "memory": { "command": "npx" } } }`,
    );
    const config = await loadConfig(`${dir}/mcp.json`);
    assert.equal((config.servers.memory as { cwd: string }).cwd, dir);
    assert.equal(config.path, `${dir}/mcp.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the embedded default mcp.json is valid, pins every package version and keeps servers off the project config", async () => {
  const config = await loadConfig(new URL("../mcp.json", import.meta.url).pathname);
  assert.deepEqual(Object.keys(config.servers), ["memory", "filesystem", "everything"]);
  for (const server of Object.values(config.servers)) {
    assert.equal(server.type, "stdio");
    const args = (server as { args: string[] }).args;
    const spec = args.find((a) => a.startsWith("npm:"));
    assert.match(spec ?? "", /^npm:@modelcontextprotocol\/server-[a-z]+@\d+\.\d+\.\d+$/);
    // Started from the project folder, a server must not read or write this project's deno.json and deno.lock.
    assert.ok(args.includes("--no-config") && args.includes("--no-lock"), args.join(" "));
  }
  // server-memory rewrites its whole file per call: parallel calls would lose writes (docs/agent-code.md).
  assert.equal(config.servers.memory?.maxConcurrentCalls, 1);
});

Deno.test("parseConfig() carries maxConcurrentCalls of stdio and remote entries, and leaves it out when absent", () => {
  const config = parseConfig({
    mcpServers: {
      memory: { command: "npx", maxConcurrentCalls: 1 },
      api: { url: "https://example.com/mcp", maxConcurrentCalls: 4 },
      free: { command: "npx" },
    },
  }, { env: {} });
  assert.equal(config.servers.memory?.maxConcurrentCalls, 1);
  assert.equal(config.servers.api?.maxConcurrentCalls, 4);
  assert.equal("maxConcurrentCalls" in config.servers.free!, false);
});

Deno.test("parseConfig() reads a remote entry's oauth field (Claude Code) and Cursor's auth field, expanding ${VAR}", () => {
  const config = parseConfig({
    mcpServers: {
      linear: {
        type: "http",
        url: "https://mcp.linear.app/mcp",
        oauth: {
          clientId: "${LINEAR_CLIENT_ID}",
          clientSecret: "${LINEAR_CLIENT_SECRET}",
          scopes: "read write",
          callbackPort: 8080,
          clientMetadataUrl: "https://example.com/client.json",
        },
      },
      cursor: {
        url: "https://example.com/mcp",
        auth: { CLIENT_ID: "cid", CLIENT_SECRET: "${MISSING:-}", scopes: ["a", "b"] },
      },
      plain: { url: "https://example.com/plain" },
    },
  }, { env: { LINEAR_CLIENT_ID: "id-1", LINEAR_CLIENT_SECRET: "s3cret" }, baseDir: "/project" });
  assert.deepEqual(config.servers.linear, {
    type: "http",
    url: "https://mcp.linear.app/mcp",
    headers: {},
    oauth: {
      clientId: "id-1",
      clientSecret: "s3cret",
      scopes: "read write",
      callbackPort: 8080,
      clientMetadataUrl: "https://example.com/client.json",
    },
  });
  assert.deepEqual(config.servers.cursor, {
    type: "http",
    url: "https://example.com/mcp",
    headers: {},
    oauth: { clientId: "cid", scopes: "a b" },
  });
  assert.equal((config.servers.plain as { oauth?: unknown }).oauth, undefined);
});

Deno.test("parseConfig() refuses a malformed oauth field, naming it", () => {
  const remote = (oauth: unknown) => ({
    mcpServers: { r: { url: "https://x.example/mcp", oauth } },
  });
  assert.match(
    refusal(remote({ callbackPort: 0 })).message,
    /server "r" field "oauth.callbackPort": /,
  );
  assert.match(
    refusal(remote({ clientMetadataUrl: "http://x.example/c.json" })).message,
    /server "r" field "oauth.clientMetadataUrl": must be an https URL/,
  );
  assert.match(
    refusal(remote({ clientSecret: "${NOPE}" })).message,
    /server "r" field "oauth.clientSecret" uses "\$\{NOPE\}"/,
  );
});
