import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

async function host(flags: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      "--no-lock",
      "--config",
      fileURLToPath(new URL("../deno.json", import.meta.url)),
      fileURLToPath(new URL("./fixtures/no_proc_host.ts", import.meta.url)),
    ],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("without /proc the orchestrator warns at start that memoryLimitMb is not enforced, and still runs tasks", async () => {
  const { stdout, stderr } = await host(["-A", "--deny-read=/proc"]);
  assert.deepEqual(JSON.parse(stdout), { status: "completed", data: 42 }, stderr);
  assert.match(stderr, /memoryLimitMb is not enforced here: \/proc\/<pid>\/status cannot be read/);
});

Deno.test("with /proc there is no such warning", async () => {
  const { stdout, stderr } = await host(["-A"]);
  assert.deepEqual(JSON.parse(stdout), { status: "completed", data: 42 }, stderr);
  assert.doesNotMatch(stderr, /memoryLimitMb is not enforced/);
});
