/**
 * The blocker's second pass: runs every rule over the facts the first pass recorded, with the resolver's
 * answers, and returns raw hits tied to the node they were found at.
 *
 * @module
 */

import { type AstNode, field, identifierName, isMember, list, unwrap } from "./_ast.ts";
import type { Facts, ImportSite, Site } from "./_collect.ts";
import {
  BRIDGE_KEY,
  CHANNEL_GLOBALS,
  displayPath,
  type Hit,
  matchRefs,
  sure,
  unsure,
} from "./_matchers.ts";
import { memberRefs, type Ref, UNKNOWN_KEY } from "./_refs.ts";
import { globalNames, type Resolver } from "./_resolver.ts";
import { ALLOWED_PREFIX_TEXT, classifySpecifier } from "./_specifier.ts";

/** A hit at a node. */
export interface NodeHit extends Hit {
  node: AstNode;
}

/**
 * Runs every rule.
 *
 * @param facts What the first pass recorded.
 * @param resolver The program's resolver.
 * @returns Every hit, unordered and possibly overlapping.
 */
export function runChecks(facts: Facts, resolver: Resolver): NodeHit[] {
  const out: NodeHit[] = [];
  const emit = (node: AstNode, hits: readonly Hit[]): void => {
    for (const hit of hits) out.push({ ...hit, node });
  };
  for (const site of facts.chainTops) emit(site.node, checkChainTop(site, resolver));
  for (const binding of facts.bindings) {
    const pattern = unwrap(binding.target);
    if (pattern.type === "ObjectPattern" && binding.value !== undefined) {
      checkPattern(pattern, resolver.resolve(binding.value), resolver, emit);
    }
  }
  for (const target of facts.targets) emit(target, checkTarget(target, resolver));
  for (const call of facts.calls) emit(call, checkCall(call, resolver));
  for (const site of facts.imports) emit(site.node, checkImport(site, resolver));
  for (const node of facts.constructorNames) {
    emit(node, [sure("function-constructor", `the ${String(node.name)} constructor`)]);
  }
  return out;
}

/** A reference or member chain: what it resolves to, minus what its alias root was already reported for. */
function checkChainTop(site: Site, resolver: Resolver): Hit[] {
  const refs = resolver.resolve(site.node);
  let hits = matchRefs(refs);
  if (hits.length === 0 && !refs.some(isTrackedObject)) return hits;
  const { parent, key } = site;
  if (parent?.type === "BinaryExpression" && parent.operator === "instanceof" && key === "right") {
    hits = hits.filter((hit) => hit.rule !== "function-constructor");
  }
  const root = chainRoot(site.node);
  hits.push(...escapes(site, refs, resolver));
  const name = identifierName(root);
  if (name !== undefined && resolver.isAlias(name)) {
    // The alias's own declaration was reported where the value came from; do not report every use again.
    const known = new Set(matchRefs(resolver.resolve(root)).map((hit) => hit.rule));
    hits = hits.filter((hit) => !known.has(hit.rule));
  }
  return hits;
}

/** The global object and Deno, whose members the rules watch. */
function isTrackedObject(ref: Ref): boolean {
  return ref.kind === "global" &&
    (ref.path.length === 0 || (ref.path.length === 1 && ref.path[0] === "Deno"));
}

/** Where a value leaves what the resolver follows: into a container, a return, an unknown function's argument. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["ObjectProperty", "value"],
  ["ArrayExpression", "elements"],
  ["SpreadElement", "argument"],
  ["ReturnStatement", "argument"],
  ["ArrowFunctionExpression", "body"],
  ["YieldExpression", "argument"],
  ["ClassProperty", "value"],
  ["CallExpression", "arguments"],
  ["OptionalCallExpression", "arguments"],
  ["NewExpression", "arguments"],
  ["AssignmentExpression", "right"],
]);

/** The global object or Deno handed somewhere the screen cannot follow it (`[globalThis][0].eval`). */
function escapes(site: Site, refs: readonly Ref[], resolver: Resolver): Hit[] {
  const { parent, key } = site;
  if (parent === undefined || ESCAPES.get(parent.type) !== key) return [];
  // A local `self` or `window` (`const self = this`) handed around is not the global object.
  const name = identifierName(site.node);
  if (name !== undefined && resolver.isDeclared(name)) return [];
  if (parent.type === "AssignmentExpression") {
    // `x = Deno` is an alias the resolver follows; `obj.x = Deno` stores it out of sight.
    if (!isMember(unwrap(field(parent, "left") ?? parent))) return [];
  }
  if (parent.type.endsWith("CallExpression") || parent.type === "NewExpression") {
    // Reflection the checks understand (Reflect.get, Object.keys...) is judged by checkCall.
    const callee = field(parent, "callee");
    const names = callee === undefined ? [] : globalNames(resolver.resolve(callee));
    if (names.some((name) => UNDERSTOOD_CALLS.has(name))) return [];
  }
  const hits: Hit[] = [];
  if (refs.some((ref) => ref.kind === "global" && ref.path.length === 0)) {
    hits.push(unsure("dynamic-global", "globalThis passed where the screen cannot follow it"));
  }
  if (refs.some((ref) => ref.kind === "global" && ref.path.join(".") === "Deno")) {
    hits.push(unsure("deno-internals", "Deno passed where the screen cannot follow it"));
  }
  return hits;
}

function chainRoot(node: AstNode): AstNode {
  let current = unwrap(node);
  let object: AstNode | undefined;
  while (isMember(current) && (object = field(current, "object")) !== undefined) {
    current = unwrap(object);
  }
  return current;
}

/** Destructuring (`const { permissions } = Deno`): each property is a member access. */
function checkPattern(
  pattern: AstNode,
  refs: readonly Ref[],
  resolver: Resolver,
  emit: (node: AstNode, hits: readonly Hit[]) => void,
): void {
  const known = new Set(matchRefs(refs).map((hit) => hit.rule));
  for (const property of list(pattern, "properties")) {
    if (property.type === "RestElement") continue;
    const member = memberRefs(refs, resolver.propertyKeys(property));
    emit(property, matchRefs(member).filter((hit) => !known.has(hit.rule)));
    const value = field(property, "value");
    const inner = value === undefined ? undefined : unwrap(value);
    const nested = inner?.type === "AssignmentPattern" ? field(inner, "left") : inner;
    if (nested?.type === "ObjectPattern") checkPattern(nested, member, resolver, emit);
  }
}

/** Assignments: the channel globals, the bridge, built-in prototypes and `__proto__`. */
function checkTarget(target: AstNode, resolver: Resolver): Hit[] {
  const hits: Hit[] = [];
  for (const ref of resolver.resolve(target)) {
    if (ref.kind !== "global") continue;
    const [first, second] = ref.path;
    if (ref.path.length === 1 && first !== undefined) {
      if (CHANNEL_GLOBALS.has(first)) {
        hits.push(
          sure("global-override", `assignment to ${first} (the sandbox's message channel)`),
        );
      } else if (first === BRIDGE_KEY) {
        hits.push(
          sure("global-override", `assignment to the sandbox bridge ${displayPath(ref.path)}`),
        );
      } else if (first === UNKNOWN_KEY) {
        hits.push(unsure("global-override", "assignment to a computed property of globalThis"));
      }
    }
    if (second === "prototype") {
      hits.push(sure("prototype-pollution", `assignment to ${displayPath(ref.path)}`));
    }
  }
  if (isMember(target)) {
    if (resolver.keysOf(target).includes("__proto__")) {
      hits.push(sure("prototype-pollution", "assignment to __proto__"));
    }
    const object = field(target, "object");
    const refs = object === undefined ? [] : resolver.resolve(object);
    if (refs.some(isPrototype)) {
      hits.push(sure("prototype-pollution", "assignment to a property of a built-in prototype"));
    }
  }
  return hits;
}

const DEFINERS: ReadonlySet<string> = new Set([
  "Object.defineProperty",
  "Object.defineProperties",
  "Object.assign",
  "Object.setPrototypeOf",
  "Reflect.defineProperty",
  "Reflect.set",
  "Reflect.setPrototypeOf",
]);

const REFLECTION: ReadonlySet<string> = new Set([
  "Object.keys",
  "Object.values",
  "Object.entries",
  "Object.getOwnPropertyNames",
  "Object.getOwnPropertySymbols",
  "Object.getOwnPropertyDescriptors",
  "Reflect.ownKeys",
]);

/** Calls whose arguments the resolver or the checks follow. */
const UNDERSTOOD_CALLS: ReadonlySet<string> = new Set([
  ...DEFINERS,
  ...REFLECTION,
  "Reflect.get",
  "Object.getOwnPropertyDescriptor",
  "Reflect.getOwnPropertyDescriptor",
  "Object.getPrototypeOf",
  "Reflect.getPrototypeOf",
]);

/** Calls that define properties on the global object or a prototype, or enumerate Deno or globalThis. */
function checkCall(call: AstNode, resolver: Resolver): Hit[] {
  const callee = field(call, "callee");
  if (callee === undefined) return [];
  const args = list(call, "arguments");
  const hits: Hit[] = [];
  const calleeRefs = resolver.resolve(callee);
  if (calleeRefs.some((ref) => ref.kind === "constructor")) {
    // `[].map.constructor("code")` is Function, `new this.constructor(data)` is not; the screen cannot tell.
    hits.push(unsure("function-constructor", "a call to a constructor the screen cannot identify"));
  }
  for (const name of globalNames(calleeRefs)) {
    if (!DEFINERS.has(name) && !REFLECTION.has(name)) continue;
    const target = args[0] === undefined ? [] : resolver.resolve(args[0]);
    const isGlobal = target.some((ref) => ref.kind === "global" && ref.path.length === 0);
    const isDeno = target.some((ref) => ref.kind === "global" && ref.path.join(".") === "Deno");
    if (REFLECTION.has(name)) {
      const symbols = name === "Object.getOwnPropertySymbols" || name === "Reflect.ownKeys" ||
        name === "Object.getOwnPropertyDescriptors";
      if (isDeno) {
        hits.push(
          symbols
            ? sure("deno-internals", `${name}(Deno)`)
            : unsure("deno-internals", `${name}(Deno)`),
        );
      }
      if (isGlobal) hits.push(unsure("dynamic-global", `${name}(globalThis)`));
      continue;
    }
    if (target.some(isPrototype)) {
      hits.push(sure("prototype-pollution", `${name}() on a built-in prototype`));
    }
    if (isGlobal) hits.push(...globalDefinition(name, args, resolver));
  }
  return hits;
}

function globalDefinition(name: string, args: readonly AstNode[], resolver: Resolver): Hit[] {
  if (name.endsWith("setPrototypeOf")) {
    return [sure("global-override", `${name}() on the global object`)];
  }
  let keys: string[] = [];
  if (name === "Object.assign" || name === "Object.defineProperties") {
    for (const source of name === "Object.assign" ? args.slice(1) : args.slice(1, 2)) {
      const object = unwrap(source);
      if (object.type !== "ObjectExpression") {
        keys.push(UNKNOWN_KEY);
        continue;
      }
      for (const property of list(object, "properties")) {
        keys.push(
          ...(property.type === "SpreadElement" ? [UNKNOWN_KEY] : resolver.propertyKeys(property)),
        );
      }
    }
  } else {
    keys = args[1] === undefined ? [UNKNOWN_KEY] : resolver.keysOfExpression(args[1]);
  }
  const protectedKey = keys.find((key) => CHANNEL_GLOBALS.has(key) || key === BRIDGE_KEY);
  if (protectedKey !== undefined) {
    const shown = protectedKey === BRIDGE_KEY ? "the sandbox bridge" : protectedKey;
    return [sure("global-override", `${name}() replacing ${shown} on the global object`)];
  }
  if (keys.includes(UNKNOWN_KEY)) {
    return [unsure("global-override", `${name}() on the global object with a computed key`)];
  }
  return [];
}

/** Whether a ref is a prototype object: `X.prototype` of a global, or a prototype found by reflection. */
function isPrototype(ref: Ref): boolean {
  if (ref.kind === "prototype" || ref.kind === "function-proto") return true;
  return ref.kind === "global" && ref.path.length >= 2 &&
    (ref.path.at(-1) === "prototype" || ref.path.at(-1) === "__proto__");
}

/** Static imports, re-exports and import() calls. */
function checkImport(site: ImportSite, resolver: Resolver): Hit[] {
  const strings = site.source === undefined ? undefined : resolver.staticStrings(site.source);
  const verb = site.dynamic ? "import()" : "import";
  if (strings === undefined) {
    return [
      sure(
        "dynamic-import",
        `${verb} of a computed specifier (only ${ALLOWED_PREFIX_TEXT} can be imported)`,
      ),
    ];
  }
  const hits: Hit[] = [];
  for (const specifier of strings) {
    const quoted = JSON.stringify(specifier.length > 60 ? `${specifier.slice(0, 60)}…` : specifier);
    switch (classifySpecifier(specifier)) {
      case "node":
        hits.push(sure("node-builtin", `${verb} of Node built-in ${quoted}`));
        break;
      case "remote":
        hits.push(sure("remote-import", `${verb} of remote module ${quoted}`));
        break;
      case "other":
        hits.push(
          sure(
            site.dynamic ? "dynamic-import" : "import-specifier",
            `${verb} of ${quoted} (only ${ALLOWED_PREFIX_TEXT} can be imported)`,
          ),
        );
        break;
    }
  }
  return hits;
}
