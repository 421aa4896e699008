/** `cli/serve.ts` flags and config errors, run as a real subprocess. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { daemonDir, SERVE } from "./_daemon.ts";

async function serve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVE, ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("serve --help explains every flag", async () => {
  const { code, stdout } = await serve(["--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--config",
      "--daemon-config",
      "--http",
      "--host",
      "--port",
      "--token-file",
      "--no-auth",
      "--state-dir",
      "--drain-timeout",
      "--log-level",
      "--detached",
      "--help",
    ]
  ) {
    assert.match(stdout, new RegExp(`^  (-h, )?${flag}\\b`, "m"), flag);
  }
});

Deno.test("serve refuses unknown flags and bad numbers with exit 2, and a malformed mcp-executor.json naming the field", async () => {
  const unknown = await serve(["--token", "secret"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--token'/);
  const stdioNoAuth = await serve(["--no-auth"]);
  assert.equal(stdioNoAuth.code, 2);
  assert.match(stdioNoAuth.stderr, /Cannot use --no-auth without --http/);
  const port = await serve(["--http", "--port", "eighty"]);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /Invalid --port "eighty": expected a whole number/);
  await using dir = await daemonDir({ sessions: { idleTimeoutMs: "soon" } });
  const malformed = await serve(["--config", dir.config]);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /mcp-executor\.json: "sessions\.idleTimeoutMs"/);
  const missing = await serve([
    "--config",
    dir.config,
    "--daemon-config",
    join(dir.dir, "nope.json"),
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read ".*nope\.json"/);
});
