/**
 * `mcpx search <query>`: finds tools by what they do, as an agent's `search_tools` call does.
 *
 * @module
 */

import {
  CONFIG_FLAG,
  configPath,
  mcpxCommand,
  numberFlag,
  parseFlags,
  stringFlag,
  UsageError,
} from "./_common.ts";
import { openOrchestrator } from "./_orchestrator.ts";
import { formatHits, universalSentenceEncoder } from "../runtime/search/mod.ts";

const HELP =
  `Usage: mcpx search <query> [--detail name|description|full] [--limit 10] [--server name] [--json]

Ranks the tools of every connected server against the query (BM25 over names, titles, descriptions and parameter
names, with --embed also by meaning) and prints the hits the way an agent sees them.

Flags:
  --detail <level>     name, description (default) or full (with TypeScript types)
  --limit <n>          the most hits (default 10)
  --server <name>      only this server (repeat for several)
  --embed              blend in meaning with the offline Universal Sentence Encoder (embeds every tool
                       first: seconds for a few hundred tools)
  --json               the hits as JSON
  -c, --config <path>  the mcp.json (default ./mcp.json)
  -h, --help           this text`;

const DETAILS = ["name", "description", "full"] as const;

/**
 * Runs `mcpx search`.
 *
 * @param args The query and flags.
 * @returns 0, or 1 when nothing matched.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    ...CONFIG_FLAG,
    detail: { type: "string" },
    limit: { type: "string" },
    server: { type: "string", multiple: true },
    json: { type: "boolean" },
    embed: { type: "boolean" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const query = parsed.positionals.join(" ").trim();
  if (query === "") {
    throw new UsageError(`Give a query, e.g. ${mcpxCommand()} search "read a file"`);
  }
  const detail = stringFlag(parsed, "detail") ?? "description";
  if (!(DETAILS as readonly string[]).includes(detail)) {
    throw new UsageError(`Flag --detail must be one of ${DETAILS.join(", ")}, got "${detail}"`);
  }
  const limit = numberFlag(parsed, "limit");
  const servers = parsed.values.server as string[] | undefined;
  const options = {
    detail: detail as typeof DETAILS[number],
    ...(limit === undefined ? {} : { limit }),
    ...(servers === undefined ? {} : { servers }),
  };
  await using orch = await openOrchestrator(await configPath(parsed), {
    poolSize: 0,
    ...(parsed.values.embed ? { embed: universalSentenceEncoder() } : {}),
  });
  const hits = await orch.findTools(query, options);
  if (parsed.values.json) console.log(JSON.stringify(hits, null, 2));
  else console.log(formatHits(hits, options.detail));
  return hits.length > 0 ? 0 : 1;
}
