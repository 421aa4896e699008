/**
 * Puts one `## ` section (`## Tokens`, `## Speed`) into `docs/benchmarks.md`, leaving every other section as it is.
 * Both benchmark scripts write their section with it.
 *
 * @module
 */

/**
 * Replaces a `## <title>` section of a markdown document (up to the next `## ` heading outside a code fence), or
 * appends it; creates the document with a `# Benchmarks` title when there is none.
 *
 * @param existing The document's text, or `undefined` when it does not exist.
 * @param title The section's title, e.g. `"Speed"`.
 * @param body The section's body, without its heading.
 * @returns The new document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaceSection } from "./_docs_section.ts";
 * const doc = "# Benchmarks\n\n## Tokens\n\nt\n\n## Speed\n\nold\n\n## Other\n\no\n";
 * assert.equal(
 *   replaceSection(doc, "Speed", "new"),
 *   "# Benchmarks\n\n## Tokens\n\nt\n\n## Speed\n\nnew\n\n## Other\n\no\n",
 * );
 * ```
 */
export function replaceSection(existing: string | undefined, title: string, body: string): string {
  const section = `## ${title}\n\n${body.trimEnd()}\n`;
  if (existing === undefined || existing.trim() === "") return `# Benchmarks\n\n${section}`;
  const lines = existing.split("\n");
  const headings: number[] = [];
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && line.startsWith("## ")) headings.push(i);
  });
  const start = headings.find((i) => lines[i]!.trim() === `## ${title}`);
  if (start === undefined) return `${existing.trimEnd()}\n\n${section}`;
  const end = headings.find((i) => i > start) ?? lines.length;
  const before = lines.slice(0, start).join("\n").trimEnd();
  const after = lines.slice(end).join("\n").trim();
  return `${before}${before === "" ? "" : "\n\n"}${section}${after === "" ? "" : `\n${after}\n`}`;
}
