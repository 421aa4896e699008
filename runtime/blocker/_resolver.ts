/**
 * Static resolution: what an expression refers to (`globalThis["De" + "no"]` is `Deno`) and which names are
 * aliases (`const D = Deno`, `const { permissions } = Deno`). Aliases are tracked without regard to scope or
 * order: a name bound to `Deno` anywhere is taken to be `Deno` everywhere, and a name in `ALWAYS_GLOBAL` always
 * means the global too, even where a local declaration shadows it. Both err towards reporting too much.
 *
 * @module
 */

import { type AstNode, field, identifierName, isFunctionValue, list, unwrap } from "./_ast.ts";
import type { Binding, Facts } from "./_collect.ts";
import {
  FUNCTION,
  FUNCTION_PROTO,
  globalRef,
  memberRefs,
  MODULE,
  PROTOTYPE,
  type Ref,
  refKey,
  SYMBOL_KEY_PREFIX,
  uniqueRefs,
  UNKNOWN_KEY,
} from "./_refs.ts";
import { MAX_DEPTH, ScreenDepthError, staticStrings, type StringContext } from "./_strings.ts";

/** Names that resolve to the global whatever local declarations say, so shadowing cannot hide a use. */
const ALWAYS_GLOBAL: ReadonlySet<string> = new Set([
  "Deno",
  "globalThis",
  "self",
  "window",
  "eval",
  "Function",
  "Worker",
  "SharedWorker",
  "WebAssembly",
  "Atomics",
  "SharedArrayBuffer",
  "Reflect",
  "Object",
  "Symbol",
  "String",
  "atob",
  "postMessage",
  "onmessage",
  "onmessageerror",
  "addEventListener",
  "removeEventListener",
  "__bootstrap",
]);

/** Alias resolution rounds; each round follows at least one more level of `const b = a`. */
const MAX_ROUNDS = 8;

/** Resolves expressions of one program, after solving its aliases. */
export class Resolver {
  #declared: ReadonlySet<string>;
  #aliases = new Map<string, Map<string, Ref>>();
  #strings = new Map<string, string[]>();
  #context: StringContext = {
    constantStrings: (name) => ALWAYS_GLOBAL.has(name) ? undefined : this.#strings.get(name),
    globalNamesOf: (node, depth) => globalNames(this.resolve(node, depth)),
    keysOf: (member, depth) => this.keysOf(member, depth),
  };

  /** @param facts The first pass's facts about the program. */
  constructor(facts: Facts) {
    this.#declared = facts.declared;
    this.#solve(facts.bindings);
  }

  /** Whether a name is a local alias of something the resolver knows (and not an always-global name). */
  isAlias(name: string): boolean {
    return this.#aliases.has(name) && !ALWAYS_GLOBAL.has(name);
  }

  /** Whether some declaration in the program binds a name (anywhere, in any scope). */
  isDeclared(name: string): boolean {
    return this.#declared.has(name);
  }

  /** What an expression is known to refer to; empty when unknown. */
  resolve(node: AstNode, depth = 0): Ref[] {
    if (depth > MAX_DEPTH) throw new ScreenDepthError();
    const inner = unwrap(node);
    const next = depth + 1;
    switch (inner.type) {
      case "Identifier":
        return this.#resolveName(String(inner.name));
      case "MemberExpression":
      case "OptionalMemberExpression": {
        const object = field(inner, "object");
        if (object === undefined) return [];
        return memberRefs(this.resolve(object, next), this.keysOf(inner, next));
      }
      case "CallExpression":
      case "OptionalCallExpression":
        return this.#resolveCall(inner, next);
      case "SequenceExpression": {
        const last = list(inner, "expressions").at(-1);
        return last === undefined ? [] : this.resolve(last, next);
      }
      case "ConditionalExpression":
        return this.#union(inner, ["consequent", "alternate"], next);
      case "LogicalExpression":
        return this.#union(inner, ["left", "right"], next);
      case "AssignmentExpression":
        return inner.operator === "=" ? this.#union(inner, ["right"], next) : [];
      case "AwaitExpression":
        return this.#union(inner, ["argument"], next);
      default:
        return isFunctionValue(inner) ? [FUNCTION] : [];
    }
  }

  /** The strings an expression is known to produce, or undefined. See `_strings.ts`. */
  staticStrings(node: AstNode, depth = 0): string[] | undefined {
    return staticStrings(node, this.#context, depth);
  }

  /** The keys a member access may read: its name, its evaluated computed key, or `"@@unknown"`. */
  keysOf(member: AstNode, depth = 0): string[] {
    const property = field(member, "property");
    if (property === undefined) return [UNKNOWN_KEY];
    if (member.computed === true) return this.keysOfExpression(property, depth);
    if (property.type === "PrivateName") return [`#${String(field(property, "id")?.name)}`];
    return [String(property.name)];
  }

  /** The keys of an object literal or pattern property. */
  propertyKeys(property: AstNode, depth = 0): string[] {
    const key = field(property, "key");
    if (key === undefined) return [UNKNOWN_KEY];
    if (property.computed === true) return this.keysOfExpression(key, depth);
    if (key.type === "Identifier") return [String(key.name)];
    if (key.type === "StringLiteral" || key.type === "NumericLiteral") return [String(key.value)];
    return [UNKNOWN_KEY];
  }

  /** The keys a computed key expression may evaluate to: strings, symbols, or `"@@unknown"`. */
  keysOfExpression(node: AstNode, depth = 0): string[] {
    const strings = this.staticStrings(node, depth);
    if (strings !== undefined) return strings;
    const keys: string[] = [];
    for (const ref of this.resolve(node, depth)) {
      if (ref.kind === "symbol") keys.push(SYMBOL_KEY_PREFIX + ref.key);
      // Deno.internal and the Symbol.* constants are symbols.
      if (ref.kind === "global" && (ref.path[0] === "Symbol" || ref.path[0] === "Deno")) {
        keys.push(SYMBOL_KEY_PREFIX + ref.path.join("."));
      }
    }
    return keys.length > 0 ? keys : [UNKNOWN_KEY];
  }

  #resolveName(name: string): Ref[] {
    const refs: Ref[] = [];
    if (ALWAYS_GLOBAL.has(name) || !this.#declared.has(name)) refs.push(globalRef(name));
    const aliases = this.#aliases.get(name);
    if (aliases !== undefined) refs.push(...aliases.values());
    return refs;
  }

  #union(node: AstNode, keys: readonly string[], depth: number): Ref[] {
    const out: Ref[] = [];
    for (const key of keys) {
      const child = field(node, key);
      if (child !== undefined) out.push(...this.resolve(child, depth));
    }
    return uniqueRefs(out);
  }

  /** Calls whose result the rules care about: reflection that reads a member, prototypes, symbols. */
  #resolveCall(call: AstNode, depth: number): Ref[] {
    const callee = field(call, "callee");
    if (callee === undefined) return [];
    const [first, second] = list(call, "arguments");
    const out: Ref[] = [];
    for (const name of globalNames(this.resolve(callee, depth))) {
      switch (name) {
        case "Reflect.get":
        case "Object.getOwnPropertyDescriptor":
        case "Reflect.getOwnPropertyDescriptor":
          if (first !== undefined && second !== undefined) {
            out.push(
              ...memberRefs(this.resolve(first, depth), this.keysOfExpression(second, depth)),
            );
          }
          break;
        case "Object.getPrototypeOf":
        case "Reflect.getPrototypeOf": {
          const refs = first === undefined ? [] : this.resolve(first, depth);
          out.push(...(refs.length === 0 ? [PROTOTYPE] : refs.map(prototypeOf)));
          break;
        }
        case "Symbol.for":
        case "Symbol": {
          const strings = first === undefined ? [""] : this.staticStrings(first, depth);
          for (const key of strings ?? ["?"]) {
            out.push({ kind: "symbol", key: `${name}(${JSON.stringify(key)})` });
          }
          break;
        }
      }
    }
    return uniqueRefs(out);
  }

  /** Solves aliases and string constants by rounds until nothing changes. */
  #solve(bindings: readonly Binding[]): void {
    let signature = "";
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const strings = new Map<string, string[]>();
      const notStatic = new Set<string>();
      for (const binding of bindings) {
        this.#bindPattern(binding.target, this.#bindingRefs(binding), 0);
        const name = identifierName(unwrap(binding.target));
        if (name === undefined) {
          for (const bound of boundNames(binding.target)) notStatic.add(bound);
          continue;
        }
        const value = binding.value === undefined ? undefined : this.staticStrings(binding.value);
        if (value === undefined) notStatic.add(name);
        else strings.set(name, [...new Set([...(strings.get(name) ?? []), ...value])]);
      }
      for (const name of strings.keys()) {
        if (notStatic.has(name) || !this.#declared.has(name)) strings.delete(name);
      }
      this.#strings = strings;
      const next = this.#signature();
      if (next === signature) return;
      signature = next;
    }
  }

  #bindingRefs(binding: Binding): Ref[] {
    if (binding.preset === "module") return [MODULE];
    if (binding.preset === "function") return [FUNCTION];
    return binding.value === undefined ? [] : this.resolve(binding.value);
  }

  #bindPattern(target: AstNode, refs: readonly Ref[], depth: number): void {
    if (depth > MAX_DEPTH) throw new ScreenDepthError();
    const inner = unwrap(target);
    switch (inner.type) {
      case "Identifier": {
        if (refs.length === 0) return;
        const name = String(inner.name);
        const known = this.#aliases.get(name) ?? new Map<string, Ref>();
        for (const ref of refs) known.set(refKey(ref), ref);
        this.#aliases.set(name, known);
        return;
      }
      case "ObjectPattern":
        for (const property of list(inner, "properties")) {
          if (property.type === "RestElement") {
            const argument = field(property, "argument");
            if (argument !== undefined) this.#bindPattern(argument, refs, depth + 1);
            continue;
          }
          const value = field(property, "value");
          const keys = this.propertyKeys(property, depth + 1);
          if (value !== undefined) this.#bindPattern(value, memberRefs(refs, keys), depth + 1);
        }
        return;
      case "AssignmentPattern": {
        const left = field(inner, "left");
        const right = field(inner, "right");
        const fallback = right === undefined ? [] : this.resolve(right, depth + 1);
        if (left !== undefined) {
          this.#bindPattern(left, uniqueRefs([...refs, ...fallback]), depth + 1);
        }
        return;
      }
    }
  }

  #signature(): string {
    const parts: string[] = [];
    for (const [name, refs] of this.#aliases) parts.push(`${name}=${[...refs.keys()].join(",")}`);
    for (const [name, strings] of this.#strings) parts.push(`${name}:${strings.join("\u0000")}`);
    return parts.join("\u0001");
  }
}

/** The dotted names of the global paths among refs: `["Object", "keys"]` is `"Object.keys"`. */
export function globalNames(refs: readonly Ref[]): string[] {
  return refs.flatMap((ref) => ref.kind === "global" ? [ref.path.join(".")] : []);
}

/** What `Object.getPrototypeOf` of a value is: functions and builtins have Function.prototype. */
function prototypeOf(ref: Ref): Ref {
  if (
    ref.kind === "function" || ref.kind === "function-constructor" || ref.kind === "constructor"
  ) {
    return FUNCTION_PROTO;
  }
  return ref.kind === "global" && ref.path.length > 0 ? FUNCTION_PROTO : PROTOTYPE;
}

/** The identifier names a pattern binds. */
function boundNames(target: AstNode): string[] {
  const names: string[] = [];
  const pending = [target];
  let node: AstNode | undefined;
  while ((node = pending.pop()) !== undefined) {
    const inner = unwrap(node);
    const name = identifierName(inner);
    if (name !== undefined) {
      names.push(name);
      continue;
    }
    const children = inner.type === "ObjectPattern"
      ? list(inner, "properties").map((p) =>
        field(p, p.type === "RestElement" ? "argument" : "value")
      )
      : inner.type === "ArrayPattern"
      ? list(inner, "elements")
      : [field(inner, inner.type === "RestElement" ? "argument" : "left")];
    for (const child of children) if (child !== undefined) pending.push(child);
  }
  return names;
}
