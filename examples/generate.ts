/**
 * Regenerates `servers/` from the servers of an mcp.json (default: the embedded one): connects each server, lists
 * its tools and writes its module. Servers that fail to start are reported and skipped.
 *
 * Run: `deno task gen [path/to/mcp.json] [--out servers]`
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { ConnectionManager, loadConfig, writeServerModules } from "../runtime/mod.ts";

const args = [...Deno.args];
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? args.splice(outIndex, 2)[1] : undefined;
const configPath = resolve(args[0] ?? new URL("../mcp.json", import.meta.url).pathname);
const config = await loadConfig(configPath);
const outDir = resolve(out ?? join(dirname(configPath), "servers"));

await using connections = new ConnectionManager(config);
const status = await connections.connectAll();
const servers = [];
for (const s of status) {
  if (s.state !== "connected") {
    console.error(`${s.name}: skipped: ${s.error}`);
    continue;
  }
  const connection = connections.get(s.name)!;
  servers.push({
    name: s.name,
    version: s.serverInfo?.version ?? "unknown",
    tools: [...connection.tools],
  });
}
const { written, removed } = await writeServerModules(outDir, servers);
for (const s of servers) console.log(`${s.name}: ${s.tools.length} tools`);
console.log(`${outDir}: ${written.length} files written, ${removed.length} removed`);
if (servers.length < status.length) Deno.exit(1);
