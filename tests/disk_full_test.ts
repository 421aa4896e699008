// A full disk while the host writes: a task's workspace file, and a skill the orchestrator saves. Each write fails
// with a clear error, nothing is left half-written, and the orchestrator serves the next task. The disk is a small
// tmpfs mounted for the test (the tests report themselves ignored where mounting is not permitted, e.g. not root).
import assert from "node:assert/strict";
import { join } from "node:path";
import type { MCPOrchestrator, OrchestratorOptions, TaskResult } from "../runtime/mod.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";

/** Mounts a tmpfs of `size` on a new temporary folder; throws with mount's own words when it cannot. */
async function tmpfs(size: string): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "disk-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output().catch((error: Error) => ({
    success: false,
    stderr: new TextEncoder().encode(error.message),
  }));
  if (!mount.success) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(
      `Cannot mount a ${size} tmpfs: ${new TextDecoder().decode(mount.stderr).trim()}`,
    );
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Whether this machine lets the test mount a tmpfs (root, with mount permitted); the tests are ignored if not. */
const CAN_MOUNT = await (async () => {
  try {
    await using _probe = await tmpfs("64k");
    return true;
  } catch (error) {
    console.warn(`disk_full_test: ignored: ${(error as Error).message}`);
    return false;
  }
})();

/** Fills a folder's file system with one file until no byte fits; returns the file. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, "filler.bin");
  using file = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(4096);
  try {
    while (true) await file.write(chunk);
  } catch (error) {
    assert.match(String(error), /No space left on device/);
  }
  return path;
}

async function withOrchestrator(
  options: Partial<OrchestratorOptions>,
  fn: (orch: MCPOrchestrator, run: (code: string) => Promise<TaskResult>) => Promise<void>,
): Promise<void> {
  await using f = await startOrchestrator({ servers: "none", ...options });
  await fn(f.orch, (code) => f.run(code));
}

/** Every path below a folder, relative to it. */
function tree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    out.push(path);
    if (entry.isDirectory) out.push(...tree(join(dir, entry.name), path));
  }
  return out.sort();
}

Deno.test({
  name:
    "faults: a full disk while a task writes its workspace fails that write; the next task runs",
  ignore: !CAN_MOUNT,
  fn: noUnhandledRejections(async () => {
    await using disk = await tmpfs("512k");
    await withOrchestrator({ workspacesDir: disk.dir }, async (orch, run) => {
      const result = await orch.executeTask({
        id: "fill-disk",
        description: "writes 1 MiB to a 512 KiB disk",
        code: `await Deno.writeFile("big.bin", new Uint8Array(1024 * 1024));
return "written";`,
        requiredTools: [],
        status: "pending",
        workspace: "w",
      });
      assert.equal(result.status, "failed");
      assert.match(
        result.error?.message ?? "",
        /No space left on device/,
        JSON.stringify(result.error),
      );
      await Deno.remove(join(disk.dir, "w", "big.bin")).catch(() => {});
      const next = await orch.executeTask({
        id: "after-full",
        description: "writes a small file",
        code: `await Deno.writeTextFile("small.txt", "ok");
return await Deno.readTextFile("small.txt");`,
        requiredTools: [],
        status: "pending",
        workspace: "w",
      });
      assert.equal(next.data, "ok", JSON.stringify(next.error));
      assert.equal((await run(`return 9;`)).data, 9);
    });
  }),
});

Deno.test({
  name:
    "faults: a full disk while saving a skill fails the save with a clear error and leaves no half-written skill",
  ignore: !CAN_MOUNT,
  fn: noUnhandledRejections(async () => {
    await using disk = await tmpfs("1m");
    const skills = join(disk.dir, "skills");
    await withOrchestrator({ skillsDir: skills }, async (orch, run) => {
      const code = "return { doubled: args.n * 2 };";
      const params = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
      await orch.saveSkill("double", { description: "Doubles a number", code, params });
      const before = tree(skills);
      const filler = await fill(disk.dir);

      // A new skill: refused, and nothing of it is left behind.
      const fresh = await orch.saveSkill("triple", {
        description: "Triples a number",
        code: "return { tripled: args.n * 3 };",
        params,
      }).then(() => undefined, (e: Error) => e);
      assert.ok(fresh instanceof Error, "the save failed");
      assert.match(
        fresh.message,
        /^Cannot save skill "triple": the skills folder cannot be written: No space left on device/,
      );
      assert.ok(!fresh.message.includes(disk.dir), `no host path: ${fresh.message}`);
      assert.deepEqual(tree(skills), before, "no folder, lock or temporary file of it is left");
      assert.deepEqual(orch.skills.list().map((s) => s.name), ["double"], "no broken skill listed");

      // A new version of a skill: refused, and the saved version stays current and runs.
      const update = await orch.saveSkill("double", {
        description: "Doubles a number, v2",
        code: "return { doubled: args.n + args.n };",
        params,
      }).then(() => undefined, (e: Error) => e);
      assert.ok(update instanceof Error, "the save failed");
      assert.match(
        update.message,
        /^Cannot save skill "double": the skills folder cannot be written: No space left on device/,
      );
      assert.deepEqual(tree(skills), before, "the saved skill's files are as they were");
      const saved = orch.skills.list().find((s) => s.name === "double");
      assert.equal(saved?.version, 1);
      assert.equal(saved?.health, "ok");
      const ran = await orch.executeSkill("double", { n: 21 });
      assert.deepEqual(ran.data, { doubled: 42 }, JSON.stringify(ran.error));

      // The orchestrator serves on; with room again, the same saves work.
      assert.equal((await run("return 9;")).data, 9);
      await Deno.remove(filler);
      assert.equal(
        (await orch.saveSkill("triple", {
          description: "Triples a number",
          code: "return { tripled: args.n * 3 };",
          params,
        })).version,
        1,
      );
      assert.deepEqual((await orch.executeSkill("triple", { n: 3 })).data, { tripled: 9 });
    });
  }),
});
