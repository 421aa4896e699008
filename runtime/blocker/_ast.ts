/**
 * The small slice of Babel's AST the blocker reads, and helpers over it. Babel's own node types come from
 * `@babel/types`, which is not in the imports map; the blocker only needs `type`, positions and a handful of
 * fields, so it reads nodes through this loose shape instead.
 *
 * @module
 */

/** A position in the source: 1-based line, 0-based column (Babel's convention). */
export interface AstPosition {
  line: number;
  column: number;
}

/** Any Babel AST node. Fields beyond `type` and the positions are read by name where needed. */
export interface AstNode {
  type: string;
  start?: number | null;
  end?: number | null;
  loc?: { start: AstPosition; end: AstPosition } | null;
  [key: string]: unknown;
}

/** Keys that never hold runtime code: positions, comments and TypeScript type positions. */
const SKIPPED_KEYS: ReadonlySet<string> = new Set([
  "type",
  "start",
  "end",
  "loc",
  "range",
  "extra",
  "leadingComments",
  "trailingComments",
  "innerComments",
  "typeAnnotation",
  "returnType",
  "typeParameters",
  "typeArguments",
  "superTypeParameters",
  "superTypeArguments",
  "implements",
  "predicate",
  "directives",
]);

/** TypeScript nodes that carry runtime code; every other `TS*` node is a type and is erased. */
const RUNTIME_TS_NODES: ReadonlySet<string> = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "TSEnumDeclaration",
  "TSEnumBody",
  "TSEnumMember",
  "TSModuleDeclaration",
  "TSModuleBlock",
  "TSExportAssignment",
  "TSImportEqualsDeclaration",
  "TSExternalModuleReference",
  "TSParameterProperty",
]);

/** TypeScript wrappers around an expression that do not change its value. */
const TRANSPARENT_WRAPPERS: ReadonlySet<string> = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "ParenthesizedExpression",
]);

/** Whether a value is an AST node. */
export function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

/** Whether a node only exists in the type system (erased before the code runs). */
export function isTypeOnly(node: AstNode): boolean {
  if (node.declare === true) return true;
  if (node.importKind === "type" || node.exportKind === "type") return true;
  return node.type.startsWith("TS") && !RUNTIME_TS_NODES.has(node.type);
}

/** The children of a node that can hold runtime code, with the key each sits under. */
export function childrenOf(node: AstNode): Array<[key: string, child: AstNode]> {
  const out: Array<[string, AstNode]> = [];
  for (const key of Object.keys(node)) {
    if (SKIPPED_KEYS.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push([key, item]);
    } else if (isNode(value)) {
      out.push([key, value]);
    }
  }
  return out;
}

/** The expression under TypeScript wrappers and parentheses. */
export function unwrap(node: AstNode): AstNode {
  let current = node;
  while (TRANSPARENT_WRAPPERS.has(current.type) && isNode(current.expression)) {
    current = current.expression;
  }
  return current;
}

/** A node-valued field, or undefined. */
export function field(node: AstNode, key: string): AstNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

/** The node-valued items of an array field (holes and non-nodes dropped). */
export function list(node: AstNode, key: string): AstNode[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

/** Whether a node is a (possibly optional) member access. */
export function isMember(node: AstNode): boolean {
  return node.type === "MemberExpression" || node.type === "OptionalMemberExpression";
}

/** Whether a node is a (possibly optional) call. */
export function isCall(node: AstNode): boolean {
  return node.type === "CallExpression" || node.type === "OptionalCallExpression";
}

/** Whether a node creates a function value. */
export function isFunctionValue(node: AstNode): boolean {
  return node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression" ||
    node.type === "ClassExpression";
}

/** The identifier name of a node, or undefined when it is not an Identifier. */
export function identifierName(node: AstNode | undefined): string | undefined {
  return node?.type === "Identifier" && typeof node.name === "string" ? node.name : undefined;
}
