/**
 * The pieces of one tool's TypeScript: its Input/Output declarations, its JSDoc and its signature. Shared by the
 * generated tool modules and {@linkcode renderToolSignature}. Private to the codegen folder.
 *
 * @module
 */

import type { Tool } from "../sdk.ts";
import { docLines, joinParagraphs, renderJsDoc } from "./_jsdoc.ts";
import { isSchema, type Schema } from "./_schema_refs.ts";
import { LINE_WIDTH } from "./_type_printer.ts";
import { isIdentifier, toTypeName } from "./identifiers.ts";
import { jsonSchemaToDeclarations } from "./json_schema_to_ts.ts";
import type { InferredOutput } from "./output_inference.ts";

/** What a generated tool module and a tool signature are made of. */
export interface ToolParts {
  /** The Input declarations, then the Output ones when the tool has an output schema. */
  declarations: string[];
  inputType: string;
  /** `undefined` when the tool declares no output schema (the function returns `Promise<unknown>`). */
  outputType: string | undefined;
  /** The function's JSDoc block, ending with a newline. */
  doc: string;
  /** Whether the tool requires no argument, so that `input` may be left out. */
  inputOptional: boolean;
}

const COMBINATORS = ["$ref", "anyOf", "oneOf", "allOf", "const", "enum"];

/** The tool's input schema, or an open object when the server sent something that is not a schema. */
function inputSchemaOf(tool: Tool): Schema {
  const schema: unknown = tool.inputSchema;
  if (!isSchema(schema)) return { type: "object" };
  // MCP input schemas are objects; some servers leave out `type`.
  if (schema.type === undefined && !COMBINATORS.some((keyword) => Object.hasOwn(schema, keyword))) {
    return { ...schema, type: "object" };
  }
  return schema;
}

/**
 * Builds the pieces of a tool's TypeScript.
 *
 * @param serverName The server's name, as `callTool` receives it.
 * @param tool The tool's definition from `tools/list`.
 * @param functionName The tool's function name.
 * @param exported Whether declarations carry `export`.
 * @param inferred The output shape inferred from the tool's results, used when it declares no output schema.
 * @returns The pieces.
 */
export function toolParts(
  serverName: string,
  tool: Tool,
  functionName: string,
  exported: boolean,
  inferred?: InferredOutput,
): ToolParts {
  const typeBase = toTypeName(functionName);
  const inputType = `${typeBase}Input`;
  const declared = tool.outputSchema !== undefined;
  const outputSchema = declared ? tool.outputSchema : inferred?.schema;
  const outputType = outputSchema === undefined ? undefined : `${typeBase}Output`;
  const usedNames = new Set([inputType, ...(outputType === undefined ? [] : [outputType])]);
  const input = inputSchemaOf(tool);
  const declarations = [
    jsonSchemaToDeclarations(input, {
      name: inputType,
      defsPrefix: typeBase,
      usedNames,
      doc: joinParagraphs(describe(input), [`The arguments of {@linkcode ${functionName}}.`]),
      exported,
    }),
  ];
  if (outputType !== undefined) {
    declarations.push(jsonSchemaToDeclarations(outputSchema, {
      name: outputType,
      defsPrefix: typeBase,
      usedNames,
      doc: declared || inferred === undefined
        ? joinParagraphs(describe(outputSchema), [
          `The structured result of {@linkcode ${functionName}}.`,
        ])
        : docLines(
          `The result of {@linkcode ${functionName}}, inferred from ${inferred.results} result${
            inferred.results === 1 ? "" : "s"
          } on ${inferred.updated}, not declared by the server.`,
        ),
      exported,
    }));
  }
  const required = Array.isArray(input.required) && input.required.length > 0;
  const inputOptional = !required && !COMBINATORS.some((keyword) => Object.hasOwn(input, keyword));
  return {
    declarations,
    inputType,
    outputType,
    doc: renderJsDoc(functionDoc(serverName, tool, input, outputType !== undefined), ""),
    inputOptional,
  };
}

function describe(schema: unknown): string[] {
  return isSchema(schema) && typeof schema.description === "string"
    ? docLines(schema.description)
    : [];
}

function functionDoc(serverName: string, tool: Tool, input: Schema, hasOutput: boolean): string[] {
  const title = tool.title ?? tool.annotations?.title;
  const titleLines = typeof title === "string" ? docLines(title) : [];
  const description = typeof tool.description === "string" ? docLines(tool.description) : [];
  const origin = docLines(
    `Calls tool ${JSON.stringify(tool.name)} of MCP server ${JSON.stringify(serverName)}.${
      annotationText(tool)
    }`,
  );
  const params = ["@param input The tool's arguments."];
  const properties = isSchema(input.properties) ? Object.entries(input.properties) : [];
  for (const [key, property] of properties) {
    if (!isSchema(property) || typeof property.description !== "string") continue;
    const [first = "", ...rest] = docLines(property.description);
    const path = isIdentifier(key)
      ? `input.${key}`
      : `input[${docLines(JSON.stringify(key)).join(" ")}]`;
    params.push(
      `@param ${path} ${first}`.trimEnd(),
      ...rest.map((line) => (line === "" ? "" : `  ${line}`)),
    );
  }
  params.push(
    hasOutput
      ? "@returns The tool's structured result."
      : "@returns The tool's result, unwrapped: its structured content when present, else its lone JSON text " +
        "parsed, else its text.",
  );
  const sameTitle = titleLines.join("\n") === description.join("\n");
  return joinParagraphs(sameTitle ? [] : titleLines, description, origin, params);
}

/** ` Annotations: read-only, idempotent.` for the hints the server set; `""` when there are none. */
function annotationText(tool: Tool): string {
  const hints = tool.annotations ?? {};
  const words: string[] = [];
  if (hints.readOnlyHint === true) words.push("read-only");
  if (hints.readOnlyHint !== true && hints.destructiveHint === true) words.push("destructive");
  if (hints.readOnlyHint !== true && hints.destructiveHint === false) words.push("non-destructive");
  if (hints.idempotentHint === true) words.push("idempotent");
  if (hints.openWorldHint === true) words.push("open-world");
  return words.length === 0 ? "" : ` Annotations: ${words.join(", ")}.`;
}

/** The parts of a function head, for {@linkcode functionHead}. */
export interface FunctionHead {
  /** What comes before `function`: `"export "` or `""`. */
  prefix: string;
  name: string;
  /** The parameter as written, e.g. `input: FooInput = {}`. */
  param: string;
  /** The return type, e.g. `Promise<FooOutput>`. */
  returnType: string;
  /** What ends the line: `" {"` or `";"`. */
  end: string;
}

/**
 * The function's head: `function fn(input: X): Promise<Y>`, broken over lines as `deno fmt` would when too long.
 *
 * @param head Its parts.
 * @returns The head.
 */
export function functionHead(head: FunctionHead): string {
  const { prefix, name, param, returnType, end } = head;
  const oneLine = `${prefix}function ${name}(${param}): ${returnType}${end}`;
  if (oneLine.length <= LINE_WIDTH) return oneLine;
  return `${prefix}function ${name}(\n  ${param},\n): ${returnType}${end}`;
}
