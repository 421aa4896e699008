// Each test here reproduces a way the host could crash, wedge or misreport that a review found.
import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import {
  MCPOrchestrator,
  type OrchestratorOptions,
  setTokenizer,
  type TaskResult,
} from "../runtime/mod.ts";
import { McpServer, WebStandardStreamableHTTPServerTransport } from "../runtime/sdk.ts";
import { faultyServer, freePort, npmServer } from "./helpers/servers.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";
import { within } from "./helpers/within.ts";

let counter = 0;

function task(code: string, requiredTools: string[] = [], extra: Record<string, unknown> = {}) {
  return {
    id: `review-${++counter}`,
    description: "review test",
    code,
    requiredTools,
    status: "pending" as const,
    ...extra,
  };
}

async function withOrchestrator(
  options: Partial<OrchestratorOptions>,
  fn: (orch: MCPOrchestrator, dir: string) => Promise<void>,
): Promise<void> {
  await using f = await startOrchestrator({ servers: "none", ...options });
  await fn(f.orch, f.dir);
}

Deno.test(
  "a tools/list_changed listener that throws does not end the host",
  noUnhandledRejections(async () => {
    const server = new McpServer({ name: "weather", version: "1.0.0" });
    server.registerTool("get_forecast", {
      description: "Get the forecast",
      inputSchema: { city: z.string() },
    }, ({ city }) => ({ content: [{ type: "text", text: `Sunny in ${city}` }] }));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
    });
    await server.connect(transport);
    const port = freePort();
    const http = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (req) => transport.handleRequest(req),
    );
    try {
      await withOrchestrator({
        config: {
          servers: { weather: { type: "http", url: `http://127.0.0.1:${port}/mcp`, headers: {} } },
        },
      }, async (orch) => {
        let calls = 0;
        const seen = new Promise<void>((resolve) => {
          orch.onToolsChanged(() => {
            calls++;
            throw new Error("a listener that throws");
          });
          orch.onToolsChanged(() => resolve());
        });
        server.registerTool("get_air_quality", {
          description: "Air quality",
          inputSchema: { city: z.string() },
        }, ({ city }) => ({ content: [{ type: "text", text: `AQI 12 in ${city}` }] }));
        await within(seen, 20_000, "the second listener was called");
        assert.equal(calls, 1);
        const result = await orch.executeTask(
          task(`return await weather.getAirQuality({ city: "Oslo" });`, ["weather"]),
        );
        assert.equal(result.status, "completed", JSON.stringify(result.error));
      });
    } finally {
      await http.shutdown();
      await server.close();
    }
  }),
);

Deno.test(
  "a token count that fails while the task still runs is not an unhandled rejection",
  noUnhandledRejections(async () => {
    const previous = setTokenizer({
      name: "explodes-on-results",
      count(text: string): number {
        if (text.includes("ok ")) throw new Error("tokenizer failed");
        return text.length;
      },
    });
    try {
      await withOrchestrator({ config: { servers: { faulty: faultyServer() } } }, async (orch) => {
        const result = await orch.executeTask(task(
          `const r = await faulty.work({ mode: "ok" });
await new Promise((resolve) => setTimeout(resolve, 300));
return r.startsWith("ok");`,
          ["faulty"],
        ));
        assert.equal(result.status, "completed", JSON.stringify(result.error));
        assert.equal(result.data, true);
      });
    } finally {
      setTokenizer(previous);
    }
  }),
);

Deno.test("two executeTask() calls with one id: the second is refused, cancelTask() reaches the first", async () => {
  await withOrchestrator({}, async (orch) => {
    const first = orch.executeTask({
      ...task(`await new Promise((r) => setTimeout(r, 20_000)); return "ran";`),
      id: "same-id",
    });
    const second = orch.executeTask({ ...task(`return "second";`), id: "same-id" });
    await assert.rejects(second, (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /a task with that id is already running/);
      return true;
    });
    assert.equal(orch.cancelTask("same-id"), true);
    const result = await first;
    assert.equal(result.status, "cancelled", JSON.stringify(result));
  });
});

Deno.test("a workspace folder that cannot be made fails the task with a result, not a rejection", async () => {
  const dir = await Deno.makeTempDir({ prefix: "review-ws-" });
  try {
    await withOrchestrator({ workspacesDir: join(dir, "ws") }, async (orch) => {
      // The workspaces folder is replaced by a file: the task's folder cannot be made inside it.
      await Deno.remove(join(dir, "ws"), { recursive: true });
      await Deno.writeTextFile(join(dir, "ws"), "not a folder");
      const result = await orch.executeTask(task(`return 1;`, [], { workspace: "notes" }));
      assert.equal(result.status, "failed");
      assert.equal(result.error?.code, "workspace_unavailable", JSON.stringify(result.error));
      assert.match(
        result.error?.message ?? "",
        /Cannot run task "review-\d+": cannot create its workspace "notes"/,
      );
      const next = await orch.executeTask(task(`return 2;`));
      assert.equal(next.data, 2);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a shutdown at any point after executeTask() gives a result, never a rejection", async () => {
  for (let turns = 0; turns < 8; turns++) {
    const dir = await Deno.makeTempDir({ prefix: "review-shutdown-" });
    const orch = new MCPOrchestrator({
      config: { servers: {} },
      serversDir: join(dir, "servers"),
      stateDir: join(dir, "state"),
      poolSize: 1,
    });
    try {
      await orch.initialize();
      const running = orch.executeTask(task(`return 1;`, [], { workspace: "w" }));
      for (let i = 0; i < turns; i++) await Promise.resolve();
      if (turns === 7) await new Promise((r) => setTimeout(r, 0));
      const stopping = orch.shutdown({ drainTimeoutMs: 0 });
      const result: TaskResult = await running;
      await stopping;
      assert.ok(
        ["completed", "cancelled"].includes(result.status),
        `after ${turns} turns: ${JSON.stringify(result)}`,
      );
    } finally {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("MCPOrchestrator refuses code over maxCodeBytes before parsing it, naming the limit", async (t) => {
  assert.throws(
    () => new MCPOrchestrator({ config: { servers: {} }, maxCodeBytes: 0 }),
    /maxCodeBytes must be a whole number >= 1, got 0/,
  );
  await withOrchestrator({ maxCodeBytes: 1000 }, async (orch) => {
    await t.step("code over the limit is a failed result", async () => {
      const result = await orch.executeTask(task(`return "${"é".repeat(600)}";`));
      assert.equal(result.status, "failed");
      assert.equal(result.error?.code, "code_too_large", JSON.stringify(result.error));
      assert.match(
        result.error?.message ?? "",
        /^Cannot run task "review-\d+": its code is 1210 bytes, over the limit of 1000 bytes \(limit "maxCodeBytes"\)$/,
      );
    });
    await t.step("code under the limit runs", async () => {
      const result = await orch.executeTask(task(`return "${"a".repeat(900)}".length;`));
      assert.equal(result.data, 900);
    });
  });
  await withOrchestrator({}, async (orch) => {
    await t.step("the default limit is 1 MiB", async () => {
      const result = await orch.executeTask(task(`// ${"x".repeat(1024 * 1024)}\nreturn 1;`));
      assert.equal(result.error?.code, "code_too_large", JSON.stringify(result.error));
      assert.match(result.error?.message ?? "", /over the limit of 1048576 bytes/);
    });
  });
});

Deno.test("executeTask() validates the task id's length, timeoutMs and permissions before anything runs", async (t) => {
  await withOrchestrator({}, async (orch) => {
    await t.step("an id over 256 characters", async () => {
      await assert.rejects(
        orch.executeTask({ ...task(`return 1;`), id: "x".repeat(257) }),
        (error: Error) => {
          assert.ok(error instanceof TypeError);
          assert.match(
            error.message,
            /^Cannot run task "x{20}…": its id is 257 characters, over the limit of 256$/,
          );
          return true;
        },
      );
      const ok = await orch.executeTask({ ...task(`return 1;`), id: "y".repeat(256) });
      assert.equal(ok.status, "completed", JSON.stringify(ok.error));
    });
    for (const bad of [Number.NaN, -1, 0, 2 ** 31, Infinity, 1.5, "100"]) {
      await t.step(`timeoutMs ${String(bad)}`, async () => {
        await assert.rejects(
          orch.executeTask(task(`return 1;`, [], { timeoutMs: bad })),
          (error: Error) => {
            assert.ok(error instanceof RangeError, String(error));
            assert.match(
              error.message,
              /^Cannot run task "review-\d+": timeoutMs must be a whole number of milliseconds from 1 to 2147483647, got /,
            );
            return true;
          },
        );
      });
    }
    // Found by the property tests: `read: false` with a workspace threw "false is not iterable".
    for (
      const [permissions, message] of [
        [{ read: false }, /permissions\.read must be an array of strings$/],
        [{ run: ["/bin/sh"] }, /permissions has an unknown field "run": use read, write or net$/],
        ["all", /permissions must be an object/],
      ] as const
    ) {
      await t.step(`permissions ${JSON.stringify(permissions)}`, async () => {
        await assert.rejects(
          orch.executeTask(task(`return 1;`, [], { permissions, workspace: "w1" })),
          (error: Error) => error instanceof TypeError && message.test(error.message),
        );
      });
    }
    const next = await orch.executeTask(task(`return 3;`, [], { timeoutMs: 2 ** 31 - 1 }));
    assert.equal(next.data, 3);
  });
});

Deno.test("the maxToolCalls error names its limit like the other limits", async () => {
  await withOrchestrator({
    config: {
      servers: { memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: "/dev/null" }) },
    },
    maxToolCalls: 1,
  }, async (orch) => {
    const result = await orch.executeTask(task(
      `await memory.readGraph();
try { await memory.readGraph(); } catch (e) { return [e.code, e.message]; }`,
      ["memory"],
    ));
    const [code, message] = result.data as string[];
    assert.equal(code, "limit_exceeded");
    assert.match(message!, /reached its limit of 1 tool calls \(limit "maxToolCalls"\)$/);
  });
});
