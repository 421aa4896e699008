/**
 * The schema walker behind {@linkcode jsonSchemaToType} and {@linkcode jsonSchemaToDeclarations}. Private to the
 * codegen folder.
 *
 * @module
 */

import { renderJsDoc } from "./_jsdoc.ts";
import { RefNames } from "./_ref_names.ts";
import { schemaDocLines } from "./_schema_docs.ts";
import {
  childPointer,
  collectRefTargets,
  isSchema,
  resolvePointer,
  resolveRef,
  type Schema,
} from "./_schema_refs.ts";
import {
  CYCLE,
  intersection,
  isUnknown,
  type Member,
  printObject,
  printType,
  type TypeNode,
  union,
  UNKNOWN,
} from "./_type_printer.ts";
import { isIdentifier } from "./identifiers.ts";

const JSON_SAFE_MAX = Number.MAX_SAFE_INTEGER;
const atom = (text: string): TypeNode => ({ kind: "atom", text });
const ANY_OBJECT = atom("Record<string, unknown>");
const EMPTY_OBJECT = atom("Record<string, never>");

/**
 * Walks one root schema and builds type nodes. In named mode every `$ref` target becomes a named type whose
 * declaration is queued; in type mode references are inlined.
 */
export class SchemaConverter {
  #root: unknown;
  #named: boolean;
  #targets: Set<string>;
  #names: RefNames;
  #inlining = new Set<string>();
  #declaring: string | undefined;

  constructor(
    root: unknown,
    options: { named: boolean; name: string; defsPrefix: string; used: Set<string> },
  ) {
    this.#root = root;
    this.#named = options.named;
    this.#targets = new Set(options.named ? ["#", ...collectRefTargets(root)] : []);
    this.#names = new RefNames(root, options);
  }

  /**
   * Converts the root schema into a type node, inlining everything (type mode).
   *
   * @returns The root type.
   */
  rootType(): TypeNode {
    return this.#convert(this.#root, "#", true);
  }

  /**
   * Declares the root and every type it references, root first (named mode).
   *
   * @param rootDoc The root declaration's doc lines; default: from the root schema.
   * @param exported Whether to write `export`.
   * @returns One declaration per type.
   */
  declarations(rootDoc: string[] | undefined, exported: boolean): string[] {
    const out = [
      this.#declare("#", this.#names.nameFor("#"), rootDoc ?? schemaDocLines(this.#root), exported),
    ];
    for (let next = this.#names.nextQueued(); next !== undefined; next = this.#names.nextQueued()) {
      const schema = resolvePointer(this.#root, next.pointer);
      out.push(this.#declare(next.pointer, next.name, schemaDocLines(schema), exported));
    }
    return out;
  }

  #declare(pointer: string, name: string, doc: string[], exported: boolean): string {
    this.#declaring = pointer;
    const schema = resolvePointer(this.#root, pointer);
    const node = this.#convertHere(schema, pointer, true);
    this.#declaring = undefined;
    const prefix = `${renderJsDoc(doc, "")}${exported ? "export " : ""}`;
    if (node.kind === "object") return `${prefix}interface ${name} ${printObject(node.members, 0)}`;
    const head = `type ${name} =`;
    const body = printType(
      node,
      0,
      prefix.length - prefix.lastIndexOf("\n") + head.length,
      1,
      true,
    );
    return `${prefix}${head}${body.startsWith("\n") ? "" : " "}${body};`;
  }

  #convert(schema: unknown, pointer: string, direct: boolean): TypeNode {
    if (this.#targets.has(pointer) && pointer !== this.#declaring) {
      return this.#reference(pointer, direct);
    }
    return this.#convertHere(schema, pointer, direct);
  }

  #reference(pointer: string, direct: boolean): TypeNode {
    if (!this.#named) {
      // Type mode: inline the target, and stop at recursion (dropped from a union, `unknown` elsewhere).
      if (this.#inlining.has(pointer)) return direct ? CYCLE : UNKNOWN;
      this.#inlining.add(pointer);
      const node = this.#convertHere(resolvePointer(this.#root, pointer), pointer, direct);
      this.#inlining.delete(pointer);
      return node;
    }
    // `type A = A | string` and `type A = B | string; type B = A | number` do not compile: break such cycles.
    const declaring = this.#declaring;
    if (direct && declaring !== undefined && this.#names.reachesDirectly(pointer, declaring)) {
      // Back at the alias being declared: in a union the cycle adds nothing (`A = A | string` is `string`).
      if (pointer === declaring || this.#inlining.has(pointer)) return CYCLE;
      // Another alias on the cycle: inline it here, so that only the cycle itself is dropped.
      this.#inlining.add(pointer);
      const node = this.#convertHere(resolvePointer(this.#root, pointer), pointer, true);
      this.#inlining.delete(pointer);
      return node;
    }
    // A location that is only a `$ref` itself gets no name of its own: use the final target's.
    const target = this.#names.finalTarget(pointer);
    return target === undefined ? UNKNOWN : atom(this.#names.nameFor(target));
  }

  /** Converts the schema found at `pointer` itself, even when that location has a name. */
  #convertHere(schema: unknown, pointer: string, direct: boolean): TypeNode {
    if (schema === true || schema === undefined) return UNKNOWN;
    if (schema === false) return atom("never");
    if (!isSchema(schema)) return UNKNOWN;
    let node = this.#convertKeywords(schema, pointer, direct);
    if (schema.nullable === true && !isUnknown(node)) node = union([node, atom("null")]);
    return node;
  }

  #convertKeywords(schema: Schema, pointer: string, direct: boolean): TypeNode {
    if (typeof schema.$ref === "string") {
      const target = resolveRef(this.#root, schema.$ref);
      return target === undefined ? UNKNOWN : this.#reference(target.pointer, direct);
    }
    if (Object.hasOwn(schema, "const")) return literal(schema.const);
    if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
    const parts: TypeNode[] = [];
    const base = this.#convertType(schema, pointer);
    for (const keyword of ["anyOf", "oneOf"]) {
      const members = schema[keyword];
      if (!Array.isArray(members)) continue;
      parts.push(
        union(
          members.map((member, i) =>
            this.#convert(member, childPointer(pointer, keyword, i), direct)
          ),
        ),
      );
    }
    if (Array.isArray(schema.allOf)) {
      parts.push(
        intersection(
          schema.allOf.map((member, i) =>
            this.#convert(member, childPointer(pointer, "allOf", i), direct)
          ),
        ),
      );
    }
    // A bare `type: "object"` adds nothing to the object types of its combinators.
    const bare = base === ANY_OBJECT || base === EMPTY_OBJECT;
    const keepBase = base !== undefined && !(bare && parts.some((part) => !isUnknown(part)));
    return intersection(keepBase ? [base, ...parts] : parts);
  }

  #convertType(schema: Schema, pointer: string): TypeNode | undefined {
    const declared = Array.isArray(schema.type)
      ? schema.type
      : typeof schema.type === "string"
      ? [schema.type]
      : [];
    const types = declared.length > 0 ? declared : inferTypes(schema);
    if (types.length === 0) return undefined;
    const nodes = types.map((type): TypeNode => {
      switch (type) {
        case "string":
        case "number":
        case "boolean":
        case "null":
          return atom(type);
        case "integer":
          return atom("number");
        case "object":
          return this.#convertObject(schema, pointer);
        case "array":
          return this.#convertArray(schema, pointer);
        default:
          return UNKNOWN;
      }
    });
    return union(nodes);
  }

  #convertObject(schema: Schema, pointer: string): TypeNode {
    const properties = isSchema(schema.properties) ? Object.entries(schema.properties) : [];
    const required = new Set(
      Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [],
    );
    const members: Member[] = properties.map(([key, property]) => ({
      doc: schemaDocLines(property),
      key: propertyKey(key),
      optional: !required.has(key),
      type: this.#convert(property, childPointer(pointer, "properties", key), false),
    }));
    for (const key of required) {
      if (!properties.some(([name]) => name === key)) {
        members.push({ doc: [], key: propertyKey(key), optional: false, type: UNKNOWN });
      }
    }
    const extra = schema.additionalProperties;
    const patterns = isSchema(schema.patternProperties) &&
      Object.keys(schema.patternProperties).length > 0;
    if (members.length > 0) {
      // A narrower index type would have to include every property's type; `unknown` stays correct.
      if (extra === true || isSchema(extra) || patterns) members.push(indexMember(UNKNOWN));
      return { kind: "object", members };
    }
    if (extra === false) return EMPTY_OBJECT;
    if (isSchema(extra)) {
      const value = this.#convert(extra, childPointer(pointer, "additionalProperties"), false);
      return isUnknown(value) ? ANY_OBJECT : { kind: "object", members: [indexMember(value)] };
    }
    return isSchema(schema.properties) && extra === undefined && !patterns
      ? EMPTY_OBJECT
      : ANY_OBJECT;
  }

  #convertArray(schema: Schema, pointer: string): TypeNode {
    const tupleKeyword = Array.isArray(schema.prefixItems)
      ? "prefixItems"
      : Array.isArray(schema.items)
      ? "items"
      : undefined;
    if (tupleKeyword !== undefined) {
      const items = (schema[tupleKeyword] as unknown[]).map((item, i) =>
        this.#convert(item, childPointer(pointer, tupleKeyword, i), false)
      );
      const restKeyword = tupleKeyword === "prefixItems" ? "items" : "additionalItems";
      const rest = schema[restKeyword];
      if (rest === true || isSchema(rest)) {
        return {
          kind: "tuple",
          items,
          rest: this.#convert(rest, childPointer(pointer, restKeyword), false),
        };
      }
      return { kind: "tuple", items };
    }
    const item = schema.items === undefined
      ? UNKNOWN
      : this.#convert(schema.items, childPointer(pointer, "items"), false);
    return { kind: "array", item };
  }
}

/** Types implied by the keywords present when `type` is absent. */
function inferTypes(schema: Schema): string[] {
  if (
    ["properties", "additionalProperties", "patternProperties"].some((k) =>
      Object.hasOwn(schema, k)
    )
  ) return ["object"];
  if (["items", "prefixItems"].some((k) => Object.hasOwn(schema, k))) return ["array"];
  return [];
}

function literal(value: unknown): TypeNode {
  if (typeof value === "string" || typeof value === "boolean" || value === null) {
    return atom(JSON.stringify(value));
  }
  if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= JSON_SAFE_MAX) {
    return atom(String(value));
  }
  if (typeof value === "number") return atom("number");
  return UNKNOWN;
}

function propertyKey(key: string): string {
  return isIdentifier(key) ? key : JSON.stringify(key);
}

function indexMember(type: TypeNode): Member {
  return { doc: [], key: "[key: string]", optional: false, type };
}
