/**
 * The JSDoc a schema contributes to the property or declaration it describes. Private to the codegen folder.
 *
 * @module
 */

import { docLines, joinParagraphs } from "./_jsdoc.ts";
import { isSchema } from "./_schema_refs.ts";

/** Constraints worth a tag, in the order they are written. */
const CONSTRAINT_KEYWORDS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
] as const;

/**
 * The doc lines for a schema: its description (or title), then `@default`, `@format`, constraint tags and
 * `@deprecated`.
 *
 * Bounds of ±`Number.MAX_SAFE_INTEGER` (what zod writes for `.int()`) are left out: they say nothing.
 *
 * @param schema The schema of a property or a named type.
 * @returns Comment-safe lines; `[]` when there is nothing to say.
 */
export function schemaDocLines(schema: unknown): string[] {
  if (!isSchema(schema)) return [];
  const text = typeof schema.description === "string"
    ? schema.description
    : typeof schema.title === "string"
    ? schema.title
    : "";
  const tags: string[] = [];
  if (Object.hasOwn(schema, "default")) {
    tags.push(`@default ${oneLine(JSON.stringify(schema.default) ?? "")}`);
  }
  if (typeof schema.format === "string") tags.push(`@format ${oneLine(schema.format)}`);
  for (const keyword of CONSTRAINT_KEYWORDS) {
    const value = schema[keyword];
    if (
      typeof value === "number" && Number.isFinite(value) &&
      Math.abs(value) !== Number.MAX_SAFE_INTEGER
    ) {
      tags.push(`@${keyword} ${value}`);
    } else if (keyword === "pattern" && typeof value === "string") {
      tags.push(`@pattern ${oneLine(value)}`);
    }
  }
  if (schema.uniqueItems === true) tags.push("@uniqueItems");
  if (schema.deprecated === true) tags.push("@deprecated");
  return joinParagraphs(docLines(text), tags);
}

/** Text for a tag: one line, comment-safe. */
function oneLine(text: string): string {
  return docLines(text).join(" ");
}
