import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { countTokens } from "../tokens/mod.ts";
import {
  Client,
  InMemoryTransport,
  McpServer,
  ResourceListChangedNotificationSchema,
  WebStandardStreamableHTTPServerTransport,
} from "../sdk.ts";
import type { McpConfig } from "../config.ts";
import { ExecutorDaemon } from "./executor_daemon.ts";
import { freePort, npmServer } from "../../tests/helpers/servers.ts";

async function connect(daemon: ExecutorDaemon, session: string): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await daemon.openSession(session).connect(serverSide);
  const client = new Client({ name: "unit", version: "1" });
  await client.connect(clientSide);
  return client;
}

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text;
}

Deno.test("ExecutorDaemon's tools/list is the same small list whatever servers are configured", async () => {
  const configs: McpConfig[] = [
    { servers: {} },
    {
      servers: Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [`server${i}`, npmServer("server-memory")]),
      ),
    },
  ];
  const sizes: number[] = [];
  for (const config of configs) {
    // Listing needs no connection: the definitions do not depend on the servers.
    const daemon = new ExecutorDaemon({ orchestrator: { config } });
    const client = await connect(daemon, "s1");
    const listed = await client.listTools();
    assert.deepEqual(listed.tools.map((t) => t.name), [
      "search_tools",
      "execute_code",
      "save_skill",
      "run_skill",
    ]);
    sizes.push(countTokens(JSON.stringify(listed)));
    await client.close();
    await daemon.closeSession("s1");
  }
  assert.equal(sizes[0], sizes[1]);
  assert.ok(sizes[0]! < 1_000, `tools/list takes ${sizes[0]} tokens`);
});

Deno.test("ExecutorDaemon refuses bad search and code arguments with isError results that say what to change", async () => {
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: { config: { servers: {} }, serversDir: join(dir, "servers"), stateDir: dir },
  });
  try {
    await daemon.initialize();
    const client = await connect(daemon, "s1");
    const tooMany = await client.callTool({
      name: "search_tools",
      arguments: { query: "x", detail: "full", limit: 15 },
    });
    assert.equal(tooMany.isError, true);
    assert.match(text(tooMany), /the most is 10; use detail "name" for up to 20/);
    const unknown = await client.callTool({
      name: "search_tools",
      arguments: { query: "x", server: "nope" },
    });
    assert.match(text(unknown), /Cannot search server "nope": no such server/);
    const workspace = await client.callTool({
      name: "execute_code",
      arguments: { code: "return 1;", workspace: "../up" },
    });
    assert.equal(workspace.isError, true);
    assert.match(text(workspace), /Invalid workspace name "\.\.\/up"/);
    const unknownServer = await client.callTool({
      name: "execute_code",
      arguments: { code: "return 1;", requiredTools: ["github"] },
    });
    assert.equal(unknownServer.isError, true);
    assert.match(text(unknownServer), /github[\s\S]*search_tools with an empty query/);
    assert.throws(() => daemon.openSession("s1"), /it is open/);
    assert.throws(() => daemon.openSession("../x"), TypeError);
    await client.close();
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ExecutorDaemon sends resources/list_changed when a backing server changes its tools", async () => {
  const backing = new McpServer({ name: "weather", version: "1.0.0" });
  backing.registerTool("get_forecast", {
    description: "Get the weather forecast for a city",
    inputSchema: { city: z.string() },
  }, ({ city }) => ({ content: [{ type: "text", text: `Sunny in ${city}` }] }));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
  });
  await backing.connect(transport);
  const port = freePort();
  const http = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    (req) => transport.handleRequest(req),
  );
  const dir = await Deno.makeTempDir();
  const daemon = new ExecutorDaemon({
    orchestrator: {
      config: {
        servers: { weather: { type: "http", url: `http://127.0.0.1:${port}/mcp`, headers: {} } },
      },
      serversDir: join(dir, "servers"),
      stateDir: join(dir, "state"),
      poolSize: 1,
    },
  });
  try {
    await daemon.initialize();
    const client = await connect(daemon, "s1");
    const before = (await client.listResources()).resources.map((r) => r.uri);
    assert.ok(before.includes("servers://weather/getForecast.ts"));
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve())
    );
    backing.registerTool("get_air_quality", {
      description: "Get the air quality index for a city",
      inputSchema: { city: z.string() },
    }, ({ city }) => ({ content: [{ type: "text", text: `AQI 12 in ${city}` }] }));
    // The backing server's notification travels on the client's standalone GET stream, which may not be open yet
    // when the tool is added (it is then dropped): say it again until it arrives, for at most 10 s.
    let heard = false;
    void changed.then(() => heard = true);
    for (let i = 0; i < 50 && !heard; i++) {
      await Promise.race([changed, new Promise((r) => setTimeout(r, 200))]);
      if (!heard) backing.sendToolListChanged();
    }
    assert.ok(
      heard,
      "no resources/list_changed within 10 s of the backing server's tools/list_changed",
    );
    const after = (await client.listResources()).resources.map((r) => r.uri);
    assert.ok(after.includes("servers://weather/getAirQuality.ts"));
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name), [
      "search_tools",
      "execute_code",
      "save_skill",
      "run_skill",
    ]);
    await client.close();
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await http.shutdown();
    await backing.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ExecutorDaemon keeps a session's folder when sessions persist, and removes it when they do not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const persist of [true, false]) {
      const sessions: (string | undefined)[] = [];
      const daemon: ExecutorDaemon = new ExecutorDaemon({
        orchestrator: {
          onTaskProgress: (event) => sessions.push(daemon.taskSession(event.taskId)),
          config: { servers: {} },
          serversDir: join(dir, "servers"),
          stateDir: join(dir, "state"),
          sessionsDir: join(dir, "sessions"),
          poolSize: 1,
        },
        persistSessions: persist,
      });
      try {
        await daemon.initialize();
        const client = await connect(daemon, "kept");
        const result = await client.callTool({
          name: "execute_code",
          arguments: {
            code: 'await Deno.writeTextFile("a.txt", "1");\nprogress(1);',
            workspace: "w",
          },
        });
        assert.equal(result.isError, undefined);
        // Hook for per-call features: a running task's session.
        assert.deepEqual(sessions, ["kept"]);
        await client.close();
        await daemon.closeSession("kept");
        const exists = await Deno.stat(join(dir, "sessions/kept/w/a.txt")).then(
          () => true,
          () => false,
        );
        assert.equal(exists, persist);
      } finally {
        await daemon.shutdown({ drainTimeoutMs: 0 });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ExecutorDaemon drops a session's privacy vault when the session closes, even when its folder persists", async () => {
  for (const persistSessions of [false, true]) {
    const daemon = new ExecutorDaemon({
      orchestrator: { config: { servers: {} }, pii: { enabled: true } },
      persistSessions,
    });
    const client = await connect(daemon, "s1");
    const vaults = daemon.orchestrator.privacyVaults!;
    const task = vaults.forTask({ id: "t1", session: "s1" });
    assert.equal(task.resultWithPlaceholders("crm", "get", "ann@example.com"), "[EMAIL_1]");
    task.end();
    assert.equal(vaults.sessions, 1);
    await client.close();
    await daemon.closeSession("s1");
    assert.equal(vaults.sessions, 0, `persistSessions: ${persistSessions}`);
    await daemon.shutdown();
  }
});
