/**
 * JSON pointers and local `$ref` resolution for the schema converter. Private to the codegen folder.
 *
 * Pointers are kept in their canonical fragment form (`#`, `#/$defs/Node`, `#/properties/a~1b/items`) so that two
 * spellings of one location (`#/definitions/X` percent-encoded or not) compare equal.
 *
 * @module
 */

/** A JSON Schema object; booleans are schemas too (`true` = anything, `false` = nothing). */
export type Schema = Record<string, unknown>;

/** Keywords whose values are data, not schemas: never look for `$ref` inside them. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set([
  "const",
  "default",
  "enum",
  "examples",
  "example",
]);

/**
 * Reports whether a value is a schema object (not an array, not null).
 *
 * @param value Anything.
 * @returns `true` for plain objects.
 */
export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds the pointer of a child location.
 *
 * @param pointer The parent's pointer.
 * @param segments Keys or indexes below it.
 * @returns The child's canonical pointer.
 */
export function childPointer(pointer: string, ...segments: ReadonlyArray<string | number>): string {
  return pointer +
    segments.map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`)
      .join("");
}

/**
 * Parses a local reference (`#`, `#/$defs/X`, `#/properties/foo/items`) into pointer segments.
 *
 * @param ref The `$ref` value.
 * @returns The decoded segments, or `undefined` for references this converter does not follow (other documents,
 *   `$anchor` names, malformed escapes).
 */
export function parseLocalRef(ref: string): string[] | undefined {
  if (!ref.startsWith("#")) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === "") return [];
  if (!fragment.startsWith("/")) return undefined;
  return fragment.slice(1).split("/").map((segment) =>
    segment.replaceAll("~1", "/").replaceAll("~0", "~")
  );
}

/**
 * Resolves a local reference against the root schema.
 *
 * @param root The root schema the reference is relative to.
 * @param ref The `$ref` value.
 * @returns The target and its canonical pointer, or `undefined` when the reference cannot be followed.
 */
export function resolveRef(
  root: unknown,
  ref: string,
): { pointer: string; schema: unknown } | undefined {
  const segments = parseLocalRef(ref);
  if (segments === undefined) return undefined;
  const pointer = childPointer("#", ...segments);
  const schema = resolvePointer(root, pointer);
  return schema === undefined ? undefined : { pointer, schema };
}

/**
 * Finds the value at a canonical pointer.
 *
 * @param root The root schema.
 * @param pointer A canonical pointer from {@linkcode childPointer} or {@linkcode resolveRef}.
 * @returns The value there, or `undefined`.
 */
export function resolvePointer(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment)) node = node[Number(segment)];
    else if (isSchema(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/**
 * Lists the canonical pointers of every location some local `$ref` in the schema points at, in the order the
 * references appear (depth first, keys in their written order).
 *
 * @param root The root schema.
 * @returns The distinct target pointers.
 */
export function collectRefTargets(root: unknown): string[] {
  const targets = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isSchema(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const target = resolveRef(root, value);
        if (target !== undefined) targets.add(target.pointer);
      } else if (!DATA_KEYWORDS.has(key)) {
        visit(value);
      }
    }
  };
  visit(root);
  return [...targets];
}

/**
 * Splits a canonical pointer back into its decoded segments.
 *
 * @param pointer A canonical pointer from {@linkcode childPointer} or {@linkcode resolveRef}.
 * @returns The segments; `[]` for the root.
 */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "#" || pointer === "") return [];
  return pointer.slice(2).split("/").map((segment) =>
    segment.replaceAll("~1", "/").replaceAll("~0", "~")
  );
}
