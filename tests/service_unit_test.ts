/**
 * deploy/systemd/mcp-executor.service starts the daemon with flags it accepts, stops it with the signal that
 * drains it, and points the state folder where the unit gives the service write access.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const UNIT = `${ROOT}deploy/systemd/mcp-executor.service`;

function settings(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) found.set(m[1]!, [...(found.get(m[1]!) ?? []), m[2]!]);
  }
  return found;
}

Deno.test("the systemd unit runs cli.ts serve with flags serve accepts, SIGTERM to stop, the state in StateDirectory", async () => {
  const unit = settings(await Deno.readTextFile(UNIT));
  const [exec] = unit.get("ExecStart") ?? [];
  assert.ok(exec !== undefined, "no ExecStart");
  const words = exec.split(/\s+/);
  const cli = words.findIndex((w) => w.endsWith("/cli.ts"));
  assert.deepEqual(words.slice(1, cli), ["run", "-A"]);
  assert.equal(words[cli + 1], "serve");
  // serve parses every flag strictly before --help: an unknown or misspelt flag fails here.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli.ts`, ...words.slice(cli + 1), "--help"],
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(unit.get("KillSignal"), ["SIGTERM"]);
  const state = unit.get("StateDirectory")?.[0];
  assert.ok(state !== undefined);
  assert.ok(unit.get("Environment")?.includes(`MCPX_STATE_DIR=/var/lib/${state}`));
});
