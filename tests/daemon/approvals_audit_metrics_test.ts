/**
 * Approvals, the audit trail and /metrics through a real daemon process over Streamable HTTP, with real SDK clients
 * (one that accepts approval questions, one that declines, one without elicitation) and real server-memory.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, ElicitRequestSchema, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./_daemon.ts";

const CODE = `
await memory.createEntities({ entities: [{ name: NAME, entityType: "probe", observations: ["secret-value-7431"] }] });
await memory.deleteEntities({ entityNames: [NAME] });
return "deleted";`;

async function clientFor(url: URL, answer?: "accept" | "decline") {
  const client = new Client(
    { name: `approvals-${answer ?? "none"}`, version: "1.0.0" },
    answer === undefined ? {} : { capabilities: { elicitation: { form: {} } } },
  );
  const questions: string[] = [];
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      questions.push(request.params.message);
      return answer === "accept"
        ? { action: "accept", content: { approve: true } }
        : { action: "decline" };
    });
  }
  await client.connect(new StreamableHTTPClientTransport(url));
  return { client, questions };
}

async function run(client: Client, name: string) {
  const result = await client.callTool({
    name: "execute_code",
    arguments: { code: `const NAME = ${JSON.stringify(name)};${CODE}` },
  });
  return result as { isError?: boolean; structuredContent?: Record<string, unknown> };
}

Deno.test("daemon: destructive calls are asked about through elicitation, audited, and counted in /metrics", async () => {
  await using dir = await daemonDir({ audit: { file: "audit/trail.jsonl" } });
  await using daemon = await httpDaemon(dir.config);

  const yes = await clientFor(daemon.url, "accept");
  const no = await clientFor(daemon.url, "decline");
  const mute = await clientFor(daemon.url);
  try {
    const accepted = await run(yes.client, "Approval Probe A");
    assert.equal(accepted.isError ?? false, false, JSON.stringify(accepted));
    assert.equal(accepted.structuredContent?.data, "deleted");
    assert.equal(yes.questions.length, 1);
    assert.match(yes.questions[0]!, /delete_entities/);
    assert.match(yes.questions[0]!, /memory/);

    const declined = await run(no.client, "Approval Probe B");
    assert.equal(declined.isError, true);
    const declinedError = declined.structuredContent?.error as { code: string; message: string };
    assert.equal(declinedError.code, "not_approved");
    assert.match(declinedError.message, /declined/);
    assert.equal(no.questions.length, 1);

    const unasked = await run(mute.client, "Approval Probe C");
    assert.equal(unasked.isError, true);
    const unaskedError = unasked.structuredContent?.error as { code: string; message: string };
    assert.equal(unaskedError.code, "not_approved");
    assert.match(unaskedError.message, /does not support elicitation/);
  } finally {
    await Promise.all([yes.client.close(), no.client.close(), mute.client.close()]);
  }

  const metrics = await (await fetch(`${daemon.base}/metrics`)).text();
  assert.match(metrics, /^mcp_executor_approvals_total\{action="ask",approved="true"\} 1$/m);
  assert.match(metrics, /^mcp_executor_approvals_total\{action="ask",approved="false"\} 2$/m);
  assert.match(metrics, /^mcp_executor_tool_calls_refused_total\{reason="not_approved"\} 2$/m);
  assert.match(metrics, /^mcp_executor_tasks_total\{status="completed"\} 1$/m);
  assert.match(metrics, /^mcp_executor_tasks_total\{status="failed"\} 2$/m);

  // The daemon appends to the trail after it answers; give a busy machine a moment for the last line.
  let trail = "";
  let deletes: Array<{ session: string }> = [];
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    trail = await Deno.readTextFile(join(dir.dir, "audit", "trail.jsonl")).catch(() => "");
    const lines = trail.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    deletes = lines.filter((l) => l.tool === "delete_entities");
    if (deletes.length >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(deletes.length, 3);
  assert.equal(new Set(deletes.map((l) => l.session)).size, 3, "each client is its own session");
  assert.ok(!trail.includes("secret-value-7431"), "the audit trail holds sizes, never values");
  assert.ok(!trail.includes("Approval Probe"), "the audit trail holds sizes, never values");
});
