/**
 * Skills through the daemon: an agent saves working code with save_skill, another session finds it with
 * search_tools (marked as a skill), runs it with run_skill and reads its files as skill:// resources. Real
 * server-memory, real SDK clients.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ExecutorDaemon } from "../../runtime/daemon/mod.ts";
import type { Principal } from "../../runtime/mod.ts";
import { Client, InMemoryTransport } from "../../runtime/sdk.ts";
import { npmServer } from "../helpers/servers.ts";
import { textOf } from "./_daemon.ts";

async function connect(
  daemon: ExecutorDaemon,
  session: string,
  principal?: Principal,
): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await daemon.openSession(session, principal === undefined ? {} : { principal }).connect(
    serverSide,
  );
  const client = new Client({ name: session, version: "1" });
  await client.connect(clientSide);
  return client;
}

Deno.test("daemon: save_skill, then another session finds it in search_tools, runs it and reads it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "daemon-skills-" });
  const daemon = new ExecutorDaemon({
    orchestrator: {
      config: {
        servers: {
          memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
        },
      },
      serversDir: join(dir, "servers"),
      skillsDir: join(dir, "skills"),
      stateDir: dir,
    },
  });
  try {
    await daemon.initialize();
    const first = await connect(daemon, "agent-a");
    const seeded = await first.callTool({
      name: "execute_code",
      arguments: {
        code: `await memory.createEntities({ entities: [
  { name: "Ada", entityType: "person", observations: ["works on the runtime"] },
  { name: "Bram", entityType: "person", observations: ["works on the sandbox"] },
] }); return "ok";`,
      },
    });
    assert.equal(seeded.isError ?? false, false, textOf(seeded));

    const saved = await first.callTool({
      name: "save_skill",
      arguments: {
        name: "people-by-observation",
        description: "List the people in the knowledge graph whose observations mention a word",
        code: `const graph = await memory.readGraph();
return graph.entities.filter((e) => e.observations.some((o) => o.includes(args.word))).map((e) => e.name);`,
        params: {
          type: "object",
          properties: { word: { type: "string" } },
          required: ["word"],
        },
      },
    });
    assert.equal(saved.isError ?? false, false, textOf(saved));
    assert.match(textOf(saved), /Saved skill "people-by-observation" v1/);
    await first.close();

    const second = await connect(daemon, "agent-b");
    const found = textOf(
      await second.callTool({
        name: "search_tools",
        arguments: { query: "list everyone in the knowledge graph mentioning a word" },
      }),
    );
    assert.match(found, /^Saved skills/);
    assert.match(
      found,
      /import \{ run \} from "skills\/people-by-observation\/skill\.ts"; \/\/ skill/,
    );

    const ran = await second.callTool({
      name: "run_skill",
      arguments: { name: "people-by-observation", args: { word: "sandbox" } },
    });
    assert.equal(ran.isError ?? false, false, textOf(ran));
    assert.deepEqual((ran.structuredContent as { data: unknown }).data, ["Bram"]);

    const refused = await second.callTool({
      name: "run_skill",
      arguments: { name: "people-by-observation", args: { word: 3 } },
    });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /word/);

    const resources = (await second.listResources()).resources.map((r) => r.uri);
    assert.ok(resources.includes("skill://index.json"));
    assert.ok(resources.includes("skill://people-by-observation/SKILL.md"));
    const skillMd = await second.readResource({ uri: "skill://people-by-observation/SKILL.md" });
    const text = (skillMd.contents[0] as { text: string }).text;
    assert.match(text, /^---\nname: people-by-observation\n/);
    const capabilities = second.getServerCapabilities();
    assert.ok(capabilities?.experimental?.["io.modelcontextprotocol/skills"] !== undefined);
    await second.close();
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("daemon: a session sees its principal's private skills and the shared ones, never another's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "daemon-skills-" });
  const daemon = new ExecutorDaemon({
    orchestrator: {
      config: { servers: {} },
      serversDir: join(dir, "servers"),
      skillsDir: join(dir, "skills"),
      stateDir: dir,
    },
  });
  const scopes = ["mcpx:execute", "mcpx:skills"];
  try {
    await daemon.initialize();
    const alice = await connect(daemon, "alice-1", { id: "alice", scopes });
    const bob = await connect(daemon, "bob-1", { id: "bob", scopes });
    const save = (client: Client, name: string, word: string, shared?: boolean) =>
      client.callTool({
        name: "save_skill",
        arguments: {
          name,
          description: `Returns the secret word ${word}`,
          code: `return ${JSON.stringify(word)};`,
          ...(shared === undefined ? {} : { shared }),
        },
      });
    const savedPrivate = await save(alice, "secret-word", "xylophone");
    assert.match(textOf(savedPrivate), /Saved skill "secret-word" v1 \(private;/);
    const savedShared = await save(alice, "team-word", "harbour", true);
    assert.match(textOf(savedShared), /Saved skill "team-word" v1 \(shared;/);

    const search = (client: Client) =>
      client.callTool({ name: "search_tools", arguments: { query: "secret word" } }).then(textOf);
    assert.match(await search(alice), /skills\/secret-word\/skill\.ts/);
    assert.doesNotMatch(await search(bob), /secret-word/);
    assert.match(await search(bob), /skills\/team-word\/skill\.ts/);

    const run = (client: Client, name: string) =>
      client.callTool({ name: "run_skill", arguments: { name } });
    const own = await run(alice, "secret-word");
    assert.deepEqual((own.structuredContent as { data: unknown }).data, "xylophone");
    const other = await run(bob, "secret-word");
    assert.equal(other.isError, true);
    assert.match(textOf(other), /Cannot run skill "secret-word": Unknown skill "secret-word"/);
    const shared = await run(bob, "team-word");
    assert.deepEqual((shared.structuredContent as { data: unknown }).data, "harbour");

    const uris = (await bob.listResources()).resources.map((r) => r.uri);
    assert.ok(uris.includes("skill://team-word/SKILL.md"));
    assert.ok(!uris.some((uri) => uri.startsWith("skill://secret-word/")));
    await assert.rejects(
      bob.readResource({ uri: "skill://secret-word/skill.ts" }),
      /no skill "secret-word"/,
    );

    const overwrite = await save(bob, "team-word", "mine", true);
    assert.equal(overwrite.isError, true);
    assert.match(textOf(overwrite), /only its author or a principal with the "mcpx:admin" scope/);
    await alice.close();
    await bob.close();
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
