/**
 * `mcpx state`: the PostgreSQL state store from the command line. `migrate` applies the schema migrations the
 * database lacks and says which ran; `export <dir>` writes its skills back as Agent Skills folders.
 *
 * @module
 */

import { resolve } from "node:path";
import { loadDaemonConfig } from "../runtime/daemon/mod.ts";
import { exportSkillRows } from "../runtime/skills/mod.ts";
import { MIGRATIONS, PostgresStateStore } from "../runtime/state/mod.ts";
import { parseFlags, stringFlag, UsageError } from "./_common.ts";

const HELP = `Usage: mcpx state migrate [--state-url <url>]
       mcpx state export <dir> [--state-url <url>]

The PostgreSQL state store that replicas share (state.url in mcp-executor.json).

  migrate             Applies the schema migrations the database lacks (each in a transaction, under an advisory
                      lock, as the daemon does at start) and names those that ran.
  export <dir>        Writes every saved skill back as Agent Skills folders, every version kept:
                      <dir>/skills/<name>/ for shared skills, <dir>/principal-skills/<id>/<name>/ for private
                      ones, the layout the daemon reads without a database. Folders there are brought up to
                      date, never emptied.

  --state-url <url>   The store. Default: state.url in --daemon-config, else $MCPX_STATE_URL.
  --daemon-config <path>
                      The daemon's settings. Default: mcp-executor.json in the current folder (if any).
  -h, --help          Show this text.`;

/**
 * Runs `mcpx state <subcommand>`.
 *
 * @param args The arguments after `state`.
 * @returns 0 on success, 1 when the store fails, 2 on a usage mistake.
 * @throws {UsageError} On a bad subcommand or flags.
 */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h") {
    console.log(HELP);
    return 0;
  }
  if (sub !== "migrate" && sub !== "export") {
    throw new UsageError(
      sub === undefined
        ? "Missing subcommand: migrate or export"
        : `Unknown subcommand "${sub}": expected migrate or export`,
    );
  }
  const parsed = parseFlags(rest, {
    "state-url": { type: "string" },
    "daemon-config": { type: "string" },
  });
  if (parsed.values.help === true) {
    console.log(HELP);
    return 0;
  }
  const [dir, ...extra] = parsed.positionals;
  if (sub === "export" && dir === undefined) throw new UsageError("Name the folder to export to");
  const unexpected = sub === "migrate" ? dir : extra[0];
  if (unexpected !== undefined) throw new UsageError(`Unexpected argument "${unexpected}"`);
  const url = await storeUrl(parsed);
  if (sub === "migrate") {
    await using store = await PostgresStateStore.open(url, { max: 1 });
    const names = new Map(MIGRATIONS.map((m) => [m.version, m.name]));
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    console.log(
      store.migrated.length === 0
        ? `Nothing to migrate: the schema is at version ${latest}`
        : `Applied ${store.migrated.map((v) => `${v} (${names.get(v)})`).join(", ")}; ` +
          `the schema is at version ${latest}`,
    );
    return 0;
  }
  await using store = await PostgresStateStore.open(url, { max: 2, migrate: false });
  const target = resolve(dir!);
  const counts = await exportSkillRows(store.skills, target);
  console.log(
    `Exported ${counts.shared} shared and ${counts.private} private skills to ${target}`,
  );
  return 0;
}

async function storeUrl(parsed: Parameters<typeof stringFlag>[0]): Promise<string> {
  const flag = stringFlag(parsed, "state-url");
  if (flag !== undefined) return flag;
  const given = stringFlag(parsed, "daemon-config");
  const config = await loadDaemonConfig(given ?? "mcp-executor.json", {
    optional: given === undefined,
  });
  const url = config.state?.url ?? (Deno.env.get("MCPX_STATE_URL") || undefined);
  if (url === undefined) {
    throw new UsageError(
      "Name the store: --state-url <url>, state.url in mcp-executor.json, or MCPX_STATE_URL",
    );
  }
  return url;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
