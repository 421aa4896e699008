/**
 * The `pii` section of `mcp-executor.json` through a real daemon process over Streamable HTTP, with
 * server-filesystem and server-memory behind it and real SDK clients in front.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { npmServer } from "../helpers/servers.ts";
import { httpClient, httpDaemon, textOf } from "./_daemon.ts";

const CSV = `name,email,phone,card
Ann Lee,ann.lee@example.com,+1 415-555-2671,4111 1111 1111 1111
Bob Stone,bob.stone@example.org,(212) 555-0199,5555 5555 5555 4444
`;
const REAL = [
  "Ann Lee",
  "Bob Stone",
  "ann.lee@example.com",
  "bob.stone@example.org",
  "415-555-2671",
  "(212) 555-0199",
  "4111 1111 1111 1111",
  "5555 5555 5555 4444",
];

function assertNoRealValue(text: string, where: string): void {
  for (const value of REAL) assert.ok(!text.includes(value), `${where} holds "${value}": ${text}`);
}

function data(result: unknown): unknown {
  return (result as { structuredContent: { data: unknown } }).structuredContent.data;
}

Deno.test("daemon with a pii section: the client sees only tokens, server-memory gets the real values, sessions share no tokens", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-daemon-pii-" });
  const files = join(dir, "files");
  await Deno.mkdir(files);
  await Deno.writeTextFile(join(files, "people.csv"), CSV);
  const config = join(dir, "mcp.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      mcpServers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
        filesystem: npmServer("server-filesystem", [files]),
      },
    }),
  );
  await Deno.writeTextFile(
    join(dir, "mcp-executor.json"),
    JSON.stringify({
      audit: { file: "audit.jsonl" },
      pii: {
        enabled: true,
        patterns: [{ kind: "NAME", pattern: "^(?<value>[A-Z][a-z]+ [A-Z][a-z]+),", flags: "m" }],
        flows: [{ from: "filesystem", to: ["memory"] }],
      },
    }),
  );
  try {
    await using daemon = await httpDaemon(config);
    await using a = await httpClient(daemon.url);
    await using b = await httpClient(daemon.url);
    const code = `const file = await filesystem.readTextFile({ path: ${
      JSON.stringify(join(files, "people.csv"))
    } });
const [, ...lines] = file.content.trim().split("\\n");
const rows = lines.map((line) => { const [name, email, phone, card] = line.split(","); return { name, email, phone, card }; });
console.log("read", rows.length, "rows, first", JSON.stringify(rows[0]));
await memory.createEntities({ entities: rows.map((r) => ({
  name: r.name, entityType: "person", observations: ["email: " + r.email, "phone: " + r.phone, "card: " + r.card],
})) });
return rows;`;
    const result = await a.client.callTool({ name: "execute_code", arguments: { code } });
    const rows = data(result) as Record<string, string>[];

    await t.step("the client's result (data, text, logs) holds only tokens", () => {
      assert.equal(result.isError, undefined, textOf(result));
      assert.deepEqual(rows[0], {
        name: "[NAME_1]",
        email: "[EMAIL_1]",
        phone: "[PHONE_1]",
        card: "[CARD_1]",
      });
      assertNoRealValue(JSON.stringify(result), "the execute_code result");
      assert.match(textOf(result), /first \{"name":"\[NAME_1\]"/);
    });

    await t.step("the memory server's file holds the real values", async () => {
      const file = await Deno.readTextFile(join(dir, "memory.jsonl"));
      for (const value of REAL) assert.ok(file.includes(value), `memory.jsonl lacks "${value}"`);
      assert.ok(
        !/\[(EMAIL|PHONE|CARD|NAME)_\d+\]/.test(file),
        `memory.jsonl holds a token: ${file}`,
      );
    });

    await t.step("the audit trail holds no real value", async () => {
      assertNoRealValue(await Deno.readTextFile(join(dir, "audit.jsonl")), "the audit trail");
    });

    await t.step("another session cannot use the first session's tokens", async () => {
      const refused = await b.client.callTool({
        name: "execute_code",
        arguments: { code: `return await memory.searchNodes({ query: "${rows[1]!.email}" });` },
      });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /\[EMAIL_2\] was not issued in this session/);
      assertNoRealValue(JSON.stringify(refused), "the refusal");
    });

    await t.step("each session gets its own tokens for the same values", async () => {
      // Session b reads the graph first in its own vault: Bob's email becomes b's first email token.
      const found = await b.client.callTool({
        name: "execute_code",
        arguments: {
          code: `const g = await memory.searchNodes({ query: "bob.stone" });
return g.entities.flatMap((e) => e.observations);`,
        },
      });
      assert.equal(found.isError, undefined, textOf(found));
      assert.deepEqual(data(found), ["email: [EMAIL_1]", "phone: [PHONE_1]", "card: [CARD_1]"]);
      // In session a the same email is [EMAIL_2], and a's token still restores to it.
      const again = await a.client.callTool({
        name: "execute_code",
        arguments: {
          code: `const g = await memory.searchNodes({ query: "${rows[1]!.email}" });
return g.entities.flatMap((e) => e.observations);`,
        },
      });
      assert.equal(again.isError, undefined, textOf(again));
      assert.deepEqual(data(again), ["email: [EMAIL_2]", "phone: [PHONE_2]", "card: [CARD_2]"]);
      assertNoRealValue(JSON.stringify([found, again]), "the search results");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("daemon refuses a bad pii section, naming the field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-daemon-pii-" });
  try {
    const config = join(dir, "mcp.json");
    await Deno.writeTextFile(config, JSON.stringify({ mcpServers: {} }));
    await Deno.writeTextFile(
      join(dir, "mcp-executor.json"),
      JSON.stringify({ pii: { enabled: true, flows: [{ from: "crm", to: "mailer" }] } }),
    );
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(import.meta.dirname!, "../../cli/serve.ts"), "--config", config],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.notEqual(code, 0);
    assert.match(new TextDecoder().decode(stderr), /"pii\.flows\.0\.to"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
