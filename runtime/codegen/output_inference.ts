/**
 * Output types inferred from what a tool really returns, for tools that declare no `outputSchema`: the shape of a
 * structured result (its `structuredContent`, or a lone text item holding a JSON object or array) as a JSON Schema
 * of names and types only, built with `genson-js` and merged with later results' shapes (a field missing from some
 * results becomes optional, differing primitives become a union). Values are never kept: the schema holds property
 * names and types, and objects whose keys are data (an e-mail address, a path, a sentence) become maps, so their keys
 * are not kept either.
 *
 * Bounded: objects to their first 200 properties, arrays to their first 50 items, 8 levels deep (deeper is any),
 * and 20,000 values in all: a larger result within those bounds gives no shape (it is skipped, not guessed at).
 *
 * @module
 */

import * as genson from "genson-js";
import type { CallToolResult } from "../sdk.ts";

/** genson-js's schema (its package.json points `types` at a file it does not ship, so it is spelled here). */
interface Schema {
  type?: string | string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
}
const createSchema = genson.createSchema as (value: unknown) => Schema;
const mergeSchemas = genson.mergeSchemas as (schemas: Schema[]) => Schema;

/** The bounds of inference. */
export const INFERENCE_LIMITS = { depth: 8, properties: 200, items: 50, values: 20_000 } as const;

/**
 * A tool's inferred output, as `servers/<server>/_inferred.json` keeps it.
 *
 * @example A generated tool with an inferred output type
 * ```ts
 * import { generateServerModules, type InferredOutput } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const inferred: InferredOutput = {
 *   schema: { type: "object", properties: { count: { type: "integer" } }, required: ["count"] },
 *   results: 3,
 *   updated: "2026-12-06",
 * };
 * const files = generateServerModules({ name: "stats", version: "1",
 *   tools: [{ name: "count", inputSchema: { type: "object" } }], inferred: { count: inferred } });
 * assert.match(files.get("stats/count.ts") ?? "", /inferred from 3 results on 2026-12-06, not declared by the server/);
 * ```
 */
export interface InferredOutput {
  /** The shape: a JSON Schema of names and types. */
  schema: Record<string, unknown>;
  /** How many results the shape was inferred from when it last changed. */
  results: number;
  /** The day (UTC, `YYYY-MM-DD`) the shape last changed. */
  updated: string;
}

/** The key a map-like object's values are gathered under while its shape is built. */
const MAP_KEY = "\u0000map";
/** A key that names a field rather than holding data. */
const FIELD_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;

/**
 * The structured value of a tool result, when it has one: `structuredContent`, or the parsed JSON of a lone text
 * item holding an object or an array. Errors, plain text and other content have none.
 *
 * @param result The raw `tools/call` result.
 * @returns The value, or `undefined`.
 *
 * @example
 * ```ts
 * import { structuredValue } from "./output_inference.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(structuredValue({ content: [{ type: "text", text: '{"a":1}' }] }), { a: 1 });
 * assert.equal(structuredValue({ content: [{ type: "text", text: "hello" }] }), undefined);
 * ```
 */
export function structuredValue(result: CallToolResult): unknown {
  if (result.isError === true) return undefined;
  const structured = result.structuredContent;
  if (structured !== undefined && structured !== null && typeof structured === "object") {
    return structured;
  }
  const content = result.content ?? [];
  if (content.length !== 1 || content[0]?.type !== "text") return undefined;
  const text = content[0].text.trim();
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shape of a value: a JSON Schema of its names and types, bounded.
 *
 * @param value A structured result.
 * @returns The schema; it holds no value of the result. `undefined` when the result holds more than 20,000 values
 *   within the bounds.
 *
 * @example
 * ```ts
 * import { shapeOf } from "./output_inference.ts";
 * import assert from "node:assert/strict";
 * const shape = shapeOf({ users: { "ada@example.com": { age: 36 } } })!;
 * assert.ok(!JSON.stringify(shape).includes("ada"));
 * assert.deepEqual(shape.properties, {
 *   users: { type: "object", additionalProperties: { type: "object", properties: { age: { type: "integer" } }, required: ["age"] } },
 * });
 * ```
 */
export function shapeOf(value: unknown): Record<string, unknown> | undefined {
  const budget = { left: INFERENCE_LIMITS.values };
  const bounded = bound(value, 0, budget);
  return budget.left < 0 ? undefined : finish(createSchema(bounded), 0);
}

/**
 * Merges two shapes: fields missing from one become optional, differing types become unions.
 *
 * @param a A shape from {@linkcode shapeOf} or an earlier merge.
 * @param b Another.
 * @returns The merged shape, bounded.
 *
 * @example
 * ```ts
 * import { mergeShapes, shapeOf } from "./output_inference.ts";
 * import assert from "node:assert/strict";
 * const merged = mergeShapes(shapeOf({ id: 1, name: "a" })!, shapeOf({ id: "x" })!);
 * assert.deepEqual(merged.required, ["id"]);
 * assert.deepEqual((merged.properties as Record<string, unknown>).id, { type: ["integer", "string"] });
 * ```
 */
export function mergeShapes(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  return finish(mergeSchemas([unfinish(a), unfinish(b)]), 0);
}

/** A copy of the value within the bounds; map-like objects gather their values under {@linkcode MAP_KEY}. */
function bound(value: unknown, depth: number, budget: { left: number }): unknown {
  if (--budget.left < 0) return null;
  if (value === null || typeof value !== "object") return value;
  if (depth >= INFERENCE_LIMITS.depth) return null;
  if (Array.isArray(value)) {
    return value.slice(0, INFERENCE_LIMITS.items).map((item) => bound(item, depth + 1, budget));
  }
  const keys = Object.keys(value);
  if (keys.length > 0 && !keys.every((key) => FIELD_NAME.test(key))) {
    const values = keys.slice(0, INFERENCE_LIMITS.items).map((key) =>
      bound((value as Record<string, unknown>)[key], depth + 1, budget)
    );
    return { [MAP_KEY]: values };
  }
  const out: Record<string, unknown> = {};
  for (const key of keys.slice(0, INFERENCE_LIMITS.properties)) {
    out[key] = bound((value as Record<string, unknown>)[key], depth + 1, budget);
  }
  return out;
}

/** Turns genson's schema into the stored shape: maps get `additionalProperties`, and the bounds hold. */
function finish(schema: Schema, depth: number): Record<string, unknown> {
  if (depth >= INFERENCE_LIMITS.depth) return {};
  const out: Record<string, unknown> = {};
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.anyOf !== undefined) out.anyOf = schema.anyOf.map((s) => finish(s, depth));
  if (schema.items !== undefined) out.items = finish(schema.items, depth + 1);
  const properties = schema.properties;
  if (properties !== undefined) {
    const map = properties[MAP_KEY];
    if (map !== undefined) {
      out.additionalProperties = map.items === undefined ? {} : finish(map.items, depth + 1);
      return out;
    }
    const names = Object.keys(properties).slice(0, INFERENCE_LIMITS.properties);
    out.properties = Object.fromEntries(names.map((n) => [n, finish(properties[n]!, depth + 1)]));
    const required = (schema.required ?? []).filter((n) => names.includes(n));
    if (required.length > 0) out.required = required;
  }
  return out;
}

/** The stored shape back in genson's form, so that it merges: maps gather their values again. */
function unfinish(shape: Record<string, unknown>): Schema {
  const out: Schema = {};
  if (shape.type !== undefined) out.type = shape.type as Schema["type"];
  if (Array.isArray(shape.anyOf)) out.anyOf = shape.anyOf.map((s) => unfinish(s));
  if (isObject(shape.items)) out.items = unfinish(shape.items);
  if (isObject(shape.additionalProperties)) {
    out.properties = {
      [MAP_KEY]: { type: "array", items: unfinish(shape.additionalProperties) },
    };
    out.required = [MAP_KEY];
  } else if (isObject(shape.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(shape.properties).map(([n, s]) => [n, unfinish(s as Record<string, unknown>)]),
    );
    if (Array.isArray(shape.required)) out.required = shape.required as string[];
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
