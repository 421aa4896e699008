import assert from "node:assert/strict";
import { createTestPool } from "./_test_util.ts";
import type { CatalogRequest } from "./run_result.ts";
import { parseSandboxMessage } from "./protocol_schema.ts";

const ENTRIES = [
  { name: "echo.echo", server: "echo", tool: "echo", functionName: "echo", description: "Echo" },
  {
    name: "git.git_stash",
    server: "git",
    tool: "git_stash",
    functionName: "gitStash",
    description: "",
  },
];

Deno.test("agent code reads the catalog with tools.search and tools.list in a real sandbox", async () => {
  await using t = await createTestPool();
  const requests: CatalogRequest[] = [];
  const result = await t.pool.run({
    taskId: "t1",
    code: `const found = await tools.search("stash my work", { limit: 3, server: "git" });
const all = await tools.list();
const one = await tools.list("echo");
return { found: found.map((e) => e.name), all: all.length, one: one.map((e) => e.functionName) };`,
    onToolCall: () => Promise.reject(new Error("no calls expected")),
    onCatalog: (request) => {
      requests.push(request);
      const entries = request.server === undefined
        ? ENTRIES
        : ENTRIES.filter((e) => e.server === request.server);
      return Promise.resolve(entries);
    },
  });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.value, { found: ["git.git_stash"], all: 2, one: ["echo"] });
  assert.deepEqual(requests, [
    { op: "search", query: "stash my work", limit: 3, server: "git" },
    { op: "list" },
    { op: "list", server: "echo" },
  ]);
  assert.equal(result.toolCalls, 0);
  await t.pool.settled();
});

Deno.test("tools.search() rejects bad arguments in the sandbox with a clear error", async () => {
  await using t = await createTestPool();
  const result = await t.pool.run({
    taskId: "t1",
    code: `const errors = [];
for (const args of [[42], ["x", { limit: 0 }], ["x", { limit: 51 }], ["x", { server: "" }]]) {
  try { await tools.search(...args); } catch (e) { errors.push(e.name + ": " + e.message); }
}
try { await tools.list(7); } catch (e) { errors.push(e.name + ": " + e.message); }
return errors;`,
    onToolCall: () => Promise.reject(new Error("no calls expected")),
    onCatalog: () => Promise.resolve([]),
  });
  assert.deepEqual(result.value, [
    "TypeError: Cannot search tools: query must be a string, got number",
    "RangeError: Cannot search tools: limit must be a whole number from 1 to 50",
    "RangeError: Cannot search tools: limit must be a whole number from 1 to 50",
    "TypeError: Cannot search tools: server must be a string of 1 to 256 characters",
    "TypeError: Cannot list tools: server must be a string of 1 to 256 characters",
  ]);
  await t.pool.settled();
});

Deno.test("a catalog read fails with a ToolError when the host offers no catalog or its answer fails", async () => {
  await using t = await createTestPool();
  const code = `try { await tools.list(); } catch (e) { return [e.name, e.code, e.message]; }`;
  const without = await t.pool.run({
    taskId: "t1",
    code,
    onToolCall: () => Promise.reject(new Error("no calls expected")),
  });
  assert.deepEqual(without.value, [
    "ToolError",
    "tool_failed",
    "Cannot read the tool catalog: this host does not offer it",
  ]);
  const failing = await t.pool.run({
    taskId: "t2",
    code,
    onToolCall: () => Promise.reject(new Error("no calls expected")),
    onCatalog: () => Promise.reject(new Error("Cannot list tools: the index is closed")),
  });
  assert.deepEqual(failing.value, [
    "ToolError",
    "tool_failed",
    "Cannot list tools: the index is closed",
  ]);
  await t.pool.settled();
});

Deno.test("parseSandboxMessage() accepts a catalog read and refuses a malformed one", () => {
  const ok = parseSandboxMessage(
    '{"type":"catalog","taskId":"t1","callId":0,"op":"search","query":"x","limit":5}',
  );
  assert.equal(ok.type, "catalog");
  for (
    const bad of [
      '{"type":"catalog","taskId":"t1","callId":0,"op":"delete"}',
      '{"type":"catalog","taskId":"t1","callId":0,"op":"search","limit":500}',
      '{"type":"catalog","taskId":"t1","callId":0,"op":"list","extra":1}',
      `{"type":"catalog","taskId":"t1","callId":0,"op":"search","query":"${"x".repeat(1001)}"}`,
    ]
  ) {
    assert.throws(
      () => parseSandboxMessage(bad),
      /Cannot accept sandbox message of type "catalog"/,
    );
  }
});
