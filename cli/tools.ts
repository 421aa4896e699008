/**
 * `mcpx tools [server]`: the connected servers with their tool counts, or one server's tools.
 *
 * @module
 */

import { CONFIG_FLAG, configPath, paint, parseFlags, table } from "./_common.ts";
import { openOrchestrator } from "./_orchestrator.ts";

const HELP = `Usage: mcpx tools [server] [--json]

Without a server: each configured server, its state and tool count. With one: its tools, the generated function
name agent code calls, and the first line of each description.

Flags:
  --json               as JSON
  -c, --config <path>  the mcp.json (default ./mcp.json)
  -h, --help           this text`;

/**
 * Runs `mcpx tools`.
 *
 * @param args An optional server name and flags.
 * @returns 0, or 1 for an unknown or failed server.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, { ...CONFIG_FLAG, json: { type: "boolean" } });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const server = parsed.positionals[0];
  await using orch = await openOrchestrator(await configPath(parsed), { poolSize: 0 });
  const statuses = orch.getStats().servers;
  if (server === undefined) {
    if (parsed.values.json) console.log(JSON.stringify(statuses, null, 2));
    else {
      console.log(table(
        ["server", "state", "tools", "note"],
        statuses.map((s) => [s.name, s.state, String(s.toolCount), s.error?.split("\n")[0] ?? ""]),
      ));
    }
    return statuses.every((s) => s.state === "connected") ? 0 : 1;
  }
  const status = statuses.find((s) => s.name === server);
  if (status === undefined) {
    console.error(
      `No server "${server}" in the config. Servers: ${statuses.map((s) => s.name).join(", ")}.`,
    );
    return 1;
  }
  if (status.state !== "connected") {
    console.error(`Server "${server}" is ${status.state}: ${status.error ?? ""}`);
    return 1;
  }
  const tools = orch.listTools(server);
  if (parsed.values.json) console.log(JSON.stringify(tools, null, 2));
  else {
    console.log(paint.bold(`${server}: ${tools.length} tools`));
    console.log(table(
      ["tool", "function", "description"],
      tools.map((t) => [t.name, t.functionName, t.description.slice(0, 80)]),
    ));
  }
  return 0;
}
