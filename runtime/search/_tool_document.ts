/**
 * The searchable text of one tool: which fields the ranking sees and how much each weighs.
 *
 * @module
 */

import type { Tool } from "../sdk.ts";
import { indexTerm, porterStem, splitWords } from "./_analyze.ts";

/** The text fields of one tool that the ranking sees. */
export interface ToolDocument {
  id: number;
  /** The tool name, split into words and kept as written. */
  name: string;
  /** The tool name again, split into words and stemmed. */
  nameStems: string;
  title: string;
  description: string;
  /** Top-level parameter names, split into words. */
  params: string;
  paramDescriptions: string;
  /** The server name, split into words, so that "github issues" prefers GitHub's tools. */
  server: string;
  /** Name, title and description again, reduced to Porter stems (`deployment` meets `deploy`). */
  porter: string;
}

/** The field whose words are indexed as written; all others are stemmed. */
export const EXACT_FIELD = "name";

/** The field whose words are reduced to Porter stems; the others fold plurals only. */
export const PORTER_FIELD = "porter";

/** Field weights: the tool name says most about what a tool does, parameter prose least. */
export const FIELD_BOOSTS: Readonly<Record<Exclude<keyof ToolDocument, "id">, number>> = {
  name: 3,
  nameStems: 2,
  title: 2,
  server: 1.5,
  params: 1,
  description: 1,
  paramDescriptions: 0.3,
  porter: 0.5,
};

function paramsOf(tool: Tool): [name: string, description: string][] {
  const properties = (tool.inputSchema as { properties?: unknown } | undefined)?.properties;
  if (properties === null || typeof properties !== "object") return [];
  return Object.entries(properties).map(([name, schema]) => {
    const description = (schema as { description?: unknown } | null)?.description;
    return [name, typeof description === "string" ? description : ""];
  });
}

/**
 * Builds the searchable document of a tool.
 *
 * @param id The document id, unique in the index.
 * @param server The server's name.
 * @param tool The tool as listed.
 * @returns The document.
 */
export function makeToolDocument(id: number, server: string, tool: Tool): ToolDocument {
  const params = paramsOf(tool);
  return {
    id,
    name: tool.name,
    nameStems: tool.name,
    title: tool.title ?? tool.annotations?.title ?? "",
    description: tool.description ?? "",
    params: params.map(([name]) => name).join(" "),
    paramDescriptions: params.map(([, text]) => text).join("\n"),
    server,
    porter: [tool.name, tool.title ?? "", tool.description ?? ""].join("\n"),
  };
}

/**
 * Returns the distinct index terms of a document, as the index analyzes them.
 *
 * @param document A document from {@linkcode makeToolDocument}.
 * @param porter Whether the Porter field is indexed.
 * @returns The terms.
 */
export function documentTerms(document: ToolDocument, porter = true): string[] {
  const terms = new Set<string>();
  for (const field of Object.keys(FIELD_BOOSTS) as (keyof typeof FIELD_BOOSTS)[]) {
    if (!porter && field === PORTER_FIELD) continue;
    for (const word of splitWords(document[field])) {
      const term = fieldTerm(word, field);
      if (term !== null) terms.add(term);
    }
  }
  return [...terms];
}

/**
 * Turns one word of a document field into its index term: as written in the name, Porter-stemmed in the Porter
 * field, plural-folded elsewhere.
 *
 * @param word A lowercase word.
 * @param field The field it comes from.
 * @returns The term, or `null` for a stop word.
 */
export function fieldTerm(word: string, field: string | undefined): string | null {
  return indexTerm(word, field, {
    exactField: EXACT_FIELD,
    ...(field === PORTER_FIELD ? { stemmer: porterStem } : {}),
  });
}
