/**
 * The error of a server that needs its user to sign in.
 *
 * @module
 */

import { DEFAULT_PRINCIPAL } from "../../principal.ts";

/**
 * The command a user runs to sign in to a server; the error text names it.
 *
 * @example
 * ```ts
 * import { SIGN_IN_COMMAND, SignInRequiredError } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SIGN_IN_COMMAND, "deno task auth");
 * assert.ok(new SignInRequiredError("linear", "required").message.includes(`${SIGN_IN_COMMAND} linear`));
 * ```
 */
export const SIGN_IN_COMMAND = "deno task auth";

/**
 * Thrown when a server asks for an OAuth sign-in that cannot happen here: nobody to show the authorization URL to
 * (`"required"`), or a stored sign-in whose refresh token the authorization server refused (`"expired"`). The
 * message names whose sign-in is missing (for a principal other than the default one) and the command that fixes
 * it; it carries no token, URL or path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SignInRequiredError } from "@mcp-executor/runtime";
 * const error = new SignInRequiredError("linear", "expired");
 * assert.match(error.message, /sign in again with `deno task auth linear`/);
 * const alice = new SignInRequiredError("linear", "required", { principal: "alice" });
 * assert.match(alice.message, /^principal "alice" must sign in to server "linear": .*`deno task auth linear --principal alice`/);
 * const spaced = new SignInRequiredError("linear", "required", { principal: "ada l" });
 * assert.ok(spaced.message.endsWith("`deno task auth linear --principal 'ada l'`"));
 * ```
 */
export class SignInRequiredError extends Error {
  /** `"required"`: never signed in (or signed out); `"expired"`: the stored sign-in no longer refreshes. */
  readonly code: "required" | "expired";
  /** The server's name in mcp.json. */
  readonly server: string;
  /** Whose sign-in is missing. */
  readonly principal: string;

  /**
   * Builds the error with the message for `code`.
   *
   * @param server The server's name.
   * @param code Why a sign-in is needed.
   * @param options The underlying error; the principal (default {@linkcode DEFAULT_PRINCIPAL}); `urlMode`: the
   * agent's client can open a sign-in link (URL-mode elicitation), so the message says to accept the link first.
   */
  constructor(
    server: string,
    code: "required" | "expired",
    options: { cause?: unknown; principal?: string; urlMode?: boolean } = {},
  ) {
    const principal = options.principal ?? DEFAULT_PRINCIPAL;
    super(message(server, code, principal, options.urlMode === true), {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = "SignInRequiredError";
    this.code = code;
    this.server = server;
    this.principal = principal;
  }
}

function message(
  server: string,
  code: "required" | "expired",
  principal: string,
  urlMode: boolean,
): string {
  if (principal === DEFAULT_PRINCIPAL) {
    return code === "expired"
      ? `the stored sign-in for server "${server}" no longer works (its refresh token was refused): sign in again with \`${SIGN_IN_COMMAND} ${server}\``
      : `server "${server}" needs a sign-in: run \`${SIGN_IN_COMMAND} ${server}\``;
  }
  const command = `\`${SIGN_IN_COMMAND} ${server} --principal ${shellWord(principal)}\``;
  const how = urlMode
    ? `open the sign-in link your client is sent on the next call to "${server}", or run ${command}`
    : `run ${command}`;
  return code === "expired"
    ? `the sign-in of principal "${principal}" to server "${server}" no longer works (its refresh token was refused): principal "${principal}" must sign in again: ${how}`
    : `principal "${principal}" must sign in to server "${server}": ${how}`;
}

/** A principal id as one shell word: as it is when it holds only safe characters, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
