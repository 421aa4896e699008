import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions, type TaskResult } from "../runtime/mod.ts";
import { probePrivacy } from "./helpers/privacy_probe.ts";
import { referenceConfig } from "./helpers/servers.ts";

// Rows as a CRM export would have them: the same person (and email) twice, a UK phone, two card numbers.
const CSV = `name,email,phone,card
Ann Lee,ann.lee@example.com,+1 415-555-2671,4111 1111 1111 1111
Bob Stone,bob.stone@example.org,(212) 555-0199,5555 5555 5555 4444
Ann Lee,ann.lee@example.com,+44 20 7946 0958,4012 8888 8888 1881
`;
const REAL = [
  "Ann Lee",
  "Bob Stone",
  "ann.lee@example.com",
  "bob.stone@example.org",
  "415-555-2671",
  "(212) 555-0199",
  "20 7946 0958",
  "4111 1111 1111 1111",
  "5555 5555 5555 4444",
  "4012 8888 8888 1881",
];

const PII: NonNullable<OrchestratorOptions["pii"]> = {
  enabled: true,
  // Names have no shape a pattern can check: the CSV's first column, and the entity names memory returns.
  patterns: [{ kind: "NAME", pattern: "^(?<value>[A-Z][a-z]+ [A-Z][a-z]+),", flags: "m" }],
  fields: [{ server: "memory", tool: "read_graph", path: "$.entities[*].name", kind: "NAME" }],
  // Values read from files may go into the memory graph (and back to the filesystem), nowhere else.
  flows: [{ from: "filesystem", to: ["memory"] }],
};

interface Fixture extends AsyncDisposable {
  orch: MCPOrchestrator;
  data: string;
  run(code: string, extra?: { session?: string; tools?: string[] }): Promise<TaskResult>;
}

let counter = 0;

async function start(pii: OrchestratorOptions["pii"]): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "privacy-test-" });
  const data = join(dir, "data");
  await Deno.mkdir(data);
  await Deno.writeTextFile(join(data, "people.csv"), CSV);
  const orch = new MCPOrchestrator({
    config: referenceConfig(data),
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    ...(pii === undefined ? {} : { pii }),
  });
  await orch.initialize();
  return {
    orch,
    data,
    run: (code, extra = {}) =>
      orch.executeTask({
        id: `privacy-${++counter}`,
        description: "privacy test",
        code,
        requiredTools: extra.tools ?? ["filesystem", "memory", "everything"],
        status: "pending",
        ...(extra.session === undefined ? {} : { session: extra.session }),
      }),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Agent code: reads the CSV through server-filesystem, writes one entity a row into server-memory. */
function copyRows(data: string): string {
  return `const file = await filesystem.readTextFile({ path: ${
    JSON.stringify(join(data, "people.csv"))
  } });
const [, ...lines] = file.content.trim().split("\\n");
const rows = lines.map((line) => { const [name, email, phone, card] = line.split(","); return { name, email, phone, card }; });
console.log("first row", JSON.stringify(rows[0]));
await memory.createEntities({ entities: rows.map((r, i) => ({
  name: r.name + " #" + i,
  entityType: "person",
  observations: ["email: " + r.email, "phone: " + r.phone, "card: " + r.card],
})) });
return rows;`;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

function assertNoRealValue(text: string, where: string): void {
  for (const value of REAL) assert.ok(!text.includes(value), `${where} holds "${value}": ${text}`);
}

Deno.test("pii: rows read through server-filesystem reach server-memory with real values, the task sees only tokens", async (t) => {
  await using f = await start(PII);
  const probe = probePrivacy();
  const result = await f.run(copyRows(f.data), { session: "s1" });
  probe[Symbol.dispose]();
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const rows = result.data as Record<string, string>[];
  // The probe the pii-off test relies on does see the privacy layer when it is on.
  assert.ok((probe.calls.get("TaskPrivacy.call") ?? 0) >= 2, JSON.stringify([...probe.calls]));

  await t.step("the memory server's file holds the real values", async () => {
    const file = await Deno.readTextFile(join(f.data, "memory.jsonl"));
    for (const value of REAL) assert.ok(file.includes(value), `memory.jsonl lacks "${value}"`);
    assert.ok(
      file.includes("email: ann.lee@example.com"),
      "a token inside a larger string was restored",
    );
    assert.ok(!/\[(EMAIL|PHONE|CARD|NAME)_\d+\]/.test(file), `memory.jsonl holds a token: ${file}`);
  });

  await t.step("the result and the logs hold only tokens", () => {
    assertNoRealValue(JSON.stringify(result.data), "result.data");
    assertNoRealValue(result.logs.join("\n"), "result.logs");
    assert.deepEqual(rows[0], {
      name: "[NAME_1]",
      email: "[EMAIL_1]",
      phone: "[PHONE_1]",
      card: "[CARD_1]",
    });
    assert.match(result.logs.join("\n"), /\[EMAIL_1\]/);
  });

  await t.step("the same email and name in two rows have one token each", () => {
    assert.equal(rows[2]!.email, rows[0]!.email);
    assert.equal(rows[2]!.name, rows[0]!.name);
    assert.notEqual(rows[1]!.email, rows[0]!.email);
    assert.equal(new Set(rows.map((r) => r.card)).size, 3);
  });

  await t.step(
    "a later task of the same session gets the same tokens back from memory",
    async () => {
      const graph = await f.run(
        `const g = await memory.readGraph();
return g.entities.map((e) => [e.name, ...e.observations]);`,
        { session: "s1" },
      );
      assert.equal(graph.status, "completed", JSON.stringify(graph.error));
      assertNoRealValue(JSON.stringify(graph.data), "read_graph result");
      const first = (graph.data as string[][])[0]!;
      assert.deepEqual(first.slice(1), ["email: [EMAIL_1]", "phone: [PHONE_1]", "card: [CARD_1]"]);
      assert.match(first[0]!, /^\[NAME_\d+\]$/);
    },
  );

  await t.step(
    "a data-flow rule refuses a forbidden flow, naming rule, kind and origin, never the value",
    async () => {
      const refused = await f.run(`return await everything.echo({ message: "to [EMAIL_1]" });`, {
        session: "s1",
      });
      assert.equal(refused.status, "failed");
      assert.equal(refused.error?.code, "data_flow", JSON.stringify(refused.error));
      assert.match(refused.error!.message, /\[EMAIL_1\] is a EMAIL from server "filesystem"/);
      assert.match(refused.error!.message, /flows\[0\] \(from "filesystem" to "memory"\)/);
      assert.match(refused.error!.message, /flow to "everything"/);
      assertNoRealValue(JSON.stringify(refused), "the refusal");
    },
  );

  await t.step("a forged token is refused, not passed on", async () => {
    const forged = await f.run(
      `await memory.createEntities({ entities: [{ name: "x", entityType: "t", observations: ["[EMAIL_99]"] }] });`,
      { session: "s1" },
    );
    assert.equal(forged.error?.code, "unknown_token", JSON.stringify(forged.error));
    assert.match(forged.error!.message, /\[EMAIL_99\] was not issued in this session/);
    const file = await Deno.readTextFile(join(f.data, "memory.jsonl"));
    assert.ok(!file.includes("EMAIL_99"), "the forged token reached the server");
  });

  await t.step("another session's token is refused", async () => {
    const other = await f.run(
      `await memory.createEntities({ entities: [{ name: "y", entityType: "t", observations: ["[EMAIL_1]"] }] });`,
      { session: "s2" },
    );
    assert.equal(other.error?.code, "unknown_token", JSON.stringify(other.error));
  });

  await t.step("a task without a session cannot use the session's tokens", async () => {
    const alone = await f.run(`return await memory.searchNodes({ query: "[EMAIL_1]" });`);
    assert.equal(alone.error?.code, "unknown_token", JSON.stringify(alone.error));
  });

  await t.step(
    "a server error that echoes a restored value reaches the task tokenized",
    async () => {
      const echoed = await f.run(
        `await filesystem.readTextFile({ path: "/no/such/[EMAIL_1].txt" });`,
        { session: "s1" },
      );
      assert.equal(echoed.status, "failed");
      assert.equal(echoed.error?.code, "tool_failed", JSON.stringify(echoed.error));
      assert.match(echoed.error!.message, /\[EMAIL_1\]/);
      assertNoRealValue(JSON.stringify(echoed), "the server's error");
    },
  );

  await t.step(
    "no file the orchestrator writes (state, sessions, servers) holds a real value: the vault is in memory only",
    async () => {
      const root = join(f.data, "..");
      let files = 0;
      for await (const entry of walk(root)) {
        if (entry.startsWith(f.data)) continue;
        files++;
        assertNoRealValue(await Deno.readTextFile(entry).catch(() => ""), entry);
      }
      assert.ok(files > 0, "the orchestrator wrote no file to check");
    },
  );

  await t.step("dropping the session forgets its values", async () => {
    assert.equal(f.orch.privacyVaults?.drop("s1"), true);
    const after = await f.run(`return await memory.searchNodes({ query: "[EMAIL_1]" });`, {
      session: "s1",
    });
    assert.equal(after.error?.code, "unknown_token", JSON.stringify(after.error));
  });
});

Deno.test("pii off: tool results reach the task unchanged, and no privacy code runs on the call path", async () => {
  await using f = await start(undefined);
  assert.equal(f.orch.privacyVaults, undefined);
  using probe = probePrivacy();
  const result = await f.run(copyRows(f.data), { session: "s1" });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.equal(probe.total(), 0, JSON.stringify([...probe.calls]));
  assert.deepEqual((result.data as unknown[])[0], {
    name: "Ann Lee",
    email: "ann.lee@example.com",
    phone: "+1 415-555-2671",
    card: "4111 1111 1111 1111",
  });
});
