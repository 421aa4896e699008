/**
 * The terminal paths of approvals, typed into a real terminal (tmux): `mcpx run` asks "Allow this call?" and a `y`
 * lets the call out; `mcpx approvals` shows a daemon's pending call and a `y` approves it. Ignored where tmux is
 * absent.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./daemon/_daemon.ts";
import { CLI } from "./helpers/mcpx.ts";

function hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** A tmux server on its own socket, running one command in a detached session; disposing kills that server. */
function tmux(command: string) {
  const socket = `mcpx-test-${crypto.randomUUID().slice(0, 8)}`;
  const run = (...args: string[]) =>
    new Deno.Command("tmux", { args: ["-L", socket, ...args], stdout: "piped", stderr: "piped" })
      .output();
  const started = run("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", command);
  return {
    started,
    async screen(): Promise<string> {
      const out = await run("capture-pane", "-p", "-t", "t", "-S", "-200");
      return new TextDecoder().decode(out.stdout);
    },
    async waitFor(pattern: RegExp): Promise<string> {
      let text = "";
      for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
        text = await this.screen();
        if (pattern.test(text)) return text;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`The terminal never showed ${pattern}:\n${text}`);
    },
    type: (keys: string) => run("send-keys", "-t", "t", keys, "Enter"),
    async [Symbol.asyncDispose]() {
      await run("kill-server");
    },
  };
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

Deno.test({
  name: "mcpx run in a terminal asks before a call that needs approval, and y lets it out",
  ignore: !hasTmux(),
  fn: async () => {
    await using dir = await daemonDir({ approvals: { "memory.delete_entities": "ask" } });
    await Deno.writeTextFile(
      join(dir.dir, "del.ts"),
      `await memory.createEntities({ entities: [{ name: "Tty Probe", entityType: "probe", observations: [] }] });
await memory.deleteEntities({ entityNames: ["Tty Probe"] });
return "deleted";`,
    );
    const out = join(dir.dir, "out.json");
    await using term = tmux(
      `cd ${quote(dir.dir)} && NO_COLOR=1 ${quote(Deno.execPath())} run -A ${
        quote(CLI)
      } run del.ts --tools memory --json > out.json; echo finished; sleep 60`,
    );
    assert.ok((await term.started).success);
    const screen = await term.waitFor(/Allow this call\? \[y\/N\]/);
    assert.match(screen, /calls memory\.delete_entities \(rule memory\.delete_entities\)/);
    assert.match(screen, /Tty Probe/);
    await term.type("y");
    await term.waitFor(/^finished$/m);
    const result = JSON.parse(await Deno.readTextFile(out));
    assert.equal(result.status, "completed", JSON.stringify(result));
    assert.equal(result.data, "deleted");
  },
});

Deno.test({
  name: "mcpx approvals in a terminal shows a daemon's pending call, and y approves it",
  ignore: !hasTmux(),
  fn: async () => {
    const token = "tmux-approvals-token-77e0-0123456789abcdef";
    await using dir = await daemonDir({ approvals: { approver: "operator" } });
    await using daemon = await httpDaemon(dir.config, { env: { MCPX_TOKEN: token }, token });
    const client = new Client({ name: "agent", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(daemon.url, {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      await using term = tmux(
        `NO_COLOR=1 MCPX_TOKEN=${token} ${quote(Deno.execPath())} run -A ${
          quote(CLI)
        } approvals --url ${daemon.base}; sleep 60`,
      );
      assert.ok((await term.started).success);
      await term.waitFor(/watching for new ones/);
      const running = client.callTool({
        name: "execute_code",
        arguments: {
          code:
            `await memory.createEntities({ entities: [{ name: "Operator Probe", entityType: "probe", observations: [] }] });
await memory.deleteEntities({ entityNames: ["Operator Probe"] });
return "deleted";`,
        },
      });
      const screen = await term.waitFor(/Approve\? \[y\/n\/s\]/);
      assert.match(screen, /memory\.delete_entities {2}\(rule default:destructive\)/);
      assert.match(screen, /principal default/);
      assert.match(screen, /Operator Probe/);
      await term.type("y");
      const result = await running;
      assert.equal((result.structuredContent as { data?: unknown }).data, "deleted");
      await term.waitFor(/Approved\./);
    } finally {
      await client.close();
    }
  },
});
