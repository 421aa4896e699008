/**
 * Sign-ins seen from agent code: a task calls a server that needs OAuth through its generated module, but can read
 * neither the token file nor a token in any result, log or stat.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator } from "../../runtime/mod.ts";
import type { AgentTask } from "../../runtime/types.ts";
import { actAsBrowser, startOAuthServer } from "../helpers/oauth_server.ts";
import { SCREEN_OFF } from "./_fixture.ts";

Deno.test("agent code uses a signed-in server but cannot read the token file, be granted it, or see a token", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcpx-tokens-" }));
  await using server = startOAuthServer({ account: "alice" });
  const tokenFile = join(dir, "config", "tokens.json");
  const orch = new MCPOrchestrator({
    config: { servers: { linear: { type: "http", url: server.url, headers: {} } } },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    taskTimeoutMs: 10_000,
    tokenFile,
    onAuthorizationUrl: actAsBrowser,
    blockerPolicy: SCREEN_OFF,
  });
  try {
    await orch.initialize();
    const task = (id: string, code: string): AgentTask => ({
      id,
      description: "token probe",
      code,
      requiredTools: ["linear.whoami"],
      status: "pending",
    });
    const used = await orch.executeTask(task("use", `return await linear.whoami({});`));
    assert.equal(used.status, "completed", JSON.stringify(used.error));
    assert.equal(used.data, "alice");

    const read = await orch.executeTask(
      task("read", `return await Deno.readTextFile(${JSON.stringify(tokenFile)});`),
    );
    assert.equal(read.status, "failed");
    assert.equal(read.error?.name, "NotCapable");
    assert.match(read.error?.message ?? "", /^Requires read access to/);

    // Nor can a task be granted the file, its folder, or a symlink to the folder.
    const link = join(dir, "link");
    await Deno.symlink(join(dir, "config"), link);
    for (const path of [tokenFile, join(dir, "config"), dir, link]) {
      const granted = await orch.executeTask({
        ...task("grant", `return await Deno.readTextFile(${JSON.stringify(tokenFile)});`),
        permissions: { read: [path] },
      });
      assert.equal(granted.status, "failed", path);
      assert.equal(granted.error?.code, "invalid_permissions");
      assert.match(granted.error?.message ?? "", /which holds the OAuth sign-in file$/);
    }

    const seen = JSON.stringify([used, read, orch.getStats()]);
    assert.ok(server.secrets.length >= 3);
    for (const secret of server.secrets) assert.ok(!seen.includes(secret), "a token leaked");
    assert.match(await Deno.readTextFile(tokenFile), /"access_token"/);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
});
