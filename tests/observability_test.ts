import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AuditLog,
  DaemonMetrics,
  MCPOrchestrator,
  type OrchestratorEvent,
  type TaskEvent,
  type TaskResult,
  type ToolCallEvent,
} from "../runtime/mod.ts";
import { referenceConfig } from "./helpers/servers.ts";

/** Values passed as arguments and returned as results: none may reach the audit file or the metrics. */
const SECRET_NAME = "Zebulon Quartermaine-4711";
const SECRET_NOTE = "likes-sea-urchin-pizza-0815";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text format strictly: every line is `# HELP`, `# TYPE` or a sample of a declared family;
 * throws on anything else.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|\+Inf|NaN))$/;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const help = line.match(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/);
    if (help) continue;
    const type = line.match(
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/,
    );
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = line.match(sample);
    assert.ok(m, `not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k!] = v!;
    }
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    assert.ok(types.has(m[1]!) || types.get(family) === "histogram", `no # TYPE for ${m[1]}`);
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

Deno.test("events, audit trail and metrics after real tasks against the reference servers", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "observability-test-" });
  await Deno.mkdir(join(dir, "data"));
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => {
    unhandled.push(e.reason);
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const events: OrchestratorEvent[] = [];
  const orch = new MCPOrchestrator({
    config: referenceConfig(join(dir, "data")),
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    maxToolCalls: 3,
    // A listener that throws on every event: it must break nothing.
    onEvent: () => {
      throw new Error("a broken listener");
    },
  });
  orch.onEvent(async () => {
    await Promise.resolve();
    throw new Error("a broken async listener");
  });
  orch.onEvent((e) => void events.push(e));
  const audit = new AuditLog({ file: join(dir, "audit", "audit.jsonl") });
  audit.attach(orch);
  using metrics = new DaemonMetrics(orch);
  let n = 0;
  const run = (code: string, requiredTools: string[]): Promise<TaskResult> =>
    orch.executeTask({
      id: `obs-${++n}`,
      description: "observability test",
      code,
      requiredTools,
      status: "pending",
      session: "session-1",
      principal: "alice",
    });

  try {
    await orch.initialize();
    const results: TaskResult[] = [];

    await t.step("tasks run normally although two listeners throw", async () => {
      results.push(
        await run(
          `await memory.createEntities({ entities: [
  { name: ${JSON.stringify(SECRET_NAME)}, entityType: "person", observations: [${
            JSON.stringify(SECRET_NOTE)
          }] },
] });
const graph = await memory.readGraph();
return graph.entities.map((e) => e.observations).flat();`,
          ["memory"],
        ),
      );
      assert.equal(results[0]!.status, "completed", JSON.stringify(results[0]!.error));
      assert.deepEqual(results[0]!.data, [SECRET_NOTE]);
    });

    await t.step("refused calls, a tool error and a failed task", async () => {
      // not_allowed, then limit_exceeded (maxToolCalls 3), then tool_failed, then the task throws.
      results.push(
        await run(
          `const codes = [];
try { await memory.deleteEntities({ entityNames: [${
            JSON.stringify(SECRET_NAME)
          }] }); } catch (e) { codes.push(e.code); }
for (let i = 0; i < 4; i++) { try { await memory.readGraph(); codes.push("ok"); } catch (e) { codes.push(e.code); } }
return codes;`,
          ["memory.read_graph"],
        ),
      );
      assert.deepEqual(results[1]!.data, ["not_allowed", "ok", "ok", "ok", "limit_exceeded"]);
      results.push(
        await run(
          `try { await filesystem.readTextFile({ path: "/nowhere/${SECRET_NOTE}.txt" }); } catch (e) { throw new Error(e.code); }`,
          ["filesystem"],
        ),
      );
      assert.equal(results[2]!.status, "failed");
      assert.equal(results[2]!.error?.message, "tool_failed");
    });

    await t.step(
      "tool_call events carry sizes, outcomes and codes; task events their status and tokens",
      () => {
        const calls = events.filter((e): e is ToolCallEvent => e.type === "tool_call");
        const tasks = events.filter((e): e is TaskEvent => e.type === "task");
        assert.deepEqual(
          calls.map((c) =>
            `${c.taskId} ${c.server}.${c.tool} ${c.outcome} ${c.errorCode ?? ""}`.trim()
          ),
          [
            "obs-1 memory.create_entities ok",
            "obs-1 memory.read_graph ok",
            "obs-2 memory.delete_entities refused not_allowed",
            "obs-2 memory.read_graph ok",
            "obs-2 memory.read_graph ok",
            "obs-2 memory.read_graph ok",
            "obs-2 memory.read_graph refused limit_exceeded",
            "obs-3 filesystem.read_text_file error tool_failed",
          ],
        );
        const create = calls[0]!;
        assert.equal(create.session, "session-1");
        assert.ok(calls.every((c) => c.principal === "alice"), "every call names its principal");
        assert.ok(
          create.argsBytes > SECRET_NAME.length + SECRET_NOTE.length,
          String(create.argsBytes),
        );
        assert.ok((create.resultBytes ?? 0) > 0);
        assert.ok(create.durationMs >= 0);
        assert.ok(!Number.isNaN(Date.parse(create.time)));
        assert.equal(calls[2]!.resultBytes, undefined, "a refused call has no result");
        assert.deepEqual(tasks.map((e) => [e.taskId, e.status, e.errorCode ?? null, e.toolCalls]), [
          ["obs-1", "completed", null, 2],
          ["obs-2", "completed", null, 3],
          ["obs-3", "failed", "agent_error", 1],
        ]);
        for (const [i, e] of tasks.entries()) {
          assert.equal(e.tokensUsed, results[i]!.stats.tokensUsed);
          assert.equal(e.tokensDirect, results[i]!.stats.tokensDirect);
          assert.equal(e.session, "session-1");
          assert.equal(e.principal, "alice");
        }
      },
    );

    await t.step(
      "the audit file has one line per call and per task, and none of the values",
      async () => {
        await audit.flush();
        const text = await Deno.readTextFile(audit.path);
        const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
        assert.equal(lines.filter((l) => l.type === "tool_call").length, 8);
        assert.equal(lines.filter((l) => l.type === "task").length, 3);
        assert.deepEqual(Object.keys(lines[0]).sort(), [
          "argsBytes",
          "durationMs",
          "hash",
          "outcome",
          "prev",
          "principal",
          "resultBytes",
          "seq",
          "server",
          "session",
          "taskId",
          "time",
          "tool",
          "type",
        ]);
        for (const secret of [SECRET_NAME, SECRET_NOTE, "Zebulon", "sea-urchin", "/nowhere"]) {
          assert.ok(!text.includes(secret), `the audit log holds "${secret}"`);
        }
      },
    );

    await t.step("the metrics text is valid exposition format and the counters moved", async () => {
      const text = await metrics.render();
      assert.equal(metrics.contentType, "text/plain; version=0.0.4; charset=utf-8");
      for (const secret of [SECRET_NAME, SECRET_NOTE]) assert.ok(!text.includes(secret));
      // Principals are unbounded: they label no metric.
      assert.ok(!text.includes("alice"), "a metric carries the principal");
      const { types, samples } = parseExposition(text);
      assert.equal(types.get("mcp_executor_tasks_total"), "counter");
      assert.equal(types.get("mcp_executor_task_duration_seconds"), "histogram");
      assert.equal(types.get("mcp_executor_tool_call_duration_seconds"), "histogram");
      assert.equal(types.get("mcp_executor_sandboxes_alive"), "gauge");
      assert.equal(value(samples, "mcp_executor_tasks_total", { status: "completed" }), 2);
      assert.equal(value(samples, "mcp_executor_tasks_total", { status: "failed" }), 1);
      assert.equal(value(samples, "mcp_executor_task_duration_seconds_count"), 3);
      assert.equal(
        value(samples, "mcp_executor_tool_calls_total", { server: "memory", outcome: "ok" }),
        5,
      );
      assert.equal(
        value(samples, "mcp_executor_tool_calls_refused_total", { reason: "not_allowed" }),
        1,
      );
      assert.equal(
        value(samples, "mcp_executor_tool_calls_refused_total", { reason: "limit_exceeded" }),
        1,
      );
      assert.equal(value(samples, "mcp_executor_tool_errors_total", { code: "tool_failed" }), 1);
      // Calls that went out: 5 to memory, 1 to filesystem; the +Inf bucket equals the count.
      assert.equal(
        value(samples, "mcp_executor_tool_call_duration_seconds_count", { server: "memory" }),
        5,
      );
      assert.equal(
        value(samples, "mcp_executor_tool_call_duration_seconds_bucket", {
          server: "filesystem",
          le: "+Inf",
        }),
        1,
      );
      const used = results.reduce((s, r) => s + r.stats.tokensUsed, 0);
      const direct = results.reduce((s, r) => s + r.stats.tokensDirect, 0);
      assert.equal(value(samples, "mcp_executor_tokens_used_total"), used);
      assert.equal(value(samples, "mcp_executor_tokens_direct_total"), direct);
      assert.equal(value(samples, "mcp_executor_server_up", { server: "memory" }), 1);
      assert.equal(value(samples, "mcp_executor_tasks_running"), 0);
      assert.equal(value(samples, "mcp_executor_tasks_queued"), 0);
      const stats = orch.getStats();
      assert.equal(value(samples, "mcp_executor_sandboxes_alive"), stats.sandboxes.alive);
      // Buckets never decrease.
      const buckets = samples.filter((s) =>
        s.name === "mcp_executor_tool_call_duration_seconds_bucket" && s.labels.server === "memory"
      );
      for (let i = 1; i < buckets.length; i++) {
        assert.ok(buckets[i]!.value >= buckets[i - 1]!.value);
      }
    });

    await t.step("no unhandled rejection came from the throwing listeners", async () => {
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(unhandled, []);
    });
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    await orch.shutdown({ drainTimeoutMs: 0 });
    await audit.close();
    await Deno.remove(dir, { recursive: true });
  }
});
