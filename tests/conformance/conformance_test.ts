/**
 * The MCP conformance suite's client scenarios, run against the project's connection layer through
 * `tests/conformance/client.ts`.
 *
 * Not run: the suite's `extensions` scenarios (`auth/client-credentials-jwt`, `auth/client-credentials-basic`,
 * `auth/cross-app-access-complete-flow`). They test machine-to-machine grants (client credentials with a JWT or a
 * secret, enterprise token exchange), where no user signs in; the project signs users in with the authorization
 * code flow and has no configuration for those grants.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SUITE = "npm:@modelcontextprotocol/conformance@0.1.16";
const CLIENT = fileURLToPath(new URL("./client.ts", import.meta.url));
const ROOT = dirname(dirname(dirname(CLIENT)));

/** Scenarios run one by one (at the same time as each other). */
const SCENARIOS = ["initialize", "tools_call", "sse-retry", "elicitation-sep1034-client-defaults"];
/** Suites run whole; the suite runs each one's scenarios in parallel. */
const SUITES: Record<string, string[]> = {
  auth: [
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
  ],
  backcompat: [
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
  ],
  draft: [
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
  ],
};

interface Check {
  id: string;
  status: string;
  description?: string;
  errorMessage?: string;
}

async function runSuite(args: string[], outputDir: string): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-config",
      "--no-lock",
      SUITE,
      "client",
      "--command",
      `${Deno.execPath()} run -A ${CLIENT}`,
      "--output-dir",
      outputDir,
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  });
  const { stdout, stderr } = await command.output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return text.split("\n").filter((line) => /Passed:|Total:|✓|✗/.test(line)).join("\n");
}

async function collectChecks(dir: string, base = dir): Promise<Map<string, Check[]>> {
  const found = new Map<string, Check[]>();
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      for (const [k, v] of await collectChecks(path, base)) found.set(k, v);
    } else if (entry.name === "checks.json") {
      // <output>/<scenario>-<timestamp>/checks.json; the scenario may contain a slash.
      const scenario = dir.slice(base.length + 1).replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, "");
      found.set(scenario, JSON.parse(await Deno.readTextFile(path)) as Check[]);
    }
  }
  return found;
}

Deno.test({
  name: "the conformance suite's client scenarios and auth suites all pass through the driver",
  // The suite's own servers and child processes are out of this test's hands.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const outputDir = await Deno.makeTempDir({ prefix: "mcp-conformance-results-" });
    try {
      const started = performance.now();
      const summaries = await Promise.all([
        ...SCENARIOS.map((scenario) => runSuite(["--scenario", scenario], outputDir)),
        ...Object.keys(SUITES).map((suite) => runSuite(["--suite", suite], outputDir)),
      ]);
      const seconds = (performance.now() - started) / 1000;
      const checks = await collectChecks(outputDir);
      const expected = [...SCENARIOS, ...Object.values(SUITES).flat()];
      let passed = 0;
      for (const scenario of expected) {
        const list = checks.get(scenario);
        assert.ok(list !== undefined, `scenario "${scenario}" left no results`);
        const bad = list.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
        assert.deepEqual(bad, [], `scenario "${scenario}" has failed checks`);
        passed += list.filter((c) => c.status === "SUCCESS").length;
      }
      console.log(summaries.join("\n"));
      console.log(
        `${expected.length} scenarios, ${passed} checks passed, in ${seconds.toFixed(1)} s`,
      );
    } finally {
      await Deno.remove(outputDir, { recursive: true });
    }
  },
});
