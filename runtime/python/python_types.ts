/**
 * JSON Schema to Python type hints, for the generated `servers/<server>/__init__.py`: `str`, `int`, `float`,
 * `bool`, `None`, `list[...]`, `Literal[...]`, unions with `|`, and a `TypedDict` for each object with
 * properties (optional ones `NotRequired`). What it cannot say (`$ref`, conditionals) is `Any`: the hints are
 * documentation for the agent, and the server checks the arguments.
 *
 * @module
 */

/** A JSON Schema, as far as the hints read it. */
type Schema = Record<string, unknown>;

/** Python's reserved words: not usable as names of functions, parameters or class-syntax TypedDict keys. */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]); // deno-fmt-ignore

/**
 * Whether `name` can be a Python identifier that is not a keyword (ASCII only, to stay simple).
 *
 * @param name The candidate.
 * @returns `true` for `read_graph`, `false` for `entity-type` and `from`.
 */
export function isPythonName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}

/**
 * A tool name as a snake_case Python function name: `getSum` and `get-sum` give `get_sum`; a keyword gets a
 * trailing underscore; a name starting with a digit gets a leading `tool_`.
 *
 * @param name The tool's name.
 * @returns The function name.
 */
export function toSnakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  const base = snake === "" ? "tool" : /^[0-9]/.test(snake) ? `tool_${snake}` : snake;
  return PYTHON_KEYWORDS.has(base) ? `${base}_` : base;
}

/** Collects the `TypedDict` declarations a set of hints needs, in the order they are first used. */
export class TypedDicts {
  #declarations: string[] = [];
  #names = new Set<string>();

  /** The declarations so far, each a block of Python source. */
  get declarations(): readonly string[] {
    return this.#declarations;
  }

  /**
   * The Python hint of a schema; object schemas with properties become a `TypedDict` named `name`.
   *
   * @param schema The JSON Schema.
   * @param name The class name to use for an object (made unique).
   * @returns A Python type expression.
   */
  hint(schema: unknown, name: string): string {
    if (schema === true || schema === undefined) return "Any";
    if (typeof schema !== "object" || schema === null) return "Any";
    const s = schema as Schema;
    if (Array.isArray(s.enum) && s.enum.length > 0) {
      return `Literal[${s.enum.map((value) => pyLiteral(value)).join(", ")}]`;
    }
    if ("const" in s) return `Literal[${pyLiteral(s.const)}]`;
    for (const key of ["anyOf", "oneOf"]) {
      const options = s[key];
      if (Array.isArray(options) && options.length > 0) {
        return union(options.map((option, i) => this.hint(option, `${name}${i + 1}`)));
      }
    }
    const type = s.type;
    if (Array.isArray(type)) return union(type.map((t) => this.hint({ ...s, type: t }, name)));
    switch (type) {
      case "string":
        return "str";
      case "integer":
        return "int";
      case "number":
        return "float";
      case "boolean":
        return "bool";
      case "null":
        return "None";
      case "array":
        return `list[${this.hint(s.items, `${name}Item`)}]`;
      case "object":
        return this.#object(s, name);
      default:
        return s.properties !== undefined ? this.#object(s, name) : "Any";
    }
  }

  #object(s: Schema, name: string): string {
    const properties = s.properties as Record<string, unknown> | undefined;
    if (properties === undefined || Object.keys(properties).length === 0) return "dict[str, Any]";
    let unique = name;
    for (let n = 2; this.#names.has(unique); n++) unique = `${name}${n}`;
    this.#names.add(unique);
    const required = new Set(Array.isArray(s.required) ? s.required as string[] : []);
    const fields = Object.entries(properties).map(([key, value]) => {
      const hint = this.hint(value, `${unique}${pascal(key)}`);
      return [key, required.has(key) ? hint : `NotRequired[${hint}]`] as const;
    });
    const doc = typeof s.description === "string" ? docstring(s.description, "    ") : "";
    const block = fields.every(([key]) => isPythonName(key))
      ? `class ${unique}(TypedDict):\n${doc}${
        fields.map(([key, hint]) => `    ${key}: ${hint}\n`).join("")
      }`
      : `${unique} = TypedDict("${unique}", {\n${
        fields.map(([key, hint]) => `    ${JSON.stringify(key)}: ${hint},\n`).join("")
      }})\n`;
    this.#declarations.push(block);
    return unique;
  }
}

/**
 * A Python docstring: the text indented, triple quotes and backslashes escaped.
 *
 * @param text The text.
 * @param indent The indentation of the docstring's lines.
 * @returns The docstring with a trailing newline, or `""` for blank text.
 */
export function docstring(text: string, indent: string): string {
  const clean = text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"').replace(/\r\n?/g, "\n")
    .trim();
  if (clean === "") return "";
  const lines = clean.split("\n").map((line, i) => (i === 0 || line === "" ? line : indent + line));
  const body = lines.join("\n");
  return lines.length === 1 ? `${indent}"""${body}"""\n` : `${indent}"""${body}\n${indent}"""\n`;
}

/**
 * A name in PascalCase: `entity_type` gives `EntityType`.
 *
 * @param name The name.
 * @returns The PascalCase form, ASCII letters and digits only.
 */
export function pascal(name: string): string {
  return toSnakeCase(name).replace(/_$/, "").split("_").map((part) =>
    part.charAt(0).toUpperCase() + part.slice(1)
  ).join("");
}

function union(hints: string[]): string {
  const unique = [...new Set(hints)];
  return unique.includes("Any") ? "Any" : unique.join(" | ");
}

function pyLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  return JSON.stringify(String(value));
}
