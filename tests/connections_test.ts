import assert from "node:assert/strict";
import { ConnectionManager } from "../runtime/connections/mod.ts";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  Server,
  type Tool,
  WebStandardStreamableHTTPServerTransport,
} from "../runtime/sdk.ts";
import { ToolError } from "../runtime/wire/mod.ts";
import {
  freePort,
  npmServer,
  referenceConfig,
  startEverythingOverHttp,
} from "./helpers/servers.ts";

async function rejectsWithToolError(promise: Promise<unknown>, code: string): Promise<ToolError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ToolError, `expected a ToolError, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

Deno.test("ConnectionManager connects the reference servers, and one broken server fails alone", async () => {
  const dir = await Deno.makeTempDir();
  const config = referenceConfig(dir);
  config.servers.broken = {
    type: "stdio",
    command: Deno.execPath(),
    args: ["eval", "console.error('missing API key for broken'); Deno.exit(3)"],
    env: {},
  };
  await using servers = new ConnectionManager(config);
  const status = await servers.connectAll();
  const byName = Object.fromEntries(status.map((s) => [s.name, s]));
  assert.deepEqual(byName.memory?.state, "connected");
  assert.deepEqual(byName.memory?.toolCount, 9);
  assert.deepEqual(byName.filesystem?.toolCount, 14);
  assert.deepEqual(byName.everything?.toolCount, 13);
  assert.deepEqual(byName.broken?.state, "failed");
  assertIncludes(byName.broken?.error ?? "", `Cannot connect to server "broken"`);
  assertIncludes(byName.broken?.error ?? "", "missing API key for broken");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ConnectionManager.callTool() unwraps structured, JSON-text and plain-text results", async (t) => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/hello.txt`, "hello from a file");
  await using servers = new ConnectionManager(referenceConfig(dir));
  await servers.connectAll();

  await t.step("structuredContent becomes the value", async () => {
    await servers.callTool("memory", "create_entities", {
      entities: [{ name: "Ada", entityType: "person", observations: ["writes code"] }],
    });
    const graph = await servers.callTool("memory", "read_graph", {}) as {
      entities: { name: string }[];
    };
    assert.deepEqual(graph.entities.map((e) => e.name), ["Ada"]);
  });
  await t.step("structuredContent wins over the text beside it", async () => {
    const file = await servers.callTool("filesystem", "read_text_file", {
      path: `${dir}/hello.txt`,
    });
    assert.deepEqual(file, { content: "hello from a file" });
  });
  await t.step("plain text stays text", async () => {
    assert.equal(await servers.callTool("everything", "echo", { message: "hi" }), "Echo: hi");
  });
  await t.step("an image comes back as a typed object", async () => {
    const value = await servers.callTool("everything", "get-tiny-image", {}) as {
      type: string;
      mimeType?: string;
    }[];
    assert.ok(value.some((item) => item.type === "image" && item.mimeType === "image/png"));
  });
  await t.step("isError becomes a ToolError with the server's message", async () => {
    const error = await rejectsWithToolError(
      servers.callTool("filesystem", "read_text_file", { path: "/etc/passwd" }),
      "tool_failed",
    );
    assert.deepEqual(error.server, "filesystem");
    assert.deepEqual(error.tool, "read_text_file");
    assertIncludes(error.message, "Access denied");
  });
  await t.step("an unknown tool or server is refused before any call", async () => {
    await rejectsWithToolError(servers.callTool("memory", "drop_tables", {}), "unknown_tool");
    await rejectsWithToolError(servers.callTool("github", "list_issues", {}), "unknown_tool");
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ConnectionManager reports progress, times out, and survives a server killed mid-call", async (t) => {
  const dir = await Deno.makeTempDir();
  await using servers = new ConnectionManager(referenceConfig(dir));
  await servers.connectAll();

  await t.step("progress notifications reach onProgress", async () => {
    const seen: number[] = [];
    await servers.callTool("everything", "trigger-long-running-operation", {
      duration: 0.4,
      steps: 4,
    }, {
      onProgress: (p) => seen.push(p.progress),
    });
    // server-everything sends its last notification without awaiting it, so it can land after the result.
    assert.deepEqual(seen.slice(0, 3), [1, 2, 3]);
  });
  await t.step("a call over its timeout fails with call_timeout", async () => {
    await rejectsWithToolError(
      servers.callTool("everything", "trigger-long-running-operation", { duration: 3, steps: 1 }, {
        timeoutMs: 200,
      }),
      "call_timeout",
    ).then((error) =>
      assertIncludes(error.message, `no answer within 200 ms (limit "callTimeoutMs")`)
    );
  });
  await t.step("a cancelled call fails with call_cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await rejectsWithToolError(
      servers.callTool("everything", "trigger-long-running-operation", { duration: 3, steps: 1 }, {
        signal: controller.signal,
      }),
      "call_cancelled",
    );
  });
  await t.step("a killed server fails the call in flight; the next call reconnects", async () => {
    const pid = servers.get("everything")!.pid!;
    const call = servers.callTool("everything", "trigger-long-running-operation", {
      duration: 5,
      steps: 5,
    });
    setTimeout(() => Deno.kill(pid, "SIGKILL"), 300);
    const error = await rejectsWithToolError(call, "server_unavailable");
    assertIncludes(error.message, `server "everything" closed the connection`);
    assert.deepEqual(servers.get("everything")!.state, "disconnected");
    const sum = await servers.callTool("everything", "get-sum", { a: 2, b: 3 });
    assertIncludes(String(sum), "5");
    assert.ok(servers.get("everything")!.pid !== pid, "a new server process was started");
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ConnectionManager passes TLS and proxy variables through and adds mcp.json env", async () => {
  const ca = Deno.env.get("NODE_EXTRA_CA_CERTS");
  Deno.env.set("NODE_EXTRA_CA_CERTS", ca ?? "/etc/ssl/certs/ca-certificates.crt");
  Deno.env.set("MCP_EXECUTOR_SECRET_NOT_PASSED", "hidden");
  try {
    await using servers = new ConnectionManager({
      servers: { everything: npmServer("server-everything", ["stdio"], { FROM_CONFIG: "yes" }) },
    });
    await servers.connectAll();
    const env = await servers.callTool("everything", "get-env", {}) as Record<string, string>;
    assert.deepEqual(env.NODE_EXTRA_CA_CERTS, Deno.env.get("NODE_EXTRA_CA_CERTS"));
    assert.deepEqual(env.FROM_CONFIG, "yes");
    assert.deepEqual(env.MCP_EXECUTOR_SECRET_NOT_PASSED, undefined);
  } finally {
    Deno.env.delete("MCP_EXECUTOR_SECRET_NOT_PASSED");
    if (ca === undefined) Deno.env.delete("NODE_EXTRA_CA_CERTS");
  }
});

Deno.test("ConnectionManager speaks Streamable HTTP and legacy SSE to server-everything", async (t) => {
  for (const mode of ["streamableHttp", "sse"] as const) {
    await t.step(mode, async () => {
      await using remote = await startEverythingOverHttp(mode);
      const url = mode === "sse" ? `${remote.url}/sse` : `${remote.url}/mcp`;
      await using servers = new ConnectionManager({
        servers: { remote: { type: mode === "sse" ? "sse" : "http", url, headers: {} } },
      });
      const [status] = await servers.connectAll();
      assert.deepEqual(status?.state, "connected", status?.error);
      assert.deepEqual(status?.transport, mode === "sse" ? "sse" : "http");
      assert.deepEqual(status?.toolCount, 13);
      const echo = await servers.callTool("remote", "echo", { message: "over the wire" });
      assertIncludes(String(echo), "over the wire");
    });
  }
});

function assertIncludes(text: string, part: string): void {
  assert.ok(
    text.includes(part),
    `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
  );
}

function toolNamed(name: string): Tool {
  return { name, description: `The ${name} tool`, inputSchema: { type: "object", properties: {} } };
}

Deno.test("ConnectionManager pages through tools/list and follows tools/list_changed", async () => {
  let tools = Array.from({ length: 5 }, (_, i) => toolNamed(`tool_${i}`));
  const servers_: Server[] = [];
  const port = freePort();
  const http = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    // One MCP session: the first request (initialize) creates the transport.
    if (transport === undefined) {
      const server = new Server({ name: "paged", version: "1.0.0" }, {
        capabilities: { tools: { listChanged: true } },
      });
      server.setRequestHandler(ListToolsRequestSchema, (request) => {
        const start = Number(request.params?.cursor ?? 0);
        const page = tools.slice(start, start + 2);
        const next = start + 2 < tools.length ? String(start + 2) : undefined;
        return next === undefined ? { tools: page } : { tools: page, nextCursor: next };
      });
      server.setRequestHandler(CallToolRequestSchema, (request) => ({
        content: [{ type: "text", text: `called ${request.params.name}` }],
      }));
      transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
      });
      await server.connect(transport);
      servers_.push(server);
    }
    return transport.handleRequest(req);
  });
  let transport: WebStandardStreamableHTTPServerTransport | undefined;
  const changed: string[][] = [];
  let notify: () => void = () => {};
  const notified = new Promise<void>((resolve) => notify = resolve);
  try {
    await using servers = new ConnectionManager(
      { servers: { paged: { type: "http", url: `http://127.0.0.1:${port}/mcp`, headers: {} } } },
      {
        onToolsChanged: (_, list) => {
          changed.push(list.map((t) => t.name));
          notify();
        },
      },
    );
    const [status] = await servers.connectAll();
    assert.deepEqual(status?.toolCount, 5, "all three pages were read");
    tools = [...tools, toolNamed("tool_new")];
    await servers_[0]!.sendToolListChanged();
    await notified;
    assert.deepEqual(changed.at(-1)?.length, 6);
    assert.deepEqual(await servers.callTool("paged", "tool_new", {}), "called tool_new");
  } finally {
    for (const s of servers_) await s.close();
    await http.shutdown();
  }
});
