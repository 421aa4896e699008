/**
 * A backing server's elicitation/create reaches the agent's own client through the daemon: the client of the
 * session whose task made the call answers it; a client without elicitation gets a declined answer with a reason.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ExecutorDaemon } from "../../runtime/daemon/mod.ts";
import { Client, ElicitRequestSchema, InMemoryTransport } from "../../runtime/sdk.ts";
import { startAskingServer } from "../helpers/asking_server.ts";

async function connect(daemon: ExecutorDaemon, session: string, answer?: string) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await daemon.openSession(session).connect(serverSide);
  const client = new Client(
    { name: session, version: "1" },
    answer === undefined ? {} : { capabilities: { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { name: answer } };
    });
  }
  await client.connect(clientSide);
  return { client, asked };
}

Deno.test("daemon: a backing server's question goes to the client of the task's session", async () => {
  const dir = await Deno.makeTempDir({ prefix: "daemon-elicit-" });
  await using asking = startAskingServer();
  const daemon = new ExecutorDaemon({
    orchestrator: {
      config: { servers: { asking: { type: "http", url: asking.url, headers: {} } } },
      serversDir: join(dir, "servers"),
      stateDir: dir,
      signInFile: join(dir, "tokens.json"),
    },
  });
  try {
    await daemon.initialize();
    const ada = await connect(daemon, "ada", "Ada");
    const bram = await connect(daemon, "bram", "Bram");
    const mute = await connect(daemon, "mute");
    const code = `return await asking.ask({ question: "Your name?" });`;
    const [a, b, m] = await Promise.all(
      [ada, bram, mute].map(({ client }) =>
        client.callTool({ name: "execute_code", arguments: { code } })
      ),
    );
    const data = (r: unknown) =>
      (r as { structuredContent: { data: unknown } }).structuredContent.data;
    assert.deepEqual(data(a), { action: "accept", content: { name: "Ada" } });
    assert.deepEqual(data(b), { action: "accept", content: { name: "Bram" } });
    assert.deepEqual(ada.asked, ["Your name?"]);
    assert.deepEqual(bram.asked, ["Your name?"]);
    const declined = data(m) as { action: string; _meta?: Record<string, string> };
    assert.equal(declined.action, "decline");
    assert.match(JSON.stringify(declined), /cannot answer form-mode questions/);
    await Promise.all([ada.client.close(), bram.client.close(), mute.client.close()]);
  } finally {
    await daemon.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
