/**
 * `mcpx gen`: connects the servers of an mcp.json and regenerates `servers/` (one module a server, one file a tool).
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { writeServerModules } from "../runtime/mod.ts";
import { CONFIG_FLAG, configPath, parseFlags, stringFlag } from "./_common.ts";
import { connectServers, statusLines } from "./_connect.ts";

const HELP = `Usage: mcpx gen [--config mcp.json] [--out servers] [--json]

Connects every server of the config, lists its tools and writes servers/<server>/ (index.ts, one file a tool,
_module.js, _manifest.json). Servers that fail to start are reported and skipped; the exit code is then 1.

Flags:
  -c, --config <path>  the mcp.json (default ./mcp.json)
  --out <dir>          where to write (default servers/ beside the config)
  --json               the servers, files written and removed as JSON
  -h, --help           this text`;

/**
 * Runs `mcpx gen`.
 *
 * @param args The flags.
 * @returns 0 when every server was generated, 1 when one failed.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    ...CONFIG_FLAG,
    out: { type: "string" },
    json: { type: "boolean" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const path = await configPath(parsed);
  const outDir = resolve(stringFlag(parsed, "out") ?? join(dirname(path), "servers"));
  const { connections, statuses } = await connectServers(path);
  await using _ = connections;
  const servers = statuses.filter((s) => s.state === "connected").map((s) => ({
    name: s.name,
    version: s.serverInfo?.version ?? "unknown",
    tools: [...connections.get(s.name)!.tools],
  }));
  const { written, removed } = await writeServerModules(outDir, servers);
  if (parsed.values.json) {
    console.log(JSON.stringify({ outDir, servers: statuses, written, removed }, null, 2));
  } else {
    for (const line of statusLines(statuses)) console.log(line);
    console.log(`${outDir}: ${written.length} files written, ${removed.length} removed`);
  }
  return servers.length === statuses.length ? 0 : 1;
}
