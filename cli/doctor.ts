/**
 * `mcpx doctor`: checks Deno, the config, each server (connect time and tool count) and the sandbox (a task that
 * must run, and one that must be refused file access); with `--concurrency <server>`, whether that server loses
 * writes under parallel calls.
 *
 * @module
 */

import { join } from "node:path";
import { ConfigError, loadConfig, type McpConfig } from "../runtime/mod.ts";
import { CONFIG_FLAG, configPath, parseFlags, plural, statusMark } from "./_common.ts";
import { connectServers, statusLines } from "./_connect.ts";
import { openOrchestrator } from "./_orchestrator.ts";
import { PROBE_WRITES, probeConcurrency } from "./_concurrency_probe.ts";

const HELP = `Usage: mcpx doctor [--config mcp.json] [--json] [--concurrency <server>]...

Checks, in order: the Deno version; that the config parses; that each server starts (its connect time and tool
count, and the last lines of its stderr when it fails); that the sandbox runs a task and refuses one that reads a
file it was not given. The exit code is 0 when everything passed, 1 otherwise.

With --concurrency <server> (repeatable), it also checks whether that server loses writes under parallel calls:
it creates ${PROBE_WRITES} uniquely named entities at once, reads back how many exist, then deletes them. Only for
servers named, and only knowledge-graph servers (create_entities, open_nodes, delete_entities, as server-memory):
it writes to the server's real store, so run it while nothing else writes there. A server that loses writes fails
the check unless its entry sets "maxConcurrentCalls": 1.

Flags:
  --json               the checks as JSON: [{ check, ok, detail }]
  --concurrency <srv>  probe this server for lost writes under parallel calls
  -c, --config <path>  the mcp.json (default ./mcp.json)
  -h, --help           this text`;

/** The lowest Deno version the project is tested with. */
export const MIN_DENO = [2, 9, 0] as const;

/**
 * Runs `mcpx doctor`.
 *
 * @param args The flags.
 * @returns 0 when every check passed, 1 otherwise.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    ...CONFIG_FLAG,
    json: { type: "boolean" },
    concurrency: { type: "string", multiple: true },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const json = parsed.values.json === true;
  const checks: Array<{ check: string; ok: boolean; detail: string }> = [];
  let failed = 0;
  const report = (ok: boolean, line: string, check = line.split(" ")[0]!) => {
    if (!ok) failed++;
    checks.push({ check, ok, detail: line });
    if (!json) console.log(`${statusMark(ok)}${line}`);
  };
  const finish = () => {
    if (json) console.log(JSON.stringify(checks, null, 2));
    else console.log(failed === 0 ? "All checks passed." : `${failed} check(s) failed.`);
    return failed === 0 ? 0 : 1;
  };
  const version = Deno.version.deno.split(".").map(Number);
  const recent = version[0]! > MIN_DENO[0] ||
    (version[0] === MIN_DENO[0] && version[1]! >= MIN_DENO[1]);
  report(
    recent,
    `deno ${Deno.version.deno}${recent ? "" : ` (needs ${MIN_DENO.join(".")} or later)`}`,
  );

  const path = await configPath(parsed);
  let config: McpConfig;
  try {
    config = await loadConfig(path);
    report(true, `config ${path}: ${plural(Object.keys(config.servers).length, "server")}`);
  } catch (error) {
    report(false, error instanceof ConfigError ? error.message : String(error), "config");
    return finish();
  }
  // Only the servers named: the probe writes to each one's real store.
  for (const server of (parsed.values.concurrency as string[] | undefined) ?? []) {
    const probe = await probeConcurrency(config, server);
    report(probe.ok, `concurrency ${probe.detail}`, `concurrency ${server}`);
  }

  const { connections, statuses } = await connectServers(path);
  await connections.close();
  const lines = statusLines(statuses);
  statuses.forEach((s, i) => {
    if (s.state !== "connected") failed++;
    checks.push({
      check: `server ${s.name}`,
      ok: s.state === "connected",
      detail: lines[i]!.replace(/^\S+\s+/, ""),
    });
    if (!json) console.log(lines[i]);
  });

  // The self-test needs no server: the servers were checked above, once.
  const scratch = await Deno.makeTempDir({ prefix: "mcpx-doctor-" });
  try {
    return await selfTest(scratch, path, report, finish);
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

/** Runs two tasks in a sandbox with no servers: one must complete, one reading `path` must be refused. */
async function selfTest(
  scratch: string,
  path: string,
  report: (ok: boolean, text: string, check?: string) => void,
  finish: () => number,
): Promise<number> {
  await using orch = await openOrchestrator({ servers: {} }, {
    poolSize: 0,
    serversDir: join(scratch, "servers"),
    stateDir: join(scratch, "state"),
  });
  const base = {
    description: "mcpx doctor self-test",
    requiredTools: [],
    status: "pending" as const,
  };
  const trivial = await orch.executeTask({ ...base, id: "doctor-run", code: "return 1 + 1;" });
  report(
    trivial.status === "completed" && trivial.data === 2,
    `sandbox runs a task (${trivial.stats.duration.toFixed(0)} ms)`,
    "sandbox run",
  );
  const probe = await orch.executeTask({
    ...base,
    id: "doctor-refuse",
    code: `return await Deno.readTextFile(${JSON.stringify(path)});`,
  });
  report(
    probe.status === "failed",
    probe.status === "failed"
      ? `sandbox refuses file access it was not given (${probe.error?.name})`
      : `sandbox read ${path} without permission: do not run agent code on this machine`,
    "sandbox refusal",
  );
  return finish();
}
