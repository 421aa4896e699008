/**
 * One of each message shape the sandbox sends, valid: what the protocol tests accept and mutate.
 *
 * @module
 */

/** Valid sandbox messages, at least one of every type and optional field. */
export const VALID_SANDBOX_MESSAGES: readonly Record<string, unknown>[] = [
  { type: "ready" },
  { type: "ready", nonce: "0b9d" },
  { type: "call", taskId: "t1", callId: 0, server: "memory", tool: "read_graph", args: { a: [1] } },
  { type: "call", taskId: "t1", callId: 7, server: "m", tool: "t", args: null },
  { type: "catalog", taskId: "t1", callId: 1, op: "search", query: "q", server: "s", limit: 5 },
  { type: "catalog", taskId: "t1", callId: 2, op: "list" },
  { type: "log", taskId: "t1", level: "warn", text: "careful" },
  { type: "progress", taskId: "t1", progress: 3, total: 10, message: "rows" },
  { type: "progress", taskId: "t1", progress: 0.5 },
  { type: "done", taskId: "t1", ok: true, value: { n: 1 }, droppedLogBytes: 10 },
  { type: "done", taskId: "t1", ok: true },
  {
    type: "done",
    taskId: "t1",
    ok: false,
    error: {
      name: "ToolError",
      code: "tool_failed",
      message: "boom",
      stack: "s",
      server: "m",
      tool: "t",
    },
  },
];
