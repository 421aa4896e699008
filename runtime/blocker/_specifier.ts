/**
 * Classifies module specifiers for the import rules.
 *
 * @module
 */

/** What a specifier points at, as far as the import rules care. */
export type SpecifierKind = "allowed" | "remote" | "node" | "other";

const ALLOWED_PREFIXES = ["servers/", "./servers/", "skills/", "./skills/"] as const;
const REMOTE_SCHEMES: ReadonlySet<string> = new Set([
  "http",
  "https",
  "data",
  "blob",
  "npm",
  "jsr",
]);

/**
 * Classifies a specifier. `"allowed"` needs an exact `servers/` or `skills/` path with no `..`, `.`, empty
 * segment, percent escape, backslash, colon or whitespace in it; anything else that is not remote or `node:`
 * is `"other"`.
 *
 * @param specifier The specifier as written.
 * @returns Its kind.
 */
export function classifySpecifier(specifier: string): SpecifierKind {
  const scheme = schemeOf(specifier);
  if (scheme === "node") return "node";
  if (scheme !== undefined && REMOTE_SCHEMES.has(scheme)) return "remote";
  return isAllowedPath(specifier) ? "allowed" : "other";
}

/** The lower-cased URL scheme, read the way the URL parser would (ignoring tabs, newlines, edge spaces). */
function schemeOf(specifier: string): string | undefined {
  let cleaned = "";
  for (const char of specifier) {
    if (char !== "\t" && char !== "\n" && char !== "\r") cleaned += char;
  }
  let start = 0;
  while (start < cleaned.length && cleaned.charCodeAt(start) <= 0x20) start++;
  const colon = cleaned.indexOf(":", start);
  if (colon <= start) return undefined;
  const scheme = cleaned.slice(start, colon).toLowerCase();
  for (const char of scheme) {
    const isLetter = char >= "a" && char <= "z";
    const isOther = (char >= "0" && char <= "9") || char === "+" || char === "-" || char === ".";
    if (!isLetter && !isOther) return undefined;
  }
  return scheme;
}

function isAllowedPath(specifier: string): boolean {
  const prefix = ALLOWED_PREFIXES.find((candidate) => specifier.startsWith(candidate));
  if (prefix === undefined) return false;
  const rest = specifier.slice(prefix.length);
  if (rest === "") return false;
  for (const char of rest) {
    if (char === "%" || char === "\\" || char === ":" || char === "?" || char === "#") return false;
    if (char.charCodeAt(0) <= 0x20) return false;
  }
  return rest.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** The prefixes agent code may import from, for messages. */
export const ALLOWED_PREFIX_TEXT = '"servers/..." and "skills/..."';
