/**
 * Converts JSON Schema (drafts 07 to 2020-12, plus OpenAPI's `nullable`) to TypeScript type text.
 *
 * Covers what MCP servers put in `inputSchema` and `outputSchema`: objects with required and optional properties,
 * arrays and tuples, `enum` and `const`, `anyOf`/`oneOf`/`allOf`, type lists with `"null"`, `additionalProperties`,
 * local `$ref`s (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer such as `#/properties/foo/items`, recursive
 * ones included) and JSDoc from descriptions, defaults, formats and constraints. Anything it cannot describe
 * becomes `unknown`, never a wrong type. Output is laid out as `deno fmt` would.
 *
 * @module
 */

import { SchemaConverter } from "./_schema_converter.ts";
import { printType } from "./_type_printer.ts";

/** Options of {@linkcode jsonSchemaToDeclarations}. */
export interface DeclarationOptions {
  /** The name of the type declared for the schema itself, e.g. `CreateEntitiesInput`. */
  name: string;
  /** What the names of `$defs` types start with, e.g. `CreateEntities` for `CreateEntitiesNode`. Default: `name`. */
  defsPrefix?: string;
  /**
   * Type names already taken in the module; new names avoid them and are added to the set. Share one set between
   * the declarations of one module.
   */
  usedNames?: Set<string>;
  /** Comment-safe JSDoc lines for the root declaration. Default: the schema's description and tags. */
  doc?: string[];
  /** Whether to write `export` before each declaration. Default: `true`. */
  exported?: boolean;
}

/** Options of {@linkcode jsonSchemaToType}. */
export interface TypeOptions {
  /** The indentation level the type is written at, for multi-line object types. Default: 0. */
  level?: number;
}

/**
 * Converts a schema to the TypeScript declarations of its type: the root type under `options.name`, then one
 * declaration per referenced location (`$defs` entries and other `$ref` targets), in the order first referenced.
 *
 * Object types become interfaces, everything else type aliases. Recursive references work through names;
 * a reference cycle that TypeScript cannot express (`type A = A | string`) is broken with `unknown`.
 *
 * @param schema The JSON Schema; anything that is not one gives `unknown`.
 * @param options The root type's name and how to name the rest.
 * @returns The declarations, separated by blank lines, without a trailing newline.
 *
 * @example Declare a tool's input type
 * ```ts
 * import { jsonSchemaToDeclarations } from "./json_schema_to_ts.ts";
 * import assert from "node:assert/strict";
 *
 * const text = jsonSchemaToDeclarations({
 *   type: "object",
 *   properties: { query: { type: "string", description: "What to look for" } },
 *   required: ["query"],
 * }, { name: "SearchInput" });
 * assert.equal(text, "export interface SearchInput {\n  /** What to look for *\/\n  query: string;\n}");
 * ```
 */
export function jsonSchemaToDeclarations(schema: unknown, options: DeclarationOptions): string {
  const converter = new SchemaConverter(schema, {
    named: true,
    name: options.name,
    defsPrefix: options.defsPrefix ?? options.name,
    used: options.usedNames ?? new Set(),
  });
  return converter.declarations(options.doc, options.exported ?? true).join("\n\n");
}

/**
 * Converts a schema to one TypeScript type expression, with every `$ref` inlined (a recursive one becomes
 * `unknown`). For named, recursive types use {@linkcode jsonSchemaToDeclarations}.
 *
 * @param schema The JSON Schema; anything that is not one gives `unknown`.
 * @param options Where the type is written.
 * @returns The type text; multi-line when it contains an object type.
 *
 * @example Convert small schemas
 * ```ts
 * import { jsonSchemaToType } from "./json_schema_to_ts.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jsonSchemaToType({ type: ["string", "null"] }), "string | null");
 * assert.equal(jsonSchemaToType({ enum: ["name", "size"] }), '"name" | "size"');
 * assert.equal(jsonSchemaToType({ type: "array", items: { type: "integer" } }), "number[]");
 * ```
 */
export function jsonSchemaToType(schema: unknown, options: TypeOptions = {}): string {
  const level = options.level ?? 0;
  const converter = new SchemaConverter(schema, {
    named: false,
    name: "Root",
    defsPrefix: "Root",
    used: new Set(),
  });
  return printType(converter.rootType(), level, level * 2, 0, false);
}
