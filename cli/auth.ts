/**
 * `deno task auth`: sign in to a remote MCP server with OAuth, list the stored sign-ins, or sign out.
 *
 * ```sh
 * deno task auth <server>            # sign in (prints the URL, opens a browser when there is one)
 * deno task auth <server> --principal alice   # sign in for the daemon's principal "alice"
 * deno task auth --list              # the stored sign-ins, with their principal, without secrets
 * deno task auth --logout <server>   # forget a server's sign-in
 * ```
 *
 * Options: `--config <file>` (default `mcp.json`), `--sign-in-file <file>` (default: the user's sign-in file),
 * `--state-url <url>` (or `MCPX_STATE_URL`: the daemon's shared PostgreSQL state store instead of the file, with
 * the key of `MCPX_STATE_KEY` or `--state-key-file`), `--principal <id>` (whose sign-in; default the default
 * principal, the user's own), `--no-browser` (only print the URL).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadConfig } from "../runtime/config.ts";
import {
  type AuthorizationUrlRequest,
  FileSignInStore,
  SharedSignInStore,
  type SignInStore,
} from "../runtime/connections/auth/mod.ts";
import { PostgresStateStore, StateCipher } from "../runtime/state/mod.ts";
import { ServerConnection } from "../runtime/connections/mod.ts";
import { DEFAULT_PRINCIPAL, validatePrincipalId } from "../runtime/principal.ts";
import { mcpxCommand } from "./_common.ts";

const usage = (mcpx: string): string =>
  `Usage (mcpx auth, or deno task auth in the checkout):
  ${mcpx} auth <server>            sign in to a remote server of mcp.json
  ${mcpx} auth --list              list the stored sign-ins, with whose they are
  ${mcpx} auth --logout <server>   forget a server's sign-in
Options:
  --principal <id>      whose sign-in: a principal of the daemon (default: "default", the
                        sign-in of library use, stdio and the daemon's own tool list)
  --config <file>       the mcp.json to read (default: mcp.json)
  --sign-in-file <file> where sign-ins are kept (default: $MCP_EXECUTOR_TOKEN_FILE, else
                        $XDG_CONFIG_HOME/mcp-executor/tokens.json or ~/.config/mcp-executor/tokens.json);
                        --token-file, its old name, is read with a warning
  --state-url <url>     the daemon's PostgreSQL state store instead (also MCPX_STATE_URL); its key
                        from MCPX_STATE_KEY or --state-key-file <file>
  --no-browser          print the sign-in URL without opening a browser`;

const SIGN_IN_TIMEOUT_MS = 300_000;

/** Opens a URL in the user's browser when an opener exists; never fails. */
function openBrowser(url: string): boolean {
  const opener = Deno.build.os === "darwin" ? "open" : "xdg-open";
  const path = (Deno.env.get("PATH") ?? "").split(":").map((dir) => `${dir}/${opener}`)
    .find((candidate) => {
      try {
        return Deno.statSync(candidate).isFile;
      } catch {
        return false;
      }
    });
  if (path === undefined) return false;
  try {
    const child = new Deno.Command(path, {
      args: [url],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.status.catch(() => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

function describeExpiry(expiresAt: number | undefined): string {
  if (expiresAt === undefined) return "no expiry given";
  const when = new Date(expiresAt).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return expiresAt < Date.now() ? `expired ${when}` : `expires ${when}`;
}

/** Where a store keeps sign-ins, for messages. */
function whereOf(store: SignInStore): string {
  return store.path ?? "the state store (PostgreSQL table mcpx_sign_ins)";
}

/** A principal id as a column: as it is, or quoted when it holds a space. */
function column(principal: string): string {
  return /^\S+$/.test(principal) ? principal : JSON.stringify(principal);
}

/** `as principal "alice"` for another principal than the default one, else nothing. */
function asPrincipal(principal: string): string {
  return principal === DEFAULT_PRINCIPAL ? "" : ` as principal ${JSON.stringify(principal)}`;
}

async function list(store: SignInStore, principal: string | undefined): Promise<number> {
  const entries = (await store.list()).filter((e) =>
    principal === undefined || e.principal === principal
  );
  if (entries.length === 0) {
    console.log(
      `No stored sign-ins${
        principal === undefined ? "" : ` of principal ${JSON.stringify(principal)}`
      } in ${whereOf(store)}.`,
    );
    return 0;
  }
  console.log(`Sign-ins in ${whereOf(store)} (principal, server, URL):`);
  for (const entry of entries) {
    const parts = [
      entry.signedIn ? "signed in" : "not signed in",
      entry.canRefresh ? "refreshes" : "no refresh token",
      describeExpiry(entry.expiresAt),
    ];
    if (entry.scope !== undefined) parts.push(`scope: ${entry.scope}`);
    console.log(
      `  ${column(entry.principal)}  ${entry.server}  ${entry.url}  (${parts.join(", ")})`,
    );
  }
  return 0;
}

async function logout(store: SignInStore, server: string, principal: string): Promise<number> {
  if (await store.remove({ principal, server })) {
    console.log(
      `Signed out of "${server}"${asPrincipal(principal)}: its sign-in was removed from ${
        whereOf(store)
      }.`,
    );
  } else {
    console.log(`No stored sign-in for "${server}"${asPrincipal(principal)} in ${whereOf(store)}.`);
  }
  return 0;
}

async function signIn(
  store: SignInStore,
  server: string,
  options: { config: string; browser: boolean; principal: string },
): Promise<number> {
  const { principal } = options;
  const config = await loadConfig(options.config);
  const entry = config.servers[server];
  if (entry === undefined) {
    const names = Object.keys(config.servers);
    console.error(
      `Cannot sign in to "${server}": ${options.config} has no such server (it has: ${
        names.length === 0 ? "none" : names.join(", ")
      })`,
    );
    return 1;
  }
  if (entry.type === "stdio") {
    console.error(
      `Cannot sign in to "${server}": it is a stdio server; only "http" and "sse" servers sign in`,
    );
    return 1;
  }
  // A new sign-in replaces the stored one (a registration of this client is kept).
  await store.update({ principal, server }, entry.url, (stored) => {
    const { tokens: _tokens, expiresAt: _expiresAt, ...rest } = stored;
    return rest;
  });
  console.log(`Signing in to "${server}" (${entry.url})${asPrincipal(principal)}.`);
  let asked = false;
  const show = ({ url, redirectUrl }: AuthorizationUrlRequest): void => {
    asked = true;
    console.log(`Open this URL in a browser to sign in:\n\n  ${url.href}\n`);
    if (options.browser && openBrowser(url.href)) console.log("(A browser was opened.)");
    console.log(
      `Waiting for the browser to come back to ${redirectUrl} (up to ${
        SIGN_IN_TIMEOUT_MS / 60_000
      } minutes)...`,
    );
  };
  await using connection = new ServerConnection(server, entry, {
    signInStore: store,
    principal,
    onAuthorizationUrl: show,
    signInTimeoutMs: SIGN_IN_TIMEOUT_MS,
  });
  try {
    await connection.connect();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  if (!asked) {
    console.log(`Server "${server}" did not ask for a sign-in: nothing to store.`);
    return 0;
  }
  const count = connection.tools.length;
  console.log(
    `Signed in to "${server}"${asPrincipal(principal)}: ${count} tool${
      count === 1 ? "" : "s"
    }. The sign-in is stored in ${whereOf(store)}.`,
  );
  return 0;
}

/**
 * Runs `auth` with its command-line arguments.
 *
 * @param args The arguments after `auth`.
 * @returns The exit code: 0 done, 1 failed, 2 bad usage.
 * @throws Never; every failure is printed and turned into an exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./auth.ts";
 * Deno.exit(await main(["linear"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        list: { type: "boolean" },
        logout: { type: "string" },
        config: { type: "string" },
        principal: { type: "string" },
        "sign-in-file": { type: "string" },
        "token-file": { type: "string" },
        "state-url": { type: "string" },
        "state-key-file": { type: "string" },
        "no-browser": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage(mcpxCommand())}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(usage(mcpxCommand()));
    return 0;
  }
  const modes = [values.list === true, values.logout !== undefined, positionals.length > 0];
  if (modes.filter(Boolean).length !== 1 || positionals.length > 1) {
    console.error(usage(mcpxCommand()));
    return 2;
  }
  let principal: string | undefined;
  try {
    principal = values.principal === undefined ? undefined : validatePrincipalId(values.principal);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage(mcpxCommand())}`);
    return 2;
  }
  const stateUrl = values["state-url"] ?? (Deno.env.get("MCPX_STATE_URL") || undefined);
  let state: PostgresStateStore | undefined;
  try {
    const keyFile = values["state-key-file"];
    if (stateUrl !== undefined) {
      const cipher = await StateCipher.load(keyFile === undefined ? {} : { keyFile });
      state = await PostgresStateStore.open(stateUrl, { cipher, max: 2 });
    }
    const store = state === undefined
      ? new FileSignInStore(signInFile(values))
      : new SharedSignInStore(state.signIns);
    if (values.list === true) return await list(store, principal);
    const own = principal ?? DEFAULT_PRINCIPAL;
    if (values.logout !== undefined) return await logout(store, values.logout, own);
    return await signIn(store, positionals[0]!, {
      config: values.config ?? "mcp.json",
      browser: values["no-browser"] !== true,
      principal: own,
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await state?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/** `--sign-in-file`, or its old name `--token-file` with a warning (read until the next release). */
function signInFile(
  values: { "sign-in-file"?: string; "token-file"?: string },
): string | undefined {
  if (values["token-file"] !== undefined && values["sign-in-file"] === undefined) {
    console.error(
      'Warning: "--token-file" is deprecated here: use "--sign-in-file" (the old name is read until the next release)',
    );
    return values["token-file"];
  }
  return values["sign-in-file"];
}
