/**
 * The token a daemon makes for itself when it is given none (Jupyter's way): random, kept in a `0600` file in the
 * daemon's state folder so that it survives restarts, and printed at start as a ready-to-paste line.
 *
 * @module
 */

import { join } from "node:path";
import { MIN_TOKEN_LENGTH } from "./static_tokens.ts";

/** The generated token's file name in the state folder. */
export const GENERATED_TOKEN_FILE = "http-token";

/** The environment variable that moves the state folder. */
export const STATE_DIR_ENV = "MCPX_STATE_DIR";

/**
 * The daemon's state folder: `$MCPX_STATE_DIR`, else `$XDG_STATE_HOME/mcp-executor`, else
 * `~/.local/state/mcp-executor`.
 *
 * @param env Where to read variables. Default `Deno.env`.
 * @returns The folder's path.
 * @throws {Error} When none of `MCPX_STATE_DIR`, `XDG_STATE_HOME` and `HOME` is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultStateDir } from "./generated_token.ts";
 * const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });
 * assert.equal(defaultStateDir(env({ HOME: "/home/ann" })), "/home/ann/.local/state/mcp-executor");
 * assert.equal(defaultStateDir(env({ HOME: "/h", XDG_STATE_HOME: "/s" })), "/s/mcp-executor");
 * assert.equal(defaultStateDir(env({ MCPX_STATE_DIR: "/var/lib/mcpx" })), "/var/lib/mcpx");
 * ```
 */
export function defaultStateDir(
  env: { get(name: string): string | undefined } = Deno.env,
): string {
  const own = env.get(STATE_DIR_ENV);
  if (own) return own;
  const xdg = env.get("XDG_STATE_HOME");
  if (xdg) return join(xdg, "mcp-executor");
  const home = env.get("HOME");
  if (home) return join(home, ".local", "state", "mcp-executor");
  throw new Error(
    `Cannot find the state folder: set ${STATE_DIR_ENV}, XDG_STATE_HOME or HOME`,
  );
}

/** A generated token and where it is kept. */
export interface GeneratedToken {
  /** The token. */
  token: string;
  /** Its file. */
  file: string;
  /** Whether this start made it (else it was read from the file). */
  created: boolean;
}

/**
 * Reads the generated token from `<stateDir>/http-token`, or makes one (32 random bytes, base64url) and keeps it
 * there with mode `0600` in a `0700` folder.
 *
 * @param stateDir The state folder.
 * @returns The token.
 * @throws {Error} When the file is readable by others, holds no usable token, or cannot be written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatedToken } from "./generated_token.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await generatedToken(dir);
 * const again = await generatedToken(dir);
 * assert.equal(first.created, true);
 * assert.equal(again.token, first.token);
 * assert.equal((await Deno.stat(first.file)).mode! & 0o777, 0o600);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generatedToken(stateDir: string): Promise<GeneratedToken> {
  const file = join(stateDir, GENERATED_TOKEN_FILE);
  await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  try {
    await Deno.writeTextFile(file, `${token}\n`, { createNew: true, mode: 0o600 });
    await Deno.chmod(file, 0o600);
    return { token, file, created: true };
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      throw new Error(`Cannot keep the generated token in ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const mode = (await Deno.stat(file)).mode;
  if (mode !== null && (mode & 0o077) !== 0) {
    throw new Error(
      `Cannot use the generated token in ${file}: other users may read it (mode ${
        (mode & 0o777).toString(8)
      }); run chmod 600 on it, or delete it to make a new one`,
    );
  }
  const kept = (await Deno.readTextFile(file)).trim();
  if (kept.length < MIN_TOKEN_LENGTH || /\s/.test(kept)) {
    throw new Error(
      `Cannot use the generated token in ${file}: it does not hold one token of at least ` +
        `${MIN_TOKEN_LENGTH} characters; delete it to make a new one`,
    );
  }
  return { token: kept, file, created: false };
}

/**
 * The `claude mcp add` line that connects Claude Code to the daemon with a bearer token.
 *
 * @param url The MCP endpoint.
 * @param token The bearer token.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claudeAddCommand } from "./generated_token.ts";
 * assert.equal(
 *   claudeAddCommand("http://127.0.0.1:8787/mcp", "abc"),
 *   'claude mcp add --transport http mcp-executor http://127.0.0.1:8787/mcp --header "Authorization: Bearer abc"',
 * );
 * ```
 */
export function claudeAddCommand(url: string, token: string): string {
  return `claude mcp add --transport http mcp-executor ${url} --header "Authorization: Bearer ${token}"`;
}
