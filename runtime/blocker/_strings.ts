/**
 * Static string evaluation: the strings an expression is known to produce, so that `"ev" + "al"`,
 * `` `De${"no"}` ``, `["ev", "al"].join("")`, `String.fromCharCode(101, 118, 97, 108)`, `atob("ZXZhbA==")` and
 * string constants count as the literal they spell.
 *
 * @module
 */

import { type AstNode, field, isMember, list, unwrap } from "./_ast.ts";

/** How many candidate strings an expression may have before it counts as unknown. */
const MAX_CANDIDATES = 32;
/** How long a candidate string may grow before it counts as unknown. */
const MAX_STRING = 4096;
/** How deep evaluation may recurse before the code is refused as too deeply nested to screen. */
export const MAX_DEPTH = 1500;

/** Thrown when the code nests deeper than the screen follows; the caller refuses such code. */
export class ScreenDepthError extends Error {
  constructor() {
    super("Cannot screen code: expressions are nested too deeply");
    this.name = "ScreenDepthError";
  }
}

/** What the evaluator needs from its resolver. */
export interface StringContext {
  /** The strings a local constant holds, or undefined when it is not a known string constant. */
  constantStrings(name: string): string[] | undefined;
  /** The dotted global names an expression resolves to (`"String.fromCharCode"`). */
  globalNamesOf(node: AstNode, depth: number): string[];
  /** The keys a member access may read. */
  keysOf(member: AstNode, depth: number): string[];
}

/**
 * The strings an expression is known to produce.
 *
 * @param node The expression.
 * @param context Lookups into the resolver.
 * @param depth The current recursion depth.
 * @returns The candidates, or undefined when the value is not statically known.
 */
export function staticStrings(
  node: AstNode,
  context: StringContext,
  depth = 0,
): string[] | undefined {
  if (depth > MAX_DEPTH) throw new ScreenDepthError();
  const inner = unwrap(node);
  const next = depth + 1;
  switch (inner.type) {
    case "StringLiteral":
    case "NumericLiteral":
      return [String(inner.value)];
    case "TemplateLiteral":
      return template(inner, context, next);
    case "BinaryExpression":
      return inner.operator === "+" ? fields(inner, ["left", "right"], context, next) : undefined;
    case "Identifier":
      return context.constantStrings(String(inner.name));
    case "ConditionalExpression":
    case "LogicalExpression": {
      const keys = inner.type === "LogicalExpression"
        ? ["left", "right"]
        : ["consequent", "alternate"];
      const out: string[] = [];
      for (const key of keys) {
        const child = field(inner, key);
        const strings = child === undefined ? undefined : staticStrings(child, context, next);
        if (strings === undefined) return undefined;
        out.push(...strings);
      }
      const unique = [...new Set(out)];
      return unique.length > MAX_CANDIDATES ? undefined : unique;
    }
    case "SequenceExpression": {
      const last = list(inner, "expressions").at(-1);
      return last === undefined ? undefined : staticStrings(last, context, next);
    }
    case "CallExpression":
    case "OptionalCallExpression":
      return call(inner, context, next);
    default:
      return undefined;
  }
}

function template(node: AstNode, context: StringContext, depth: number): string[] | undefined {
  const expressions = list(node, "expressions");
  const parts: string[][] = [];
  for (const [index, quasi] of list(node, "quasis").entries()) {
    const cooked = (quasi.value as { cooked?: unknown } | undefined)?.cooked;
    if (typeof cooked !== "string") return undefined;
    parts.push([cooked]);
    const expression = expressions[index];
    if (expression === undefined) continue;
    const strings = staticStrings(expression, context, depth);
    if (strings === undefined) return undefined;
    parts.push(strings);
  }
  return combine(parts);
}

function fields(
  node: AstNode,
  keys: readonly string[],
  context: StringContext,
  depth: number,
): string[] | undefined {
  const parts: string[][] = [];
  for (const key of keys) {
    const child = field(node, key);
    const strings = child === undefined ? undefined : staticStrings(child, context, depth);
    if (strings === undefined) return undefined;
    parts.push(strings);
  }
  return combine(parts);
}

function all(
  nodes: readonly AstNode[],
  context: StringContext,
  depth: number,
): string[][] | undefined {
  const out: string[][] = [];
  for (const node of nodes) {
    const strings = staticStrings(node, context, depth);
    if (strings === undefined) return undefined;
    out.push(strings);
  }
  return out;
}

function call(node: AstNode, context: StringContext, depth: number): string[] | undefined {
  const callee = field(node, "callee");
  if (callee === undefined) return undefined;
  const args = list(node, "arguments");
  const inner = unwrap(callee);
  const object = isMember(inner) ? field(inner, "object") : undefined;
  if (object !== undefined) {
    const method = context.keysOf(inner, depth);
    const name = method.length === 1 ? method[0] : undefined;
    if (name === "concat") {
      const parts = all([object, ...args], context, depth);
      return parts === undefined ? undefined : combine(parts);
    }
    if (name === "join") return join(unwrap(object), args[0], context, depth);
    if (name === "toString" && args.length === 0) return staticStrings(object, context, depth);
  }
  const names = context.globalNamesOf(callee, depth);
  if (names.includes("String") && args.length === 1) return all(args, context, depth)?.[0];
  if (names.includes("atob") && args.length === 1) {
    try {
      return all(args, context, depth)?.[0]?.map((text) => atob(text));
    } catch {
      return undefined;
    }
  }
  if (names.includes("String.fromCharCode")) {
    const codes = args.map(unwrap).map((arg) =>
      arg.type === "NumericLiteral" ? Number(arg.value) : NaN
    );
    return codes.some(Number.isNaN) ? undefined : [String.fromCharCode(...codes)];
  }
  return undefined;
}

function join(
  array: AstNode,
  separator: AstNode | undefined,
  context: StringContext,
  depth: number,
): string[] | undefined {
  if (array.type !== "ArrayExpression") return undefined;
  const glue = separator === undefined ? [","] : staticStrings(separator, context, depth);
  if (glue === undefined) return undefined;
  const parts: string[][] = [];
  for (const [index, element] of (array.elements as unknown[]).entries()) {
    if (element === null || (element as AstNode).type === "SpreadElement") return undefined;
    const strings = staticStrings(element as AstNode, context, depth);
    if (strings === undefined) return undefined;
    if (index > 0) parts.push(glue);
    parts.push(strings);
  }
  return combine(parts);
}

/** Every combination of one candidate per part, concatenated; undefined when there would be too many. */
function combine(parts: readonly string[][]): string[] | undefined {
  let out = [""];
  for (const part of parts) {
    const next: string[] = [];
    for (const prefix of out) {
      for (const candidate of part) {
        const joined = prefix + candidate;
        if (joined.length > MAX_STRING) return undefined;
        next.push(joined);
      }
    }
    if (next.length > MAX_CANDIDATES) return undefined;
    out = [...new Set(next)];
  }
  return out;
}
