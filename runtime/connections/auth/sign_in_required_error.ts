/**
 * The error of a server that needs its user to sign in.
 *
 * @module
 */

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
 * message names the command that fixes it and carries no token or URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SignInRequiredError } from "@mcp-executor/runtime";
 * const error = new SignInRequiredError("linear", "expired");
 * assert.match(error.message, /sign in again with `deno task auth linear`/);
 * ```
 */
export class SignInRequiredError extends Error {
  /** `"required"`: never signed in (or signed out); `"expired"`: the stored sign-in no longer refreshes. */
  readonly code: "required" | "expired";
  /** The server's name in mcp.json. */
  readonly server: string;

  /**
   * Builds the error with the message for `code`.
   *
   * @param server The server's name.
   * @param code Why a sign-in is needed.
   * @param options The underlying error, if any.
   */
  constructor(server: string, code: "required" | "expired", options?: { cause?: unknown }) {
    super(
      code === "expired"
        ? `the stored sign-in for server "${server}" no longer works (its refresh token was refused): sign in again with \`${SIGN_IN_COMMAND} ${server}\``
        : `server "${server}" needs a sign-in: run \`${SIGN_IN_COMMAND} ${server}\``,
      options,
    );
    this.name = "SignInRequiredError";
    this.code = code;
    this.server = server;
  }
}
