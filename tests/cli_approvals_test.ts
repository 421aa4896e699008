/**
 * Approvals from the command line, with real `deno run cli.ts` processes, a real daemon and real server-memory:
 * `mcpx run` reads mcp-executor.json beside the config and, without a terminal on stdin, refuses a call that needs
 * approval, saying why; `mcpx approvals --list/--approve/--deny` answers a daemon's operator approvals.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { Client, StreamableHTTPClientTransport } from "../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./daemon/_daemon.ts";
import { mcpx } from "./helpers/mcpx.ts";

const DELETE = (name: string) => `
await memory.createEntities({ entities: [{ name: ${
  JSON.stringify(name)
}, entityType: "probe", observations: [] }] });
await memory.deleteEntities({ entityNames: [${JSON.stringify(name)}] });
return "deleted";`;

Deno.test("mcpx run without a terminal on stdin refuses a call that needs approval and says why; mcp-executor.json's audit is written", async () => {
  await using dir = await daemonDir({
    approvals: { "memory.delete_entities": "ask" },
    audit: { file: "audit.jsonl" },
  });
  await Deno.writeTextFile(join(dir.dir, "del.ts"), DELETE("CLI Probe"));
  const run = await mcpx(dir.dir, "run", "del.ts", "--tools", "memory", "--json");
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.error.code, "not_approved");
  assert.match(result.error.message, /rule "memory\.delete_entities"/);
  assert.match(result.error.message, /stdin is not a terminal/);
  const trail = await Deno.readTextFile(join(dir.dir, "audit.jsonl"));
  const line = trail.trim().split("\n").map((l) => JSON.parse(l)).find((l) =>
    l.tool === "delete_entities"
  );
  assert.equal(line?.approval?.approved, false);
  assert.equal(line?.approval?.rule, "memory.delete_entities");
});

Deno.test("mcpx skills run without a terminal on stdin refuses a call that needs approval and says why", async () => {
  await using dir = await daemonDir({ approvals: { rules: { memory: "ask" } } });
  {
    await using orch = new MCPOrchestrator({ config: dir.config, poolSize: 0 });
    await orch.initialize();
    await orch.saveSkill("delete-probe", {
      description: "Creates a probe entity and deletes it",
      code: DELETE("Skill CLI Probe"),
    });
  }
  const run = await mcpx(dir.dir, "skills", "run", "delete-probe", "--json");
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.error.code, "not_approved");
  assert.match(result.error.message, /rule "memory" \("ask"\)/);
  assert.match(result.error.message, /stdin is not a terminal/);
});

Deno.test("mcpx approvals --list, --approve and --deny answer a daemon's operator approvals", async () => {
  const token = "cli-approvals-token-41aa-0123456789abcdef";
  await using dir = await daemonDir({ approvals: { approver: "operator" } });
  await using daemon = await httpDaemon(dir.config, { env: { MCPX_TOKEN: token }, token });
  const client = new Client({ name: "agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(daemon.url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const tokenFile = join(dir.dir, "operator.token");
  await Deno.writeTextFile(tokenFile, `${token}\n`);
  const cli = (...args: string[]) =>
    mcpx(dir.dir, "approvals", "--url", daemon.base, "--token-file", tokenFile, ...args);
  try {
    const noToken = await mcpx(dir.dir, "approvals", "--url", daemon.base, "--list");
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /bearer token is missing or wrong/);

    const waitPending = async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        const list = await cli("--list", "--json");
        assert.equal(list.code, 0, list.stderr);
        const pending = JSON.parse(list.stdout);
        if (pending.length > 0) return pending[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("nothing became pending");
    };

    const first = client.callTool({ name: "execute_code", arguments: { code: DELETE("A") } });
    const a = await waitPending();
    assert.equal(a.tool, "delete_entities");
    assert.equal(a.principal, "default");
    const text = await cli("--list");
    assert.match(text.stdout, /memory\.delete_entities {2}\(rule default:destructive\)/);
    const approved = await cli("--approve", a.id);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(
      ((await first).structuredContent as { data?: unknown }).data,
      "deleted",
    );
    const twice = await cli("--approve", a.id);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /is not pending/);

    const second = client.callTool({ name: "execute_code", arguments: { code: DELETE("B") } });
    const b = await waitPending();
    const denied = await cli("--deny", b.id, "--reason", "from the CLI test");
    assert.equal(denied.code, 0, denied.stderr);
    const refused = (await second).structuredContent as {
      error?: { code: string; message: string };
    };
    assert.equal(refused.error?.code, "not_approved");
    assert.match(refused.error?.message ?? "", /from the CLI test/);
  } finally {
    await client.close();
  }
});
