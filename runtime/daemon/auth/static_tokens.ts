/**
 * Static bearer tokens: the token file's format (`<principal> <token> [scope,scope,...]` a line) and the
 * constant-time lookup of the token a request carries.
 *
 * @module
 */

import { ConfigError } from "../../config.ts";
import { validatePrincipalId } from "../../principal.ts";
import { ALL_SCOPES, DEFAULT_TOKEN_SCOPES } from "./scopes.ts";

/** The fewest characters a static token may have. */
export const MIN_TOKEN_LENGTH = 32;

/** A bearer token that stands for a principal. */
export interface StaticToken {
  /** The principal it signs in as. */
  principal: string;
  /** The secret itself. */
  token: string;
  /** The scopes it holds. */
  scopes: readonly string[];
}

/**
 * Parses a token file: one `<principal> <token> [scope,scope,...]` a line, blank lines and `#` comments skipped.
 * A line without scopes holds `mcpx:execute` and `mcpx:skills`.
 *
 * @param text The file's text.
 * @param file The file's path, for messages.
 * @returns The tokens, in file order.
 * @throws {ConfigError} `"invalid_config"` naming the file and the line: a malformed line, a token shorter than
 *   {@linkcode MIN_TOKEN_LENGTH} characters, an unknown scope, a duplicate token or principal, or no token at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTokenFile } from "./static_tokens.ts";
 * const token = "t".repeat(32);
 * const [alice] = parseTokenFile(`# team\nalice ${token} mcpx:execute,mcpx:admin\n`, "tokens.txt");
 * assert.deepEqual(alice, { principal: "alice", token, scopes: ["mcpx:execute", "mcpx:admin"] });
 * assert.throws(() => parseTokenFile("alice short", "tokens.txt"), /tokens\.txt, line 1: .*32/);
 * ```
 */
export function parseTokenFile(text: string, file: string): StaticToken[] {
  const tokens: StaticToken[] = [];
  const seenTokens = new Map<string, number>();
  const seenPrincipals = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const number = index + 1;
    const fail = (reason: string): never => {
      throw new ConfigError(
        `Invalid token file ${file}, line ${number}: ${reason}`,
        "invalid_config",
      );
    };
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    if (fields.length < 2 || fields.length > 3) {
      fail(
        `expected "<principal> <token> [scope,scope,...]", found ${fields.length} field${
          fields.length === 1 ? "" : "s"
        }`,
      );
    }
    const [principal, token, scopeList] = fields as [string, string, string | undefined];
    try {
      validatePrincipalId(principal);
    } catch (error) {
      fail((error as Error).message);
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      fail(
        `the token of "${principal}" has ${token.length} characters; it needs at least ${MIN_TOKEN_LENGTH}`,
      );
    }
    const scopes = scopeList === undefined
      ? DEFAULT_TOKEN_SCOPES
      : scopeList.split(",").filter((s) => s !== "");
    const unknown = scopes.filter((scope) => !ALL_SCOPES.includes(scope));
    if (unknown.length > 0 || scopes.length === 0) {
      fail(`unknown scope "${unknown[0] ?? scopeList}": use ${ALL_SCOPES.join(", ")}`);
    }
    const sameToken = seenTokens.get(token);
    if (sameToken !== undefined) fail(`the token is the same as on line ${sameToken}`);
    const samePrincipal = seenPrincipals.get(principal);
    if (samePrincipal !== undefined) {
      fail(`principal "${principal}" is already on line ${samePrincipal}`);
    }
    seenTokens.set(token, number);
    seenPrincipals.set(principal, number);
    tokens.push({ principal, token, scopes });
  }
  if (tokens.length === 0) {
    throw new ConfigError(`Invalid token file ${file}: it holds no token`, "invalid_config");
  }
  return tokens;
}

/**
 * Reads and parses a token file.
 *
 * @param file The file's path.
 * @returns The tokens.
 * @throws {ConfigError} `"unreadable"`, or `"invalid_config"` as {@linkcode parseTokenFile}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTokenFile } from "./static_tokens.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, `ci ${"c".repeat(40)}\n`);
 * assert.equal((await loadTokenFile(file))[0]?.principal, "ci");
 * await Deno.remove(file);
 * ```
 */
export async function loadTokenFile(file: string): Promise<StaticToken[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new ConfigError(
      `Cannot read the token file ${file}: ${(error as Error).message}`,
      "unreadable",
      { cause: error },
    );
  }
  return parseTokenFile(text, file);
}

/**
 * Makes a lookup from a presented bearer token to the static token it matches. Every accepted token is compared,
 * by SHA-256 digest and in constant time, so the time taken does not tell how much of a guess was right.
 *
 * @param tokens The accepted tokens.
 * @returns The lookup: the matching token, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { staticTokenLookup } from "./static_tokens.ts";
 * const lookup = staticTokenLookup([{ principal: "ci", token: "c".repeat(32), scopes: [] }]);
 * assert.equal((await lookup("c".repeat(32)))?.principal, "ci");
 * assert.equal(await lookup("d".repeat(32)), undefined);
 * ```
 */
export function staticTokenLookup(
  tokens: readonly StaticToken[],
): (presented: string) => Promise<StaticToken | undefined> {
  const digests = Promise.all(tokens.map((t) => digest(t.token)));
  return async (presented) => {
    const given = await digest(presented);
    let found: StaticToken | undefined;
    for (const [index, expected] of (await digests).entries()) {
      if (equalBytes(given, expected) && found === undefined) found = tokens[index];
    }
    return found;
  };
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
