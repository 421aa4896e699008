/**
 * JSDoc blocks for generated code. Private to the codegen folder.
 *
 * @module
 */

/** Code fence languages that `deno test --doc` would type-check; fences copied from tool text get `ignore`. */
const CHECKED_FENCE_RE = /^(\s*```\s*(?:js|javascript|jsx|mjs|cjs|ts|typescript|tsx|mts|cts))\s*$/i;

/**
 * Splits free text from a server (a description, a title) into comment-safe lines.
 *
 * Line breaks of every kind become separate lines, trailing whitespace goes (as `deno fmt` would remove it), `*\/`
 * is escaped so that it cannot close the comment, a line starting with `@` is escaped as `\@` so that it cannot
 * pose as a tag (`@deprecated`, `@example`), and code fences `deno test --doc` would run are marked `ignore`.
 *
 * @param text Untrusted text.
 * @returns The lines, without leading and trailing blank lines.
 */
export function docLines(text: string): string[] {
  const lines = text
    .replace(/\r\n?|[\u2028\u2029\u0085\v\f]/g, "\n")
    .split("\n")
    .map((line) =>
      line.replaceAll("*/", "*\\/").replace(/\s+$/u, "").replace(/^(\s*)@/, "$1\\@").replace(
        CHECKED_FENCE_RE,
        "$1 ignore",
      )
    );
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * Renders a JSDoc block: `/** line *\/` for one line, the multi-line form otherwise.
 *
 * @param lines The block's lines, already comment-safe (see {@linkcode docLines}); blank lines separate paragraphs.
 * @param indent The indentation of the commented declaration.
 * @returns The block ending with a newline, or `""` when there are no lines.
 */
export function renderJsDoc(lines: readonly string[], indent: string): string {
  const trimmed = [...lines];
  while (trimmed.length > 0 && trimmed[0] === "") trimmed.shift();
  while (trimmed.length > 0 && trimmed.at(-1) === "") trimmed.pop();
  // Collapse runs of blank lines.
  const body = trimmed.filter((line, i) => line !== "" || trimmed[i - 1] !== "");
  if (body.length === 0) return "";
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${
    body.map((line) => `${indent} *${line === "" ? "" : ` ${line}`}`).join("\n")
  }\n${indent} */\n`;
}

/**
 * Joins paragraphs of doc lines with one blank line between non-empty paragraphs.
 *
 * @param paragraphs Groups of lines.
 * @returns The lines of all non-empty paragraphs.
 */
export function joinParagraphs(...paragraphs: ReadonlyArray<readonly string[]>): string[] {
  const out: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph.length === 0) continue;
    if (out.length > 0) out.push("");
    out.push(...paragraph);
  }
  return out;
}
