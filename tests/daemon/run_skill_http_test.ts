/**
 * run_skill over real Streamable HTTP against a real daemon process and server-memory: the skill's approval
 * question and its progress travel on the run_skill request itself and reach the client that called it (before,
 * they went to the standalone GET stream, which this client never opens, and were lost); a request cancelled
 * before it arrived does not run.
 */

import assert from "node:assert/strict";
import { Client, ElicitRequestSchema, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, httpDaemon, textOf } from "./_daemon.ts";

const SKILL = `progress(1, 2);
await memory.createEntities({ entities: [{ name: args.name, entityType: "probe", observations: [] }] });
await memory.deleteEntities({ entityNames: [args.name] });
progress(2, 2);
const left = await memory.openNodes({ names: [args.name] });
return left.entities.length;`;

Deno.test("daemon over HTTP: run_skill's approval question and progress reach the client that called it", async () => {
  await using dir = await daemonDir();
  await using daemon = await httpDaemon(dir.config);
  const client = new Client(
    { name: "skills-agent", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return { action: "accept", content: { approve: true } };
  });
  const transport = new StreamableHTTPClientTransport(daemon.url);
  await client.connect(transport);
  try {
    const saved = await client.callTool({
      name: "save_skill",
      arguments: {
        name: "delete-probe",
        description: "Create a probe entity and delete it",
        code: SKILL,
        params: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      },
    });
    assert.equal(saved.isError ?? false, false, textOf(saved));

    const progress: number[] = [];
    const result = await client.callTool(
      { name: "run_skill", arguments: { name: "delete-probe", args: { name: "Skill Probe" } } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    assert.equal(result.isError ?? false, false, textOf(result));
    assert.equal(
      (result.structuredContent as { data?: unknown } | undefined)?.data ??
        JSON.parse(textOf(result)).data,
      0,
    );
    assert.equal(asked.length, 1, "the approval question reached this client");
    assert.match(asked[0]!, /delete_entities/);
    assert.ok(progress.length > 0, "progress reached this client");

    // A run_skill whose notifications/cancelled arrived first is answered as cancelled and never runs.
    const post = (message: unknown) =>
      fetch(daemon.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": transport.sessionId!,
          "mcp-protocol-version": transport.protocolVersion ?? "2025-06-18",
        },
        body: JSON.stringify(message),
      });
    const cancel = await post({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 7001, reason: "changed my mind" },
    });
    await cancel.body?.cancel();
    const late = await post({
      jsonrpc: "2.0",
      id: 7001,
      method: "tools/call",
      params: { name: "run_skill", arguments: { name: "delete-probe", args: { name: "Never" } } },
    });
    const answer = await late.json();
    assert.match(
      answer.error?.message ?? "",
      /cancelled it before it arrived/,
      JSON.stringify(answer),
    );
    assert.equal(asked.length, 1, "the cancelled run asked nothing");
  } finally {
    await client.close();
  }
});
