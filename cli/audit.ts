/**
 * `mcpx audit verify`: checks the tamper-evident audit chain of a file (with its rotated predecessors) or of the
 * PostgreSQL table, and names the first line that breaks it.
 *
 * @module
 */

import { type AuditVerdict, PostgresStateStore, verifyAuditFile } from "../runtime/state/mod.ts";
import { parseFlags, stringFlag, UsageError } from "./_common.ts";

const HELP = `Usage: mcpx audit verify [<file> | --state-url <url>]

Checks the audit trail's chain: each line's hash over its content, its seq following the line before and its prev
naming that line's hash. Exit code 0 when intact, 1 when a line breaks the chain (it is named), 2 on a usage
mistake.

  <file>              An audit file (audit.file in mcp-executor.json); its rotated files <file>.1, .2, ... are
                      checked first, oldest first.
  --state-url <url>   The PostgreSQL state store (state.url): checks the table mcpx_audit.
                      Without <file> or --state-url: $MCPX_STATE_URL.
  -h, --help          Show this text.`;

/**
 * Runs `mcpx audit <subcommand>`.
 *
 * @param args The arguments after `audit`.
 * @returns 0 when the chain is intact, 1 when it is broken or cannot be read, 2 on a usage mistake.
 * @throws {UsageError} On a bad subcommand or flags.
 */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h") {
    console.log(HELP);
    return 0;
  }
  if (sub !== "verify") {
    throw new UsageError(
      sub === undefined
        ? "Missing subcommand: verify"
        : `Unknown subcommand "${sub}": expected verify`,
    );
  }
  const parsed = parseFlags(rest, { "state-url": { type: "string" } });
  if (parsed.values.help === true) {
    console.log(HELP);
    return 0;
  }
  const url = stringFlag(parsed, "state-url");
  const [file, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  if (file !== undefined && url !== undefined) {
    throw new UsageError("Give either a file or --state-url, not both");
  }
  const target = file ?? url ?? (Deno.env.get("MCPX_STATE_URL") || undefined);
  if (target === undefined) {
    throw new UsageError("Name an audit file or --state-url <url> (or set MCPX_STATE_URL)");
  }
  let verdict: AuditVerdict;
  if (file === undefined) {
    // A check changes nothing: no migration (a database without the table fails, naming it).
    await using store = await PostgresStateStore.open(target, { max: 1, migrate: false });
    verdict = await store.audit.verify();
  } else {
    try {
      await Deno.stat(file);
    } catch {
      throw new UsageError(`Cannot read audit file "${file}": no such file`);
    }
    verdict = await verifyAuditFile(file);
  }
  const range = verdict.lines === 0
    ? "no chained lines"
    : `${verdict.lines} lines, seq ${verdict.first} to ${verdict.head.seq}`;
  const unchained = verdict.unchained === 0
    ? ""
    : ` (${verdict.unchained} older lines without a hash before the chain)`;
  const b = verdict.break;
  if (b === undefined) {
    const last = verdict.head.hash === null ? "" : `; last hash ${verdict.head.hash}`;
    console.log(`Intact: ${range}${unchained}${last}`);
    return 0;
  }
  const where = b.file === undefined
    ? `seq ${b.seq}`
    : `${b.file}:${b.line}${b.seq === undefined ? "" : ` (seq ${b.seq})`}`;
  console.log(`Broken at ${where}: ${b.reason}; ${range} before it check out`);
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
