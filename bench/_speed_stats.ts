/**
 * Summaries and markdown tables for `bench/speed.ts`: median, p95 and n of a sample, printed the same way in every
 * table.
 *
 * @module
 */

/** Median, p95 and count of a sample of times in milliseconds. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * Summarises a sample: the median (mean of the two middle values for an even count) and the nearest-rank p95.
 *
 * @param values The sample; not modified.
 * @returns Its summary.
 * @throws {RangeError} When the sample is empty.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("Cannot summarise an empty sample");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { n: sorted.length, median, p95, mean, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Formats milliseconds with a precision that suits the size: 3 decimals under 1 ms, 2 under 100, 1 above.
 *
 * @param ms A duration in milliseconds.
 * @returns The number as text, without a unit.
 */
export function ms(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  return ms.toFixed(abs < 1 ? 3 : abs < 100 ? 2 : 1);
}

/** One row of a result table: what was measured, its summary, and a note. */
export interface Row {
  name: string;
  summary: Summary;
  note?: string;
}

/**
 * A markdown table of rows with median, p95 and n.
 *
 * @param rows The rows.
 * @returns The table, without a trailing newline.
 */
export function timingTable(rows: readonly Row[]): string {
  const lines = [
    "| measurement | median ms | p95 ms | n | notes |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${ms(row.summary.median)} | ${ms(row.summary.p95)} | ${row.summary.n} | ${
        row.note ?? ""
      } |`,
    );
  }
  return lines.join("\n");
}

/**
 * A markdown table with free-form columns.
 *
 * @param header The column names; a name ending in `:` is right-aligned (the colon is dropped).
 * @param rows The cells.
 * @returns The table, without a trailing newline.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const names = header.map((h) => h.replace(/:$/, ""));
  const align = header.map((h) => (h.endsWith(":") ? "---:" : "---"));
  return [
    `| ${names.join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
