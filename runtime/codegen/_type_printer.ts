/**
 * A small tree of TypeScript type expressions and a printer that lays them out the way `deno fmt` does (line width
 * 100), so that generated files are already formatted. Private to the codegen folder.
 *
 * Layout rules, each checked against `deno fmt` by the codegen tests:
 * - object types are always multi-line;
 * - a union or intersection stays on one line when it fits, else breaks with a leading `|` or `&` per member
 *   (hanging after `name:` or `type X =`, or inside `(` `)` when nested);
 * - a union or intersection of two members, one of them multi-line, hugs it (`{ ... } | null`) when every line
 *   fits;
 * - a tuple stays on one line when it fits, else puts one member per line.
 *
 * @module
 */

import { renderJsDoc } from "./_jsdoc.ts";

/** The line width generated code is laid out for; the project's `deno fmt` uses the same. */
export const LINE_WIDTH = 100;

/** A type expression. */
export type TypeNode =
  | { kind: "atom"; text: string }
  | { kind: "object"; members: Member[] }
  | { kind: "union"; items: TypeNode[] }
  | { kind: "intersection"; items: TypeNode[] }
  | { kind: "array"; item: TypeNode }
  | { kind: "tuple"; items: TypeNode[]; rest?: TypeNode };

/** One line of an object type: a property or an index signature. */
export interface Member {
  /** Comment-safe JSDoc lines. */
  doc: string[];
  /** The key as written: an identifier, a quoted string, or `[key: string]`. */
  key: string;
  optional: boolean;
  type: TypeNode;
}

/** The atom for `unknown`, the type of everything the converter cannot describe. */
export const UNKNOWN: TypeNode = { kind: "atom", text: "unknown" };

/**
 * Marks a reference that would make a type alias refer to itself directly (`type A = A | string`). It prints as
 * `unknown`, and unions and intersections drop it: the least type a union cycle can mean is the rest of the union.
 */
export const CYCLE: TypeNode = { kind: "atom", text: "unknown" };

/**
 * Builds a union: flattens nested unions, drops duplicates, `never` and {@linkcode CYCLE}, and gives `unknown`
 * when any member is.
 *
 * @param items The members.
 * @returns The union, a single member, or `never` when there are none.
 */
export function union(items: readonly TypeNode[]): TypeNode {
  const flat = items.flatMap((item) => item.kind === "union" ? item.items : [item]).filter((item) =>
    item !== CYCLE
  );
  if (flat.length === 0 && items.length > 0) return UNKNOWN;
  if (flat.some(isUnknown)) return UNKNOWN;
  const seen = new Set<string>();
  const unique = flat.filter((item) => {
    const key = JSON.stringify(item);
    if (isAtom(item, "never") || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return { kind: "atom", text: "never" };
  return unique.length === 1 ? unique[0]! : { kind: "union", items: unique };
}

/**
 * Builds an intersection: flattens nested ones and drops `unknown` members (they add nothing).
 *
 * @param items The members.
 * @returns The intersection, a single member, or `unknown` when there are none.
 */
export function intersection(items: readonly TypeNode[]): TypeNode {
  const flat = items.flatMap((item) => item.kind === "intersection" ? item.items : [item]);
  const kept = flat.filter((item) => !isUnknown(item));
  if (kept.length === 0) return UNKNOWN;
  return kept.length === 1 ? kept[0]! : { kind: "intersection", items: kept };
}

/**
 * Reports whether a node is `unknown`.
 *
 * @param node The node.
 * @returns `true` for the `unknown` atom.
 */
export function isUnknown(node: TypeNode): boolean {
  return isAtom(node, "unknown");
}

function isAtom(node: TypeNode, text: string): boolean {
  return node.kind === "atom" && node.text === text;
}

const pad = (level: number): string => "  ".repeat(level);

/** The one-line form of a node, or `undefined` when it contains an object type (always multi-line). */
function flat(node: TypeNode): string | undefined {
  switch (node.kind) {
    case "atom":
      return node.text;
    case "object":
      return undefined;
    case "union":
    case "intersection": {
      const parts = node.items.map((item) => flatMember(node.kind, item));
      return parts.every((part) => part !== undefined)
        ? parts.join(node.kind === "union" ? " | " : " & ")
        : undefined;
    }
    case "array": {
      const item = flat(node.item);
      return item === undefined ? undefined : `${needsParens(node.item) ? `(${item})` : item}[]`;
    }
    case "tuple": {
      const parts = node.items.map(flat);
      const rest = node.rest === undefined ? "" : flat({ kind: "array", item: node.rest });
      if (rest === undefined || parts.some((part) => part === undefined)) return undefined;
      return `[${[...parts, ...(node.rest === undefined ? [] : [`...${rest}`])].join(", ")}]`;
    }
  }
}

function flatMember(parent: "union" | "intersection", item: TypeNode): string | undefined {
  const text = flat(item);
  return text !== undefined && parent === "intersection" && item.kind === "union"
    ? `(${text})`
    : text;
}

function needsParens(node: TypeNode): boolean {
  return node.kind === "union" || node.kind === "intersection";
}

function fits(column: number, text: string, tail: number): boolean {
  const lines = text.split("\n");
  if (lines.length === 1) return column + text.length + tail <= LINE_WIDTH;
  return column + lines[0]!.length <= LINE_WIDTH &&
    lines.slice(1, -1).every((line) => line.length <= LINE_WIDTH) &&
    lines.at(-1)!.length + tail <= LINE_WIDTH;
}

/**
 * Prints a type expression.
 *
 * @param node The type.
 * @param level The indentation level of the line the type starts on.
 * @param column The column the type starts at.
 * @param tail How many characters follow the type on its last line (`;`, `)[]`).
 * @param hang Whether the type may start on the next line with a leading `|` (after `name:` or `type X =`); the
 *   result then starts with `"\n"` and the caller must not put a space before it.
 * @returns The printed type.
 */
export function printType(
  node: TypeNode,
  level: number,
  column: number,
  tail: number,
  hang: boolean,
): string {
  const oneLine = flat(node);
  if (oneLine !== undefined && fits(column, oneLine, tail)) return oneLine;
  switch (node.kind) {
    case "atom":
      return node.text;
    case "object":
      return printObject(node.members, level);
    case "array": {
      if (!needsParens(node.item)) {
        return `${printType(node.item, level, column, tail + 2, false)}[]`;
      }
      const inner = printType(node.item, level, column + 1, tail + 3, false);
      // A member printed in parentheses already; do not wrap twice.
      return inner.startsWith("(\n") ? `${inner}[]` : `(${inner})[]`;
    }
    case "tuple": {
      const items = node.items.map((item) =>
        `${pad(level + 1)}${printType(item, level + 1, (level + 1) * 2, 1, false)},`
      );
      if (node.rest !== undefined) {
        const rest = printType(
          { kind: "array", item: node.rest },
          level + 1,
          (level + 1) * 2 + 3,
          1,
          false,
        );
        items.push(`${pad(level + 1)}...${rest},`);
      }
      return `[\n${items.join("\n")}\n${pad(level)}]`;
    }
    case "union":
    case "intersection":
      return printCombination(node.kind, node.items, level, column, tail, hang);
  }
}

function printCombination(
  kind: "union" | "intersection",
  items: readonly TypeNode[],
  level: number,
  column: number,
  tail: number,
  hang: boolean,
): string {
  const operator = kind === "union" ? "|" : "&";
  // deno fmt keeps a multi-line member hugged only in a union or intersection of two.
  if (items.length === 2) {
    const hugged = hug(kind, items, level, column);
    if (fits(column, hugged, tail)) return hugged;
  }
  const lines = items.map((item) => {
    const inner = printType(item, level + 1, (level + 1) * 2 + 2, 0, false);
    const wrapped = kind === "intersection" && item.kind === "union" && !inner.startsWith("(\n")
      ? `(${inner})`
      : inner;
    return `${pad(level + 1)}${operator} ${wrapped}`;
  });
  return hang ? `\n${lines.join("\n")}` : `(\n${lines.join("\n")}\n${pad(level)})`;
}

/** `{ ... } | null`: members joined on one line, multi-line members laid out at the current level. */
function hug(
  kind: "union" | "intersection",
  items: readonly TypeNode[],
  level: number,
  column: number,
): string {
  const separator = kind === "union" ? " | " : " & ";
  let text = "";
  items.forEach((item, i) => {
    if (i > 0) text += separator;
    const lastLine = text.slice(text.lastIndexOf("\n") + 1);
    const start = text.includes("\n") ? lastLine.length : column + text.length;
    const printed = flatMember(kind, item) ?? printType(item, level, start, 0, false);
    text += printed;
  });
  return text;
}

/**
 * Prints an object type's body, `{` to `}`, with each member on its own line.
 *
 * @param members The members; must not be empty (an empty object type is an atom such as `Record<string, never>`).
 * @param level The indentation level of the line the `{` is on.
 * @returns The printed object type.
 */
export function printObject(members: readonly Member[], level: number): string {
  const inner = level + 1;
  const lines = members.map((member) => {
    const head = `${member.key}${member.optional ? "?" : ""}:`;
    const type = printType(member.type, inner, inner * 2 + head.length + 1, 1, true);
    const doc = renderJsDoc(member.doc, pad(inner));
    return `${doc}${pad(inner)}${head}${type.startsWith("\n") ? "" : " "}${type};`;
  });
  return `{\n${lines.join("\n")}\n${pad(level)}}`;
}
