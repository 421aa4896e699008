/**
 * Small helpers of `bench/state_bench.ts`: progress lines, the load average, markdown tables, signed durations and
 * the PostgreSQL server's version.
 *
 * @module
 */

import { PG_URL } from "../tests/helpers/postgres.ts";
import { ms } from "./_speed_stats.ts";

export function progress(message: string): void {
  console.error(`[state] ${message}`);
}

export function loadAverage(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

export function signed(value: number): string {
  return `${value >= 0 ? "+" : "−"}${ms(Math.abs(value))}`;
}

export async function pgVersion(): Promise<string> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(PG_URL!, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ v: string }[]>`SELECT current_setting('server_version') AS v`;
    return rows[0]?.v.split(" ")[0] ?? "?";
  } finally {
    await sql.end();
  }
}
