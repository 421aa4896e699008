/**
 * The MCP conformance suite's server scenarios that apply to the daemon, run against a real daemon subprocess over
 * Streamable HTTP. The suite (pinned) runs under Deno, as DESIGN.md measured. docs/daemon.md ("Conformance") lists the
 * scenarios left out and why.
 */

import assert from "node:assert/strict";
import { daemonDir, httpDaemon } from "./_daemon.ts";

const SUITE = "npm:@modelcontextprotocol/conformance@0.1.16";

/** Server scenarios for a server with tools, resources, sessions and SSE streams, and no prompts or sampling. */
const APPLICABLE_SCENARIOS = [
  "server-initialize",
  "ping",
  "tools-list",
  "resources-list",
  "server-sse-multiple-streams",
  "dns-rebinding-protection",
] as const;

Deno.test("MCP conformance suite: the daemon passes every server scenario that applies to it", async (t) => {
  await using dir = await daemonDir();
  // --no-auth on loopback: the conformance suite has no server-side auth scenarios and cannot send a token.
  await using daemon = await httpDaemon(dir.config, { noAuth: true });
  for (const scenario of APPLICABLE_SCENARIOS) {
    await t.step(scenario, async () => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--no-config",
          "--no-lock",
          SUITE,
          "server",
          "--url",
          daemon.url.href,
          "--scenario",
          scenario,
        ],
        stdin: "null",
        env: { NO_COLOR: "1" },
      }).output();
      const text = new TextDecoder().decode(output.stdout) +
        new TextDecoder().decode(output.stderr);
      assert.ok(output.success, `${scenario} failed:\n${text}`);
      assert.match(text, /Passed: (\d+)\/\1, 0 failed/);
    });
  }
});
