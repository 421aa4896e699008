import assert from "node:assert/strict";
import { OrchestratorEvents } from "../orchestrator/mod.ts";
import type { OrchestratorStats } from "../orchestrator/mod.ts";
import { DaemonMetrics } from "./metrics.ts";

/** The two things DaemonMetrics reads from an orchestrator, driven by hand to send chosen events. */
function source(stats: Partial<OrchestratorStats> = {}) {
  const events = new OrchestratorEvents();
  return {
    events,
    onEvent: (listener: Parameters<OrchestratorEvents["on"]>[0]) => events.on(listener),
    getStats: (): OrchestratorStats => ({
      servers: [{ name: "memory", state: "connected", transport: "stdio", toolCount: 9 }],
      tools: 9,
      skills: 0,
      sandboxes: { idle: 2, alive: 3 },
      activeTasks: 1,
      queuedTasks: 4,
      maxConcurrentTasks: 4,
      completedTasks: { completed: 0, failed: 0, timeout: 0, cancelled: 0 },
      ...stats,
    }),
  };
}

const call = (server: string, errorCode: string) => ({
  type: "tool_call" as const,
  time: new Date().toISOString(),
  taskId: "t1",
  server,
  tool: "x",
  durationMs: 1,
  outcome: "refused" as const,
  errorCode,
  argsBytes: 2,
});

Deno.test('DaemonMetrics labels calls to unconfigured servers as "other", so agent code cannot grow the label set', async () => {
  const s = source();
  using metrics = new DaemonMetrics(s);
  for (let i = 0; i < 50; i++) s.events.emit(call(`made-up-${i}`, "not_allowed"));
  s.events.emit({
    ...call("memory", "not_approved"),
    approval: { rule: "default:destructive", action: "ask", approved: false, waitMs: 3 },
  });
  const text = await metrics.render();
  assert.match(text, /mcp_executor_tool_calls_total\{server="other",outcome="refused"\} 50/);
  assert.match(text, /mcp_executor_tool_calls_total\{server="memory",outcome="refused"\} 1/);
  assert.match(text, /mcp_executor_tool_calls_refused_total\{reason="not_approved"\} 1/);
  assert.doesNotMatch(text, /made-up/);
  assert.match(text, /mcp_executor_approvals_total\{action="ask",approved="false"\} 1/);
});

Deno.test("DaemonMetrics reads gauges at render time and stops counting after close()", async () => {
  const s = source();
  const metrics = new DaemonMetrics(s);
  const text = await metrics.render();
  assert.match(text, /^mcp_executor_sandboxes_idle 2$/m);
  assert.match(text, /^mcp_executor_sandboxes_alive 3$/m);
  assert.match(text, /^mcp_executor_tasks_running 1$/m);
  assert.match(text, /^mcp_executor_tasks_queued 4$/m);
  assert.match(text, /^mcp_executor_server_up\{server="memory"\} 1$/m);
  metrics.close();
  s.events.emit(call("memory", "not_allowed"));
  assert.doesNotMatch(await metrics.render(), /reason="not_allowed"/);
  // A second instance has its own registry: no "already registered" clash.
  using other = new DaemonMetrics(s);
  assert.match(await other.render(), /mcp_executor_tasks_total/);
});

Deno.test("DaemonMetrics reports the queue wait of maxConcurrentCalls apart from the call's own duration", async () => {
  const s = source({
    servers: [{
      name: "memory",
      state: "connected",
      transport: "stdio",
      toolCount: 9,
      calls: { limit: 1, inFlight: 1, waiting: 5 },
    }],
  });
  using metrics = new DaemonMetrics(s);
  s.events.emit({
    ...call("memory", ""),
    outcome: "ok",
    errorCode: undefined,
    durationMs: 300,
    queueMs: 250,
  });
  const text = await metrics.render();
  assert.match(text, /^mcp_executor_tool_call_queue_seconds_sum\{server="memory"\} 0\.25$/m);
  assert.match(text, /^mcp_executor_tool_call_duration_seconds_sum\{server="memory"\} 0\.05$/m);
  assert.match(text, /^mcp_executor_tool_calls_in_flight\{server="memory"\} 1$/m);
  assert.match(text, /^mcp_executor_tool_calls_waiting\{server="memory"\} 5$/m);
});
