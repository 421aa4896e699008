/**
 * Example 5, personal data the model never sees: customer rows (names, emails, phones, card numbers) are read from
 * a CSV through server-filesystem and written into server-memory. With `pii` on, every tool result is scanned on
 * the host before it enters the sandbox, so the agent's code, its logs and its result hold only tokens such as
 * `[EMAIL_1]`; the tokens in the arguments of the calls to server-memory are restored to the real values on the
 * host, on the way out. Data-flow rules say where values may go: here, from the files only into memory.
 *
 * Run: `deno run -A examples/05-pii-flow.ts`. It checks its own result and exits non-zero when it is wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { PiiOptions } from "../runtime/mod.ts";
import { exampleOrchestrator, TASK } from "./_example.ts";

const pii: PiiOptions = {
  enabled: true,
  // Emails, phones and cards are detected out of the box; names have no shape to check, so say where they are:
  // the first column of the CSV (a per-field rule, { server, path: "$.rows[*].name", kind }, does it for JSON).
  patterns: [{ kind: "NAME", pattern: "^(?<value>[A-Z][a-z]+ [A-Z][a-z]+),", flags: "m" }],
  // Values read from files may be restored only in calls to server-memory (and back to server-filesystem).
  flows: [{ from: "filesystem", to: ["memory"] }],
};
await using orch = await exampleOrchestrator({
  pii,
  approvals: { "memory.delete_entities": "allow" },
});

// One session: the same value keeps its token across the session's tasks.
const session = "example-05";
const copy = await orch.executeTask({
  ...TASK,
  id: "customers-to-memory",
  session,
  requiredTools: ["filesystem.read_text_file", "memory"],
  code: `
const { content } = await filesystem.readTextFile({ path: "crm/customers.csv" });
const rows = content.trim().split("\\n").slice(1).map((line) => {
  const [name, email, phone, card] = line.split(",");
  return { name, email, phone, card };
});
console.log("the agent sees", JSON.stringify(rows[0]));
// Tokens in arguments, alone or inside a longer text, reach server-memory as the real values.
await memory.deleteEntities({ entityNames: rows.map((r) => r.name) });
await memory.createEntities({
  entities: rows.map((r) => ({
    name: r.name,
    entityType: "customer",
    observations: ["email " + r.email, "phone " + r.phone, "card " + r.card],
  })),
});
return rows;`,
});
console.log("copy:", copy.status, JSON.stringify(copy.data), copy.logs);
assert.equal(copy.status, "completed", copy.error?.message);
const rows = copy.data as Record<string, string>[];
assert.deepEqual(rows[0], {
  name: "[NAME_1]",
  email: "[EMAIL_1]",
  phone: "[PHONE_1]",
  card: "[CARD_1]",
});

const REAL = [
  "Ann Lee",
  "ann.lee@example.com",
  "+1 415-555-2671",
  "4111 1111 1111 1111",
  "Chiara Rossi",
];
const seen = JSON.stringify([copy.data, copy.logs]);
for (const value of REAL) assert.ok(!seen.includes(value), `the agent saw "${value}"`);

// server-memory's file (MEMORY_FILE_PATH in mcp.json) holds the real values, and no token.
const memoryFile = `${Deno.env.get("TMPDIR") ?? "/tmp"}/mcp-executor-demo-memory.jsonl`;
const stored = await Deno.readTextFile(memoryFile);
for (const value of REAL) assert.ok(stored.includes(value), `server-memory lacks "${value}"`);
assert.ok(
  stored.includes('"email ann.lee@example.com"'),
  "a token inside a longer text was restored",
);
assert.ok(!/\[(NAME|EMAIL|PHONE|CARD)_\d+\]/.test(stored), "server-memory holds a token");
console.log(
  "server-memory holds the real values, e.g.",
  stored.match(/"email ann\.lee@[^"]+"/)?.[0],
);

// A flow the rules forbid is refused before anything is sent, naming the rule, never the value.
const leak = await orch.executeTask({
  ...TASK,
  id: "customers-to-echo",
  session,
  requiredTools: ["everything.echo"],
  code: `return await everything.echo({ message: "contact [EMAIL_1]" });`,
});
console.log("leak:", leak.status, leak.error?.code, leak.error?.message);
assert.equal(leak.status, "failed");
assert.equal(leak.error?.code, "data_flow");
assert.ok(!JSON.stringify(leak).includes("ann.lee@example.com"));

// Ending the session drops its vault: its tokens no longer mean anything.
await orch.endSession(session);
assert.equal(orch.privacyVaults?.sessions, 0);
console.log("ok");
