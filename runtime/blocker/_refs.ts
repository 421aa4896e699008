/**
 * What an expression is statically known to be, and how member access changes that. A resolver maps an
 * expression to a list of refs: empty when nothing is known, several when aliases or branches disagree.
 *
 * @module
 */

/**
 * - `global`: a path from the global object; `[]` is the global object itself, `["Deno", "permissions"]` is
 *   `Deno.permissions`. Keys that cannot be evaluated are `"@@unknown"`; symbol keys start with `"@@symbol"`.
 * - `function`: some function value (a literal, a declaration, an import from a generated module).
 * - `function-proto`: `Function.prototype` or an async/generator sibling, e.g. `Object.getPrototypeOf(fn)`.
 * - `function-constructor`: the Function constructor or an async/generator sibling.
 * - `constructor`: some constructor, e.g. `x.constructor` for an unknown `x`.
 * - `prototype`: some prototype object, e.g. `x.constructor.prototype` or `Object.getPrototypeOf(x)`.
 * - `module`: the namespace of an imported module.
 * - `symbol`: a symbol; `key` is its `Symbol.for` key or description when known.
 */
export type Ref =
  | { kind: "global"; path: readonly string[] }
  | { kind: "function" }
  | { kind: "function-proto" }
  | { kind: "function-constructor" }
  | { kind: "constructor" }
  | { kind: "prototype" }
  | { kind: "module" }
  | { kind: "symbol"; key: string };

/** A key that could not be evaluated. */
export const UNKNOWN_KEY = "@@unknown";
/** The prefix of symbol keys: `"@@symbol:" + description`. */
export const SYMBOL_KEY_PREFIX = "@@symbol:";

/** Names that denote the global object itself. */
export const GLOBAL_SELF_NAMES: ReadonlySet<string> = new Set(["globalThis", "self", "window"]);

export const FUNCTION: Ref = Object.freeze({ kind: "function" });
export const FUNCTION_PROTO: Ref = Object.freeze({ kind: "function-proto" });
export const FUNCTION_CONSTRUCTOR: Ref = Object.freeze({ kind: "function-constructor" });
export const CONSTRUCTOR: Ref = Object.freeze({ kind: "constructor" });
export const PROTOTYPE: Ref = Object.freeze({ kind: "prototype" });
export const MODULE: Ref = Object.freeze({ kind: "module" });

/** The ref of a global name (`globalThis`, `self` and `window` are the global object). */
export function globalRef(name: string): Ref {
  return { kind: "global", path: GLOBAL_SELF_NAMES.has(name) ? [] : [name] };
}

/** A string that identifies a ref, for de-duplication. */
export function refKey(ref: Ref): string {
  switch (ref.kind) {
    case "global":
      return `global:${ref.path.join("\u0000")}`;
    case "symbol":
      return `symbol:${ref.key}`;
    default:
      return ref.kind;
  }
}

/** Refs without duplicates, in first-seen order. */
export function uniqueRefs(refs: Iterable<Ref>): Ref[] {
  const seen = new Map<string, Ref>();
  for (const ref of refs) {
    const key = refKey(ref);
    if (!seen.has(key)) seen.set(key, ref);
  }
  return [...seen.values()];
}

/**
 * What `value[key]` is, for each possible value and key.
 *
 * @param refs What the object is (empty: unknown).
 * @param keys The possible keys (a property name, `"@@unknown"` or a symbol key).
 * @returns What the member is (empty: unknown).
 */
export function memberRefs(refs: readonly Ref[], keys: readonly string[]): Ref[] {
  const out: Ref[] = [];
  for (const key of keys) {
    if (refs.length === 0) {
      if (key === "constructor") out.push(CONSTRUCTOR);
      if (key === "__proto__") out.push(PROTOTYPE);
      continue;
    }
    for (const ref of refs) {
      const member = memberRef(ref, key);
      if (member !== undefined) out.push(member);
    }
  }
  return uniqueRefs(out);
}

function memberRef(ref: Ref, key: string): Ref | undefined {
  switch (ref.kind) {
    case "global":
      return globalMember(ref.path, key);
    case "function":
      if (key === "constructor") return FUNCTION_CONSTRUCTOR;
      if (key === "__proto__") return FUNCTION_PROTO;
      return key === "call" || key === "apply" || key === "bind" ? FUNCTION : undefined;
    case "function-proto":
      return key === "constructor" ? FUNCTION_CONSTRUCTOR : undefined;
    case "function-constructor":
      return key === "prototype" ? FUNCTION_PROTO : FUNCTION_CONSTRUCTOR;
    case "constructor":
      if (key === "constructor") return FUNCTION_CONSTRUCTOR;
      return key === "prototype" ? PROTOTYPE : undefined;
    case "prototype":
      return key === "constructor" ? CONSTRUCTOR : undefined;
    case "module":
      return FUNCTION;
    case "symbol":
      return undefined;
  }
}

function globalMember(path: readonly string[], key: string): Ref | undefined {
  if (path.length === 0 && GLOBAL_SELF_NAMES.has(key)) return { kind: "global", path };
  if (key === "constructor") {
    // `X.prototype.constructor` is X; the constructor of the global object is some constructor; every other
    // global reached by a path is taken to be a function (builtins, tool functions), whose constructor is
    // Function. Over-approximating here costs nothing: no agent program needs `JSON.constructor`.
    if (path.at(-1) === "prototype") return { kind: "global", path: path.slice(0, -1) };
    return path.length === 0 ? CONSTRUCTOR : FUNCTION_CONSTRUCTOR;
  }
  // Paths deeper than this carry no more information for the rules; cap them so aliases cannot grow them.
  if (path.length >= 6) return { kind: "global", path };
  return { kind: "global", path: [...path, key] };
}
