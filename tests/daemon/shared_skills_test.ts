/**
 * Two daemon processes on one PostgreSQL state store, as two replicas: a skill saved through one with save_skill
 * is found by search_tools on the other within 1 s, run there with run_skill and imported by agent code. Real
 * `cli/serve.ts` processes, real SDK clients over HTTP. Ignored without `MCPX_TEST_PG_URL`.
 */

import assert from "node:assert/strict";
import { freshDatabase, PG_URL } from "../helpers/postgres.ts";
import { daemonDir, httpClient, httpDaemon, textOf } from "./_daemon.ts";

Deno.test({
  name:
    "daemon replicas: a skill saved on one is found by search_tools, run and imported on the other within 1 s",
  ignore: PG_URL === undefined,
  async fn() {
    await using db = await freshDatabase();
    const config = { state: { url: db.url }, sessions: { dir: "sessions" } };
    await using dirOne = await daemonDir(config);
    await using dirTwo = await daemonDir(config);
    // Every replica has the same state key (it encrypts sign-ins and PII vaults).
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const env = { MCPX_STATE_KEY: key };
    await using one = await httpDaemon(dirOne.config, { env });
    await using two = await httpDaemon(dirTwo.config, { env });
    await using first = await httpClient(one.url);
    await using second = await httpClient(two.url);

    const saved = await first.client.callTool({
      name: "save_skill",
      arguments: {
        name: "add-numbers",
        description: "Adds two numbers together",
        code: "return args.a + args.b;",
      },
    });
    assert.equal(saved.isError ?? false, false, textOf(saved));
    const savedAt = Date.now();
    let found = "";
    while (Date.now() - savedAt < 1_000 && !found.includes("skills/add-numbers/skill.ts")) {
      found = textOf(
        await second.client.callTool({
          name: "search_tools",
          arguments: { query: "add two numbers together" },
        }),
      );
    }
    assert.match(
      found,
      /import \{ run \} from "skills\/add-numbers\/skill\.ts"; \/\/ skill add-numbers v1/,
    );

    const ran = await second.client.callTool({
      name: "run_skill",
      arguments: { name: "add-numbers", args: { a: 2, b: 3 } },
    });
    assert.equal(ran.isError ?? false, false, textOf(ran));
    assert.equal((ran.structuredContent as { data: unknown }).data, 5);

    const imported = await second.client.callTool({
      name: "execute_code",
      arguments: {
        code:
          'import { run } from "skills/add-numbers/skill.ts";\nreturn await run({ a: 20, b: 22 });',
      },
    });
    assert.equal(imported.isError ?? false, false, textOf(imported));
    assert.match(textOf(imported), /42/);
  },
});
