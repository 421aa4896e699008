/**
 * Escape suite, files: hostile programs that try to read outside what a task may read, write where agent code must
 * not write (servers/, the sandbox runtime, /tmp), or reach another task's workspace. Programs the blocker refuses
 * run twice: once with the default policy (refused by the screen) and once with every rule allowed (refused by the
 * sandbox process and the Worker's permissions).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertBlocked,
  assertCaught,
  assertFailedWith,
  assertNotCapable,
  RUNTIME_DIR,
  SCREEN_OFF,
  startFixture,
} from "./_fixture.ts";
import type { TaskResult } from "../../runtime/mod.ts";

import { READ_DENIED, SCREENED_READS, secretJson } from "./_screened_reads.ts";

Deno.test("escape suite: reads outside the task's read set are refused", async (t) => {
  await using screened = await startFixture();
  await using open = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  const screenedJson = await secretJson(screened);
  const openJson = await secretJson(open);

  await t.step("Deno.readTextFile of a host file: the Worker has no read permission", async () => {
    const result = await screened.run(
      `return await Deno.readTextFile(${JSON.stringify(screened.secretFile)});`,
    );
    assertNotCapable(result, READ_DENIED(screened.secretFile));
    await screened.probe();
  });
  await t.step("fetch() of a file: URL", async () => {
    const result = await screened.run(
      `return await (await fetch(${JSON.stringify(`file://${screened.secretFile}`)})).text();`,
    );
    assertNotCapable(result, READ_DENIED(screened.secretFile));
    await screened.probe();
  });
  await t.step("/proc/self/root/<path> and /proc/self/environ", async () => {
    const result = await screened.run(`const out = [];
for (const path of [${
      JSON.stringify(`/proc/self/root${screened.secretFile}`)
    }, "/proc/self/environ"]) {
  try { out.push(await Deno.readTextFile(path)); } catch (e) { out.push(e.name); }
}
return out;`);
    assert.deepEqual(result.data, ["NotCapable", "NotCapable"]);
    await screened.probe();
  });
  await t.step("listing the state folder (sockets, DENO_DIR, workspaces)", async () => {
    const result = await screened.run(
      `try { return [...Deno.readDirSync(${
        JSON.stringify(screened.stateDir)
      })].map((e) => e.name); } catch (e) { return [e.name, e.message]; }`,
    );
    assertCaught(result, "NotCapable", READ_DENIED(screened.stateDir));
    await screened.probe();
  });

  for (const c of SCREENED_READS) {
    await t.step(`${c.name}: the blocker refuses it (rule "${c.rule}")`, async () => {
      assertBlocked(await screened.run(c.code(screened, screenedJson)), c.rule);
      await screened.probe();
    });
    await t.step(`${c.name}: with the screen off, the sandbox refuses it`, async () => {
      c.contained(await open.run(c.code(open, openJson)), open, openJson);
      await open.probe();
    });
  }
});

Deno.test("escape suite: writes outside the task's write set are refused and change nothing", async (t) => {
  await using f = await startFixture({ servers: ["memory"] });
  const clientModule = join(f.serversDir, "_client.ts");
  const serverModule = join(f.serversDir, "memory", "_module.js");
  const workerModule = join(RUNTIME_DIR, "worker.ts");
  const before = {
    client: await Deno.readTextFile(clientModule),
    server: await Deno.readTextFile(serverModule),
    worker: await Deno.readTextFile(workerModule),
  };
  const outside = join(
    await Deno.realPath(Deno.env.get("TMPDIR") ?? "/tmp"),
    `mcpx-escape-${crypto.randomUUID()}`,
  );

  await t.step("Deno.writeTextFile to /tmp", async () => {
    const result = await f.run(`await Deno.writeTextFile(${JSON.stringify(outside)}, "pwned");`);
    assertNotCapable(result, /^Requires write access to/);
    await assert.rejects(Deno.stat(outside), Deno.errors.NotFound);
    await f.probe();
  });
  await t.step(
    "rewriting the generated servers/_client.ts every tool call goes through",
    async () => {
      const result = await f.run(
        `await Deno.writeTextFile(${
          JSON.stringify(clientModule)
        }, "export function callTool() { return 'hijacked'; }");`,
      );
      // Host paths are shortened to "servers/..." in what the agent sees.
      assertNotCapable(result, /^Requires write access to "servers\/_client\.ts"/);
      assert.equal(await Deno.readTextFile(clientModule), before.client);
      await f.probe();
    },
  );
  await t.step("rewriting servers/memory/_module.js, which the next task would load", async () => {
    const result = await f.run(
      `await Deno.writeTextFile(${
        JSON.stringify(serverModule)
      }, "export function readGraph() { return 'hijacked'; }");`,
    );
    assertNotCapable(result, /^Requires write access to "servers\/memory\/_module\.js"/);
    assert.equal(await Deno.readTextFile(serverModule), before.server);
    await f.probe();
  });
  await t.step("deleting and renaming in servers/", async () => {
    const result = await f.run(`const out = [];
try { await Deno.remove(${
      JSON.stringify(clientModule)
    }); out.push("removed"); } catch (e) { out.push(e.name); }
try { await Deno.rename(${JSON.stringify(clientModule)}, ${
      JSON.stringify(`${clientModule}.bak`)
    }); out.push("renamed"); } catch (e) { out.push(e.name); }
return out;`);
    assert.deepEqual(result.data, ["NotCapable", "NotCapable"]);
    assert.equal(await Deno.readTextFile(clientModule), before.client);
    await f.probe();
  });
  await t.step("rewriting the sandbox runtime's worker.ts", async () => {
    const result = await f.run(
      `await Deno.writeTextFile(${JSON.stringify(workerModule)}, "// pwned");`,
    );
    assertNotCapable(result, /^Requires write access to "sandbox\/worker\.ts"/);
    assert.equal(await Deno.readTextFile(workerModule), before.worker);
    await f.probe();
  });
});

Deno.test("escape suite: a task cannot reach another task's workspace", async (t) => {
  await using f = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  const alice = f.orch.workspacePath("alice");
  const aliceSecret = `ALICE-${crypto.randomUUID()}`;
  const noLeak = (result: TaskResult) =>
    assert.ok(!JSON.stringify(result).includes(aliceSecret), "alice's secret leaked");

  await t.step("task A writes a secret into its own workspace by a relative path", async () => {
    const result = await f.run(
      `await Deno.writeTextFile("secret.txt", ${JSON.stringify(aliceSecret)});\nreturn "written";`,
      { workspace: "alice" },
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(await Deno.readTextFile(join(alice, "secret.txt")), aliceSecret);
  });
  await t.step("task B (workspace bob) reads it by ../alice/secret.txt", async () => {
    const result = await f.run(
      `try { return await Deno.readTextFile("../alice/secret.txt"); } catch (e) { return [e.name, e.message]; }`,
      { workspace: "bob" },
    );
    noLeak(result);
    assertCaught(result, "NotCapable", /^Requires read access to "\.\.\/alice\/secret\.txt"/);
    await f.probe();
  });
  await t.step("task B reads it by its absolute path", async () => {
    const path = join(alice, "secret.txt");
    const result = await f.run(
      `try { return await Deno.readTextFile(${
        JSON.stringify(path)
      }); } catch (e) { return [e.name, e.message]; }`,
      { workspace: "bob" },
    );
    noLeak(result);
    assertCaught(result, "NotCapable", READ_DENIED(path));
    await f.probe();
  });
  await t.step("a task without a workspace reads it by its absolute path", async () => {
    const path = join(alice, "secret.txt");
    const result = await f.run(`return await Deno.readTextFile(${JSON.stringify(path)});`);
    noLeak(result);
    assertNotCapable(result, READ_DENIED(path));
    await f.probe();
  });
  await t.step("task B changes directory to .. and lists it", async () => {
    const result = await f.run(
      `try { Deno.chdir(".."); return [...Deno.readDirSync(".")].map((e) => e.name); } catch (e) { return [e.name, e.message]; }`,
      { workspace: "bob" },
    );
    assertCaught(result, "NotCapable", /^Requires read access to "\.\."/);
    await f.probe();
  });
  await t.step(
    "a symlink from its own workspace to a host file or to alice's workspace",
    async () => {
      const result = await f.run(
        `const out = [];
for (const target of [${JSON.stringify(f.secretFile)}, "../alice"]) {
  try { await Deno.symlink(target, "link-" + out.length); out.push("linked"); } catch (e) { out.push(e.name + ": " + e.message); }
}
return out;`,
        { workspace: "mallory" },
      );
      assert.equal(result.status, "completed", JSON.stringify(result.error));
      for (const line of result.data as string[]) {
        assert.match(
          line,
          /^NotCapable: Deno\.symlink\(\) requires unscoped --allow-read and --allow-write/,
        );
      }
      await f.probe();
    },
  );
  await t.step("a hard link of alice's secret into its own workspace", async () => {
    const path = join(alice, "secret.txt");
    const result = await f.run(
      `try { await Deno.link(${
        JSON.stringify(path)
      }, "copy.txt"); return await Deno.readTextFile("copy.txt"); } catch (e) { return [e.name, e.message]; }`,
      { workspace: "mallory" },
    );
    noLeak(result);
    assertCaught(result, "NotCapable", READ_DENIED(path));
    await f.probe();
  });
  await t.step("workspace names that climb out are refused before anything runs", async () => {
    for (const name of ["..", "../alice", "alice/../bob", "/etc", ""]) {
      const result = await f.run(`return 1;`, { workspace: name });
      assertFailedWith(result, {
        name: "TypeError",
        code: "invalid_workspace",
        message: /Invalid workspace name/,
      });
    }
    await f.probe();
  });
  assert.equal(await Deno.readTextFile(join(alice, "secret.txt")), aliceSecret);
});

Deno.test("escape suite: what agent code CAN read (documented, not protected): the generated servers/ folder", async () => {
  await using f = await startFixture();
  const result = await f.run(
    `return (await Deno.readTextFile(${
      JSON.stringify(join(f.serversDir, "_client.ts"))
    })).split("\\n")[0];`,
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.match(String(result.data), /^\/\/ Code generated by mcp-executor/);
});

Deno.test({
  name: "escape suite: a task cannot leave data for a later task through the Cache API",
  async fn() {
    await using f = await startFixture();
    const stored = await f.run(`const c = await caches.open("drop");
await c.put("https://drop.invalid/x", new Response("FROM-TASK-A"));
return "stored";`);
    // Agent code has no Cache API: it needs no permission and Deno keeps it in the DENO_DIR every process shares.
    assert.equal(stored.status, "failed");
    assert.equal(stored.error?.name, "ReferenceError", JSON.stringify(stored.error));
    assert.match(stored.error?.message ?? "", /caches is not defined/);
    const read = await f.run(
      `const c = await caches.open("drop");
const r = await c.match("https://drop.invalid/x");
return r === undefined ? "nothing" : await r.text();`,
      { workspace: "another-tenant" },
    );
    assert.notEqual(read.data, "FROM-TASK-A", "task B read what task A left in the Cache API");
  },
});
