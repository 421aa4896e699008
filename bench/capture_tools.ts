/**
 * Records the `tools/list` answer of every server in `bench/corpus.json` into `tests/fixtures/tools_list/<key>.json`,
 * with the package name and version it came from. Listing tools needs no account and no network beyond the npm
 * registry the first time a package is fetched.
 *
 * Run: `deno task capture [key...]`
 *
 * @module
 */

import { join } from "node:path";
import { Client, StdioClientTransport, type Tool } from "../runtime/sdk.ts";

interface CorpusEntry {
  key: string;
  package: string;
  version: string;
  args: string[];
  env?: Record<string, string>;
  /** How to start the package: `deno` (default) runs `deno run -A npm:pkg@ver`, `node` runs `npx -y pkg@ver`. */
  runner?: "deno" | "node";
}

/** A recorded tools/list answer. */
export interface ToolsListFixture {
  key: string;
  package: string;
  version: string;
  serverInfo: { name: string; version: string };
  tools: Tool[];
}

const root = new URL("..", import.meta.url).pathname;
const corpus = JSON.parse(await Deno.readTextFile(join(root, "bench/corpus.json"))) as {
  servers: CorpusEntry[];
};
const only = new Set(Deno.args);
const tmp = await Deno.makeTempDir({ prefix: "mcp-capture-" });
const expand = (s: string): string => s.replaceAll("${TMP}", tmp);

for (const entry of corpus.servers) {
  if (only.size > 0 && !only.has(entry.key)) continue;
  const client = new Client({ name: "mcp-executor-capture", version: "0.1.0" });
  const env: Record<string, string> = { ...Deno.env.toObject() };
  for (const [k, v] of Object.entries(entry.env ?? {})) env[k] = expand(v);
  const spec = `${entry.package}@${entry.version}`;
  const transport = new StdioClientTransport(
    entry.runner === "node"
      ? {
        command: "npx",
        args: ["-y", spec, ...entry.args.map(expand)],
        env,
        cwd: tmp,
        stderr: "pipe",
      }
      : {
        command: Deno.execPath(),
        // Outside the project (no config, no lock): benchmark-only servers stay out of deno.lock and node_modules/.
        args: ["run", "-A", "--no-config", "--no-lock", `npm:${spec}`, ...entry.args.map(expand)],
        env,
        cwd: tmp,
        stderr: "pipe",
      },
  );
  let stderrTail = "";
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  try {
    await client.connect(transport);
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const info = client.getServerVersion();
    const fixture: ToolsListFixture = {
      key: entry.key,
      package: entry.package,
      version: entry.version,
      serverInfo: { name: info?.name ?? entry.key, version: info?.version ?? entry.version },
      tools,
    };
    const file = join(root, "tests/fixtures/tools_list", `${entry.key}.json`);
    await Deno.writeTextFile(file, JSON.stringify(fixture, null, 2) + "\n");
    console.log(`${entry.key}: ${tools.length} tools from ${entry.package}@${entry.version}`);
  } catch (error) {
    console.error(`${entry.key}: failed: ${error instanceof Error ? error.message : error}`);
    if (stderrTail !== "") console.error(`${entry.key}: server stderr:\n${stderrTail}`);
  } finally {
    await client.close();
  }
}
await Deno.remove(tmp, { recursive: true });
