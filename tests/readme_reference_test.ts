/**
 * The configuration reference (docs/configuration.md) stays complete and true: every `MCPOrchestrator` option and every key of
 * `mcp-executor.json` has a row, and the defaults it gives for the limits are the code's.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS } from "../runtime/mod.ts";
import { DAEMON_DEFAULTS, daemonConfigShape } from "../runtime/daemon/mod.ts";
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_PRINCIPAL } from "../runtime/daemon/mod.ts";
import { DEFAULT_AUDIT_KEEP, DEFAULT_AUDIT_MAX_BYTES } from "../runtime/daemon/mod.ts";
import { DEFAULT_APPROVAL_TIMEOUT_MS } from "../runtime/approvals/mod.ts";
import { BUILTIN_KINDS, DEFAULT_PII_TTL_MS } from "../runtime/privacy/mod.ts";

const ROOT = new URL("..", import.meta.url);

/** Where the configuration reference lives (README's map links to it). */
const REFERENCE = new URL("docs/configuration.md", ROOT);

/** The rows of the configuration reference: first cell (without backticks) to the default cell. */
async function referenceRows(): Promise<Map<string, string>> {
  const text = await Deno.readTextFile(REFERENCE);
  const start = text.indexOf("## Configuration reference");
  assert.ok(start >= 0, "docs/configuration.md has no Configuration reference");
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([^`]+)` +\| ([^|]+?) +\|/gm)) rows.set(m[1]!, m[2]!);
  return rows;
}

/** The first number of a cell, thousands separators removed. */
function firstNumber(cell: string): number {
  const m = /\d[\d,]*/.exec(cell);
  assert.ok(m, `no number in "${cell}"`);
  return Number(m[0].replaceAll(",", ""));
}

/** The option names of `OrchestratorOptions`, from `deno doc --json`; deprecated old names aside. */
async function optionNames(): Promise<string[]> {
  const file = fileURLToPath(new URL("runtime/orchestrator/options.ts", ROOT));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", file],
    stdout: "piped",
  })
    .output();
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  const symbols = Object.values(doc.nodes as Record<string, { symbols: unknown[] }>)[0]!
    .symbols as Array<{
      name: string;
      declarations: Array<{
        def?: { properties?: Array<{ name: string; jsDoc?: { tags?: Array<{ kind: string }> } }> };
      }>;
    }>;
  const options = symbols.find((s) => s.name === "OrchestratorOptions");
  assert.ok(options, "OrchestratorOptions not found");
  return options.declarations[0]!.def!.properties!
    .filter((p) => !(p.jsDoc?.tags ?? []).some((tag) => tag.kind === "deprecated"))
    .map((p) => p.name);
}

Deno.test("the configuration reference lists every MCPOrchestrator option, with DEFAULT_LIMITS as the limits' defaults", async () => {
  const rows = await referenceRows();
  const names = await optionNames();
  assert.ok(names.length >= 30, `only ${names.length} options found`);
  const missing = names.filter((n) => !rows.has(n));
  assert.deepEqual(
    missing,
    [],
    "options without a row in docs/configuration.md's Configuration reference",
  );
  for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
    assert.equal(firstNumber(rows.get(key)!), value, `default of ${key}`);
  }
  assert.equal(firstNumber(rows.get("approvalTimeoutMs")!), DEFAULT_APPROVAL_TIMEOUT_MS);
});

Deno.test("the configuration reference lists every key of mcp-executor.json with the daemon's defaults", async () => {
  const rows = await referenceRows();
  const keys: string[] = [];
  for (const [section, schema] of Object.entries(daemonConfigShape)) {
    // An object section lists its fields; a record or a number is one key.
    const inner = (schema as { unwrap?: () => unknown }).unwrap?.() ?? schema;
    const shape = (inner as { shape?: Record<string, unknown> }).shape;
    if (shape === undefined) keys.push(section);
    else keys.push(...Object.keys(shape).map((k) => `${section}.${k}`));
  }
  assert.ok(keys.includes("http.port") && keys.includes("audit.file"), keys.join(", "));
  assert.deepEqual(keys.filter((k) => !rows.has(k)), [], "mcp-executor.json keys without a row");
  assert.equal(firstNumber(rows.get("sessions.quotaMb")!), DAEMON_DEFAULTS.quotaMb);
  assert.equal(firstNumber(rows.get("sessions.idleTimeoutMs")!), DAEMON_DEFAULTS.idleTimeoutMs);
  assert.equal(firstNumber(rows.get("http.port")!), DAEMON_DEFAULTS.port);
  assert.equal(
    firstNumber(rows.get("sessions.maxPerPrincipal")!),
    DAEMON_DEFAULTS.maxSessionsPerPrincipal,
  );
  assert.equal(DAEMON_DEFAULTS.maxSessionsPerPrincipal, DEFAULT_MAX_SESSIONS_PER_PRINCIPAL);
  assert.equal(firstNumber(rows.get("sessions.max")!), DAEMON_DEFAULTS.maxSessions);
  assert.equal(DAEMON_DEFAULTS.maxSessions, DEFAULT_MAX_SESSIONS);
  assert.match(
    rows.get("auth.introspectionSecretEnv")!,
    new RegExp(DAEMON_DEFAULTS.introspectionSecretEnv),
  );
  assert.match(rows.get("http.host")!, new RegExp(DAEMON_DEFAULTS.host.replaceAll(".", "\\.")));
  assert.match(rows.get("http.bearerTokenEnv")!, new RegExp(DAEMON_DEFAULTS.bearerTokenEnv));
  assert.equal(firstNumber(rows.get("audit.maxBytes")!), DEFAULT_AUDIT_MAX_BYTES);
  assert.equal(firstNumber(rows.get("audit.keep")!), DEFAULT_AUDIT_KEEP);
  assert.equal(firstNumber(rows.get("pii.ttlMs")!), DEFAULT_PII_TTL_MS);
  const reference = await Deno.readTextFile(REFERENCE);
  const detectRow = reference.split("\n").find((line) => line.startsWith("| `pii.detect`"))!;
  for (const kind of BUILTIN_KINDS) {
    assert.ok(detectRow.includes(`\`${kind}\``), `pii.detect lists ${kind}`);
  }
});
