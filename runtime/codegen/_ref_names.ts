/**
 * Names for the locations `$ref`s point at, and the reference checks the converter needs. Private to the codegen
 * folder.
 *
 * @module
 */

import {
  childPointer,
  isSchema,
  pointerSegments,
  resolvePointer,
  resolveRef,
} from "./_schema_refs.ts";
import { toTypeName } from "./identifiers.ts";

/** Assigns each referenced location of one root schema a unique type name and queues its declaration. */
export class RefNames {
  #root: unknown;
  #names = new Map<string, string>();
  #queue: string[] = [];
  #used: Set<string>;
  #rootName: string;
  #defsPrefix: string;

  /**
   * @param root The root schema.
   * @param options `name`: the root's type name; `defsPrefix`: what `$defs` names start with; `used`: names taken
   *   in the module, shared and updated.
   */
  constructor(root: unknown, options: { name: string; defsPrefix: string; used: Set<string> }) {
    this.#root = root;
    this.#rootName = options.name;
    this.#defsPrefix = options.defsPrefix;
    this.#used = options.used;
    this.#names.set("#", options.name);
    this.#used.add(options.name);
  }

  /**
   * The type name of a location, assigned on first use (`#/$defs/Node` -> `<defsPrefix>Node`,
   * `#/properties/foo/items` -> `<root name>FooItem`), with `2`, `3`... appended when taken.
   *
   * @param pointer A canonical pointer.
   * @returns The name.
   */
  nameFor(pointer: string): string {
    const existing = this.#names.get(pointer);
    if (existing !== undefined) return existing;
    const segments = pointerSegments(pointer);
    const isDef = (segments[0] === "$defs" || segments[0] === "definitions") &&
      segments.length >= 2;
    const base = isDef
      ? this.#defsPrefix + toTypeName(segments[1]!) + pointerSuffix(segments.slice(2))
      : this.#rootName + pointerSuffix(segments);
    let name = base;
    for (let n = 2; this.#used.has(name); n++) name = `${base}${n}`;
    this.#used.add(name);
    this.#names.set(pointer, name);
    this.#queue.push(pointer);
    return name;
  }

  /**
   * Takes the next named location whose declaration is still to be written.
   *
   * @returns Its pointer and name, or `undefined` when all are written.
   */
  nextQueued(): { pointer: string; name: string } | undefined {
    const pointer = this.#queue.shift();
    return pointer === undefined ? undefined : { pointer, name: this.#names.get(pointer)! };
  }

  /**
   * Follows a chain of locations that are only a `$ref` (`{ "$ref": "#/$defs/X" }`) to the first real schema.
   *
   * @param pointer Where to start.
   * @returns The final location, or `undefined` when the chain is broken or loops.
   */
  finalTarget(pointer: string): string | undefined {
    const seen = new Set<string>();
    let target = pointer;
    let schema = resolvePointer(this.#root, target);
    while (isSchema(schema) && typeof schema.$ref === "string") {
      const next = resolveRef(this.#root, schema.$ref);
      if (next === undefined || seen.has(next.pointer)) return undefined;
      seen.add(target);
      target = next.pointer;
      schema = next.schema;
    }
    return target;
  }

  /**
   * Whether the type at `from` reaches `to` through `$ref`s and union/intersection members only: naming `from`
   * inside an alias for `to` would make the alias refer to itself, which TypeScript rejects.
   *
   * @param from A canonical pointer.
   * @param to A canonical pointer.
   * @param seen Locations already visited.
   * @returns `true` when such a path exists.
   */
  reachesDirectly(from: string, to: string, seen: Set<string> = new Set()): boolean {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const schema = resolvePointer(this.#root, from);
    if (!isSchema(schema)) return false;
    if (typeof schema.$ref === "string") {
      const target = resolveRef(this.#root, schema.$ref);
      if (target !== undefined && this.reachesDirectly(target.pointer, to, seen)) return true;
    }
    for (const keyword of ["anyOf", "oneOf", "allOf"]) {
      const members = schema[keyword];
      if (!Array.isArray(members)) continue;
      if (members.some((_, i) => this.reachesDirectly(childPointer(from, keyword, i), to, seen))) {
        return true;
      }
    }
    return false;
  }
}

/** A readable name part for a pointer below a root or a `$defs` entry: `/properties/foo/items` -> `FooItem`. */
function pointerSuffix(segments: readonly string[]): string {
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const next = segments[i + 1];
    if (
      ["properties", "patternProperties", "$defs", "definitions"].includes(segment) &&
      next !== undefined
    ) {
      out += toTypeName(next);
      i++;
    } else if (["items", "prefixItems", "anyOf", "oneOf", "allOf"].includes(segment)) {
      const isIndex = next !== undefined && /^\d+$/.test(next);
      out += (segment.endsWith("Of") ? "Option" : "Item") +
        (isIndex ? String(Number(next) + 1) : "");
      if (isIndex) i++;
    } else if (segment === "additionalProperties") {
      out += "Value";
    } else {
      out += toTypeName(segment);
    }
  }
  return out;
}
