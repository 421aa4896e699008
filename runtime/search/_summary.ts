/**
 * One-line summaries of tool descriptions for the `"description"` detail level.
 *
 * @module
 */

/** Longest summary, in characters, before it is cut at a word boundary. */
export const SUMMARY_MAX_LENGTH = 160;

/**
 * Returns the first sentence of a description on one line, trimmed to about {@linkcode SUMMARY_MAX_LENGTH}
 * characters. A period after a digit (`"1."`) or an abbreviation (`"e.g."`) does not end a sentence.
 *
 * @param description The tool's description, possibly multi-line markdown.
 * @param maxLength The longest result, in characters, counting the ellipsis.
 * @returns The summary; empty when there is no description.
 */
export function summarize(description: string | undefined, maxLength = SUMMARY_MAX_LENGTH): string {
  const text = (description ?? "").replace(/\s+/g, " ").trim();
  const end = /(?<!\b(?:e\.g|i\.e|etc|vs|\d+))[.!?](?=\s|$)/.exec(text);
  const sentence = end === null ? text : text.slice(0, end.index + 1);
  if (sentence.length <= maxLength) return sentence;
  const cut = sentence.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(" ");
  return (space > maxLength / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, "") + "…";
}
