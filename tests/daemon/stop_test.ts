/**
 * Stopping the daemon from outside, with real processes: `mcpx stop` finds it by its PID file and stops it; a daemon
 * whose launcher is killed (as `kill $!` on `npx`, which does not pass the signal on) stops by itself, saying why.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { daemonDir, httpDaemon, SERVE } from "./_daemon.ts";
import { freePort } from "../helpers/servers.ts";
import { mcpx } from "../helpers/mcpx.ts";

/** `mcpx <args>`, its output and errors as one text. */
async function mcpxOut(...args: string[]): Promise<{ code: number; out: string }> {
  const run = await mcpx(Deno.cwd(), ...args);
  return { code: run.code, out: run.stdout + run.stderr };
}

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test({
  name: "mcpx stop stops an HTTP daemon through its PID file, which the daemon removes at exit",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using dir = await daemonDir();
    const state = join(dir.dir, "state");
    await using daemon = await httpDaemon(dir.config, { env: { MCPX_STATE_DIR: state } });
    const pidFile = join(state, "daemons", `${daemon.process.pid}.json`);
    // /healthz answers as soon as the server listens; the PID file follows, just before the "serving" line.
    await waitUntil(
      "the daemon writes its PID file",
      () => Deno.stat(pidFile).then(() => true, () => false),
    );
    const record = JSON.parse(await Deno.readTextFile(pidFile));
    assert.equal(record.pid, daemon.process.pid);
    assert.equal(record.url, `${daemon.base}/mcp`);

    const listed = await mcpxOut("stop", "--list", "--state-dir", state);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, new RegExp(`daemon pid ${daemon.process.pid} \\(${daemon.base}/mcp`));

    const stopped = await mcpxOut("stop", "--state-dir", state);
    assert.equal(stopped.code, 0, stopped.out);
    assert.match(stopped.out, new RegExp(`Stopped daemon pid ${daemon.process.pid}`));
    assert.equal((await daemon.process.status).code, 0);
    assert.match(await daemon.output, /stopping \(SIGTERM\)/);
    await assert.rejects(Deno.stat(pidFile), Deno.errors.NotFound);

    const again = await mcpxOut("stop", "--state-dir", state);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /^No daemon to stop\./m);
  },
});

Deno.test({
  name: "a daemon whose launcher is killed stops by itself and says why",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using dir = await daemonDir();
    const state = join(dir.dir, "state");
    const log = join(dir.dir, "daemon.log");
    const port = freePort();
    // The launcher: a shell that starts the daemon and waits, as npx does; SIGKILL leaves it no chance to pass
    // anything on, so the daemon is re-parented.
    const launcher = new Deno.Command("sh", {
      args: [
        "-c",
        `"$0" run -A "$1" --config "$2" --http --port "$3" --no-auth 2>"$4" & echo $!; wait`,
        Deno.execPath(),
        SERVE,
        dir.config,
        String(port),
        log,
      ],
      env: { MCPX_STATE_DIR: state },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = launcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let first = "";
    while (!first.includes("\n")) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the launcher printed no pid");
      first += value;
    }
    const pid = Number(first.trim());
    try {
      await waitUntil("the daemon serves", async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`);
          await response.body?.cancel();
          return response.ok;
        } catch {
          return false;
        }
      }, 60_000);
      launcher.kill("SIGKILL");
      await launcher.status;
      await reader.cancel();
      await waitUntil("the daemon exits", () => Promise.resolve(!running(pid)));
      const text = await Deno.readTextFile(log);
      assert.match(text, /stopping \(the process that started it, pid \d+, exited\)/);
      await assert.rejects(Deno.stat(join(state, "daemons", `${pid}.json`)), Deno.errors.NotFound);
    } finally {
      if (running(pid)) Deno.kill(pid, "SIGKILL");
    }
  },
});
