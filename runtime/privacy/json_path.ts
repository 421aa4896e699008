/**
 * A small JSONPath subset for per-field rules: `$`, `.name`, `['name']` / `["name"]`, `[0]`, `[*]`, `.*` and `..`
 * (any depth, followed by a name, `*` or an index). No filters, slices, unions or scripts.
 *
 * @module
 */

/** One step of a parsed path. `deep` means "at this depth or any below". */
export interface PathStep {
  /** A property name, an array index, or `"*"` for any key or index. */
  key: string | number;
  deep: boolean;
}

/** A parsed JSONPath. */
export interface JsonPath {
  /** The path as written. */
  source: string;
  steps: PathStep[];
}

const NAME = /^[A-Za-z_$][\w$-]*/;

/**
 * Parses a JSONPath of the supported subset.
 *
 * @param source The path, starting with `$`.
 * @returns The parsed path.
 * @throws {SyntaxError} Naming the position of the first thing outside the subset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonPath } from "./json_path.ts";
 * assert.deepEqual(parseJsonPath("$.rows[*].name").steps.map((s) => s.key), ["rows", "*", "name"]);
 * assert.throws(() => parseJsonPath("$.rows[?(@.x)]"), SyntaxError);
 * ```
 */
export function parseJsonPath(source: string): JsonPath {
  if (!source.startsWith("$")) {
    throw new SyntaxError(`Invalid JSONPath "${source}": it must start with $`);
  }
  const steps: PathStep[] = [];
  let i = 1;
  const fail = (what: string): never => {
    throw new SyntaxError(
      `Invalid JSONPath "${source}" at ${i}: ${what} (supported: $ .name ['name'] [0] [*] .* ..name)`,
    );
  };
  while (i < source.length) {
    let deep = false;
    if (source.startsWith("..", i)) {
      deep = true;
      i += 2;
    } else if (source[i] === ".") {
      i += 1;
    } else if (source[i] !== "[") {
      fail(`unexpected "${source[i]}"`);
    }
    if (source[i] === "[") {
      const end = source.indexOf("]", i);
      if (end < 0) fail("unclosed [");
      const inner = source.slice(i + 1, end);
      i = end + 1;
      if (inner === "*") steps.push({ key: "*", deep });
      else if (/^\d+$/.test(inner)) steps.push({ key: Number(inner), deep });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) steps.push({ key: inner.slice(1, -1), deep });
      else fail(`unsupported selector [${inner}]`);
    } else if (source[i] === "*") {
      steps.push({ key: "*", deep });
      i += 1;
    } else {
      const name = NAME.exec(source.slice(i))?.[0];
      if (name === undefined) fail("expected a name");
      steps.push({ key: name!, deep });
      i += name!.length;
    }
  }
  return { source, steps };
}

function stepMatches(step: PathStep, key: string | number): boolean {
  if (step.key === "*") return true;
  return typeof step.key === "number" ? key === step.key : String(key) === step.key;
}

/**
 * Whether a concrete location matches a path exactly (the whole location, not a prefix).
 *
 * @param path A parsed path.
 * @param location The keys and indexes from the root to the value.
 * @returns `true` when the path selects that location.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchesJsonPath, parseJsonPath } from "./json_path.ts";
 * const path = parseJsonPath("$..name");
 * assert.equal(matchesJsonPath(path, ["rows", 3, "name"]), true);
 * assert.equal(matchesJsonPath(path, ["rows", 3, "email"]), false);
 * ```
 */
export function matchesJsonPath(path: JsonPath, location: readonly (string | number)[]): boolean {
  return match(path.steps, 0, location, 0);
}

function match(
  steps: readonly PathStep[],
  s: number,
  location: readonly (string | number)[],
  l: number,
): boolean {
  if (s === steps.length) return l === location.length;
  if (l === location.length) return false;
  const step = steps[s]!;
  if (stepMatches(step, location[l]!) && match(steps, s + 1, location, l + 1)) return true;
  return step.deep && match(steps, s, location, l + 1);
}
