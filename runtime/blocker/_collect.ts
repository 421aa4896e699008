/**
 * The blocker's first pass: one walk over the AST that records what the checks need (declared names, bindings
 * for alias tracking, the outermost expression of every member chain, imports, assignment targets, calls) and
 * sorts identifiers into references and bindings. Type-only code is skipped: it is erased before the code runs.
 *
 * @module
 */

import {
  type AstNode,
  childrenOf,
  field,
  isCall,
  isMember,
  isTypeOnly,
  list,
  unwrap,
} from "./_ast.ts";

/** A value a binding gets without an expression to resolve: an import or a function declaration. */
export type Preset = "function" | "module";

/** A name or pattern that receives a value: a declaration, an assignment, a parameter default. */
export interface Binding {
  /** The Identifier or pattern that receives the value. */
  target: AstNode;
  /** The expression whose value it receives; undefined when the value is unknown (`+=`, `for...of`). */
  value: AstNode | undefined;
  /** A value known without an expression. */
  preset?: Preset;
}

/** An expression with where it sits. */
export interface Site {
  node: AstNode;
  parent: AstNode | undefined;
  key: string;
}

/** An import declaration, re-export or import() call. */
export interface ImportSite {
  /** The whole declaration or call, for the position. */
  node: AstNode;
  /** The specifier expression; undefined for `import()` with no argument. */
  source: AstNode | undefined;
  dynamic: boolean;
}

/** Everything the first pass records. */
export interface Facts {
  /** Every name some declaration binds, anywhere in the code. */
  declared: Set<string>;
  bindings: Binding[];
  /** The outermost node of every reference or member chain (not the object of another member access). */
  chainTops: Site[];
  imports: ImportSite[];
  /** Identifiers and member expressions written to by assignments, updates and for-in/of heads. */
  targets: AstNode[];
  /** Every call and `new`. */
  calls: AstNode[];
  /** Identifiers named after the hidden function constructors (`AsyncFunction`...), in any position. */
  constructorNames: AstNode[];
}

type Mode = "expr" | "binding" | "assign";

const ASSIGNING_OPERATORS: ReadonlySet<string> = new Set(["=", "||=", "&&=", "??="]);

interface Frame extends Site {
  mode: Mode;
}

const CONSTRUCTOR_NAMES: ReadonlySet<string> = new Set([
  "AsyncFunction",
  "GeneratorFunction",
  "AsyncGeneratorFunction",
]);

const FUNCTION_NODES: ReadonlySet<string> = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ObjectMethod",
  "ClassMethod",
  "ClassPrivateMethod",
]);

/**
 * Walks a program once and records the facts the checks need.
 *
 * @param program The Babel `Program` node.
 * @returns The facts.
 */
export function collectFacts(program: AstNode): Facts {
  const facts: Facts = {
    declared: new Set(),
    bindings: [],
    chainTops: [],
    imports: [],
    targets: [],
    calls: [],
    constructorNames: [],
  };
  const stack: Frame[] = [{ node: program, parent: undefined, key: "", mode: "expr" }];
  const push = (node: AstNode | undefined, parent: AstNode, key: string, mode: Mode): void => {
    if (node !== undefined) stack.push({ node, parent, key, mode });
  };
  let frame: Frame | undefined;
  while ((frame = stack.pop()) !== undefined) {
    if (!isTypeOnly(frame.node)) visit(frame, facts, push);
  }
  return facts;
}

type Push = (node: AstNode | undefined, parent: AstNode, key: string, mode: Mode) => void;

function visit(frame: Frame, facts: Facts, push: Push): void {
  const { node, mode } = frame;
  const pushAll = (key: string, childMode: Mode): void => {
    for (const child of list(node, key)) push(child, node, key, childMode);
  };
  const pushKey = (key: string, childMode: Mode): void =>
    push(field(node, key), node, key, childMode);
  if (FUNCTION_NODES.has(node.type)) {
    visitFunction(node, facts, push);
    return;
  }
  switch (node.type) {
    case "Identifier": {
      const name = String(node.name);
      if (CONSTRUCTOR_NAMES.has(name)) facts.constructorNames.push(node);
      if (mode === "binding") facts.declared.add(name);
      else if (isChainTop(frame)) facts.chainTops.push(frame);
      return;
    }
    case "MemberExpression":
    case "OptionalMemberExpression":
      if (isChainTop(frame)) facts.chainTops.push(frame);
      pushKey("object", "expr");
      if (node.computed === true) pushKey("property", "expr");
      return;
    case "CallExpression":
    case "OptionalCallExpression":
    case "NewExpression":
      if (field(node, "callee")?.type === "Import") {
        facts.imports.push({ node, source: list(node, "arguments")[0], dynamic: true });
      }
      facts.calls.push(node);
      if (isCall(node) && isChainTop(frame)) facts.chainTops.push(frame);
      pushKey("callee", "expr");
      pushAll("arguments", "expr");
      return;
    case "ImportExpression":
      facts.imports.push({ node, source: field(node, "source"), dynamic: true });
      pushKey("source", "expr");
      pushKey("options", "expr");
      return;
    case "ImportDeclaration":
      facts.imports.push({ node, source: field(node, "source"), dynamic: false });
      for (const specifier of list(node, "specifiers")) {
        const local = field(specifier, "local");
        if (local === undefined || specifier.importKind === "type") continue;
        facts.declared.add(String(local.name));
        const preset = specifier.type === "ImportNamespaceSpecifier" ? "module" : "function";
        facts.bindings.push({ target: local, value: undefined, preset });
      }
      return;
    case "ExportNamedDeclaration":
      if (field(node, "source") !== undefined) {
        facts.imports.push({ node, source: field(node, "source"), dynamic: false });
      }
      pushKey("declaration", "expr");
      return;
    case "ExportAllDeclaration":
      facts.imports.push({ node, source: field(node, "source"), dynamic: false });
      return;
    case "TSImportEqualsDeclaration": {
      const reference = field(node, "moduleReference");
      if (reference?.type === "TSExternalModuleReference") {
        facts.imports.push({ node, source: field(reference, "expression"), dynamic: false });
      }
      pushKey("id", "binding");
      return;
    }
    case "VariableDeclarator": {
      const target = field(node, "id");
      if (target !== undefined) facts.bindings.push({ target, value: field(node, "init") });
      pushKey("id", "binding");
      pushKey("init", "expr");
      return;
    }
    case "ClassDeclaration":
    case "ClassExpression": {
      const id = field(node, "id");
      if (id !== undefined) {
        facts.declared.add(String(id.name));
        if (node.type === "ClassDeclaration") {
          facts.bindings.push({ target: id, value: undefined, preset: "function" });
        }
      }
      pushAll("decorators", "expr");
      pushKey("superClass", "expr");
      pushKey("body", "expr");
      return;
    }
    case "ClassProperty":
    case "ClassPrivateProperty":
    case "ClassAccessorProperty":
    case "ObjectProperty":
      pushAll("decorators", "expr");
      if (node.computed === true) pushKey("key", "expr");
      // In a pattern the value is a binding or assignment target; in an object literal, an expression.
      pushKey("value", node.type === "ObjectProperty" ? mode : "expr");
      return;
    case "ObjectPattern":
      pushAll("properties", mode);
      return;
    case "ArrayPattern":
      pushAll("elements", mode);
      return;
    case "RestElement":
      pushKey("argument", mode);
      return;
    case "AssignmentPattern": {
      const left = field(node, "left");
      if (mode === "binding" && left !== undefined) {
        facts.bindings.push({ target: left, value: field(node, "right") });
      }
      pushKey("left", mode);
      pushKey("right", "expr");
      return;
    }
    case "AssignmentExpression": {
      const left = field(node, "left");
      if (left !== undefined) {
        // `a ||= b` may leave b in a, like `a = b`; `a += b` leaves something else.
        const value = ASSIGNING_OPERATORS.has(String(node.operator))
          ? field(node, "right")
          : undefined;
        facts.bindings.push({ target: left, value });
        facts.targets.push(...assignmentTargets(left));
      }
      pushKey("left", "assign");
      pushKey("right", "expr");
      return;
    }
    case "UpdateExpression": {
      const argument = field(node, "argument");
      if (argument !== undefined) {
        facts.bindings.push({ target: argument, value: undefined });
        facts.targets.push(...assignmentTargets(argument));
      }
      pushKey("argument", "expr");
      return;
    }
    case "ForInStatement":
    case "ForOfStatement": {
      const left = field(node, "left");
      if (left !== undefined && left.type !== "VariableDeclaration") {
        facts.bindings.push({ target: left, value: undefined });
        facts.targets.push(...assignmentTargets(left));
        pushKey("left", "assign");
      } else {
        pushKey("left", "expr");
      }
      pushKey("right", "expr");
      pushKey("body", "expr");
      return;
    }
    case "CatchClause":
      pushKey("param", "binding");
      pushKey("body", "expr");
      return;
    case "LabeledStatement":
      pushKey("body", "expr");
      return;
    case "BreakStatement":
    case "ContinueStatement":
    case "MetaProperty":
    case "PrivateName":
      return;
    case "TSEnumDeclaration":
    case "TSModuleDeclaration":
      pushKey("id", "binding");
      pushKey("body", "expr");
      return;
    case "TSEnumMember":
      pushKey("initializer", "expr");
      return;
    case "TSParameterProperty":
      pushKey("parameter", "binding");
      return;
    default:
      for (const [key, child] of childrenOf(node)) push(child, node, key, "expr");
  }
}

function visitFunction(node: AstNode, facts: Facts, push: Push): void {
  const id = field(node, "id");
  if (
    id !== undefined && (node.type === "FunctionDeclaration" || node.type === "FunctionExpression")
  ) {
    facts.declared.add(String(id.name));
    if (node.type === "FunctionDeclaration") {
      facts.bindings.push({ target: id, value: undefined, preset: "function" });
    }
  }
  for (const decorator of list(node, "decorators")) push(decorator, node, "decorators", "expr");
  if (node.computed === true) push(field(node, "key"), node, "key", "expr");
  for (const param of list(node, "params")) push(param, node, "params", "binding");
  push(field(node, "body"), node, "body", "expr");
}

/** Whether an expression is the outermost node of its member chain. */
function isChainTop(site: Site): boolean {
  return !(site.parent !== undefined && isMember(site.parent) && site.key === "object");
}

/** The identifiers and member expressions an assignment target (possibly a pattern) writes to. */
function assignmentTargets(target: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const pending: AstNode[] = [target];
  let node: AstNode | undefined;
  while ((node = pending.pop()) !== undefined) {
    const inner = unwrap(node);
    switch (inner.type) {
      case "Identifier":
      case "MemberExpression":
      case "OptionalMemberExpression":
        out.push(inner);
        break;
      case "ObjectPattern":
        for (const property of list(inner, "properties")) {
          const value = field(property, property.type === "RestElement" ? "argument" : "value");
          if (value !== undefined) pending.push(value);
        }
        break;
      case "ArrayPattern":
        pending.push(...list(inner, "elements"));
        break;
      case "AssignmentPattern":
      case "RestElement": {
        const next = field(inner, inner.type === "RestElement" ? "argument" : "left");
        if (next !== undefined) pending.push(next);
        break;
      }
    }
  }
  return out;
}
