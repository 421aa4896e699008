/**
 * Operator approvals through a real daemon process over Streamable HTTP, with real server-memory and pii on: the
 * question goes to GET /approvals (JSON and Server-Sent Events), never to the asking client; an operator answers
 * with POST /approvals/<id>; the audit trail records who answered.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, ElicitRequestSchema, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./_daemon.ts";

const TOKEN = "operator-test-token-5b1d-0123456789abcdef";
const auth = { authorization: `Bearer ${TOKEN}` };

/** Creates a person named by an email address, reads it back (a placeholder now) and deletes it by placeholder. */
const program = (email: string) => `
await memory.createEntities({ entities: [{ name: ${
  JSON.stringify(email)
}, entityType: "person", observations: [] }] });
const graph = await memory.readGraph();
const name = graph.entities.find((e) => e.entityType === "person").name;
await memory.deleteEntities({ entityNames: [name] });
return name;`;

interface Pending {
  id: string;
  server: string;
  tool: string;
  args: { entityNames: string[] };
  placeholders?: { token: string; kind: string }[];
  taskId: string;
  session?: string;
  principal?: string;
  rule: string;
}

async function waitPending(base: string): Promise<Pending> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const response = await fetch(`${base}/approvals`, { headers: auth });
    assert.equal(response.status, 200);
    const { pending } = await response.json() as { pending: Pending[] };
    if (pending.length > 0) return pending[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("No approval became pending");
}

/** Reads Server-Sent Events from GET /approvals into a list. */
function events(base: string) {
  const controller = new AbortController();
  const seen: { event: string; data: Record<string, unknown> }[] = [];
  const done = (async () => {
    const response = await fetch(`${base}/approvals`, {
      headers: { ...auth, accept: "text/event-stream" },
      signal: controller.signal,
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = block.match(/^event: (.*)$/m)?.[1];
          const data = block.match(/^data: (.*)$/m)?.[1];
          if (event !== undefined && data !== undefined) {
            seen.push({ event, data: JSON.parse(data) });
          }
        }
      }
    } catch {
      // Aborted at the end of the test.
    }
  })();
  return {
    seen,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await done;
    },
  };
}

Deno.test('daemon with approver "operator": the operator answers over HTTP with real values, the asking client is never asked', async () => {
  await using dir = await daemonDir({
    approvals: { approver: "operator" },
    pii: { enabled: true },
    audit: { file: "audit.jsonl" },
  });
  await using daemon = await httpDaemon(dir.config, { env: { MCPX_TOKEN: TOKEN }, token: TOKEN });
  const client = new Client(
    { name: "agent", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  // The agent's own client would approve anything: under "operator" it must never be asked.
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return { action: "accept", content: { approve: true } };
  });
  await client.connect(
    new StreamableHTTPClientTransport(daemon.url, { requestInit: { headers: auth } }),
  );
  await using stream = events(daemon.base);
  try {
    const noScope = await fetch(`${daemon.base}/approvals`);
    assert.equal(noScope.status, 401, "the list is behind the bearer token");
    await noScope.body?.cancel();

    // Approve: the call goes out and the entity is gone.
    const running = client.callTool({
      name: "execute_code",
      arguments: { code: program("ann@example.com") },
    });
    const pending = await waitPending(daemon.base);
    assert.equal(pending.server, "memory");
    assert.equal(pending.tool, "delete_entities");
    assert.deepEqual(
      pending.args,
      { entityNames: ["ann@example.com"] },
      "the operator sees real values",
    );
    assert.deepEqual(pending.placeholders, [{ token: "[EMAIL_1]", kind: "EMAIL" }]);
    assert.equal(pending.rule, "default:destructive");
    assert.equal(pending.principal, "default");
    assert.equal(typeof pending.session, "string");
    const bad = await fetch(`${daemon.base}/approvals/${pending.id}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ approve: "yes" }),
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    const answer = await fetch(`${daemon.base}/approvals/${pending.id}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ approve: true }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), {
      id: pending.id,
      approved: true,
      answeredBy: "default",
    });
    const approved = await running as { isError?: boolean; structuredContent?: { data?: unknown } };
    assert.equal(approved.isError ?? false, false, JSON.stringify(approved));
    assert.equal(
      approved.structuredContent?.data,
      "[EMAIL_1]",
      "the agent only saw the placeholder",
    );
    const again = await fetch(`${daemon.base}/approvals/${pending.id}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ approve: true }),
    });
    assert.equal(again.status, 404, "an answered approval cannot be answered again");
    await again.body?.cancel();

    // Deny: the call is refused with the operator's reason.
    const refused = client.callTool({
      name: "execute_code",
      arguments: { code: program("bob@example.com") },
    });
    const second = await waitPending(daemon.base);
    const deny = await fetch(`${daemon.base}/approvals/${second.id}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ approve: false, reason: "not this one" }),
    });
    assert.equal(deny.status, 200);
    await deny.body?.cancel();
    const denied = await refused as {
      isError?: boolean;
      structuredContent?: { error?: { code: string; message: string } };
    };
    assert.equal(denied.isError, true);
    assert.equal(denied.structuredContent?.error?.code, "not_approved");
    assert.match(
      denied.structuredContent?.error?.message ?? "",
      /operator "default" refused it: not this one/,
    );
    assert.deepEqual(asked, [], "the asking agent's client was never asked");
  } finally {
    await client.close();
  }

  // The event stream: a snapshot, then each question added and answered.
  const kinds = stream.seen.map((e) => e.event);
  assert.equal(kinds[0], "snapshot");
  assert.deepEqual(kinds.filter((k) => k !== "snapshot"), [
    "added",
    "answered",
    "added",
    "answered",
  ]);
  assert.equal(stream.seen[2]?.data.answeredBy, "default");

  // The audit trail records who answered each question.
  let deletes: { approval?: { approved: boolean; answeredBy?: string } }[] = [];
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const trail = await Deno.readTextFile(join(dir.dir, "audit.jsonl")).catch(() => "");
    deletes = trail.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
      .filter((l) => l.tool === "delete_entities");
    if (deletes.length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(deletes.map((l) => [l.approval?.approved, l.approval?.answeredBy]), [
    [true, "default"],
    [false, "default"],
  ]);
});
