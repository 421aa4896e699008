/**
 * Where OAuth sign-ins are kept: one JSON file per user, readable by that user only, with the sign-ins of each
 * principal apart.
 *
 * @module
 */

import { dirname, join } from "node:path";
import type { OAuthClientInformation, OAuthTokens } from "../../mcp_types.ts";
import { DEFAULT_PRINCIPAL } from "../../principal.ts";
import type { SignInStore } from "./sign_in_store.ts";
import { type SignInSummary, summarizeSignIn } from "./sign_in_summary.ts";

/**
 * The variable that moves the sign-in file; it wins over the default, an explicit option wins over it.
 *
 * @example
 * ```ts
 * import { defaultSignInFile, SIGN_IN_FILE_ENV } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultSignInFile({ [SIGN_IN_FILE_ENV]: "/secure/tokens.json", HOME: "/home/ada" }), "/secure/tokens.json");
 * ```
 */
export const SIGN_IN_FILE_ENV = "MCP_EXECUTOR_TOKEN_FILE";

/**
 * What is stored for one server.
 *
 * @example
 * ```ts
 * import { type StoredSignIn, FileSignInStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new FileSignInStore(`${dir}/tokens.json`);
 * const url = "https://mcp.linear.app/mcp";
 * await store.update("linear", url, (): StoredSignIn => ({ url, tokens: { access_token: "a", token_type: "Bearer" } }));
 * const entry: StoredSignIn | undefined = await store.get("linear", url);
 * assert.equal(entry?.tokens?.access_token, "a");
 * ```
 */
export interface StoredSignIn {
  /** The server URL the sign-in is for; a different URL in mcp.json means signing in again. */
  url: string;
  /** The client registration obtained dynamically (or the client ID metadata URL used), with its issuer. */
  client?: OAuthClientInformation;
  /** The tokens, as the authorization server issued them, with their issuer. */
  tokens?: OAuthTokens;
  /** When the access token expires, in milliseconds since the epoch, if the server said. */
  expiresAt?: number;
  /** When this entry was last written (ISO 8601). */
  savedAt?: string;
}

/**
 * Whose sign-in to which server: a server name alone is the default principal's.
 *
 * @example
 * ```ts
 * import { type SignInKey, FileSignInStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new FileSignInStore(`${dir}/tokens.json`);
 * const url = "https://mcp.linear.app/mcp";
 * const alice: SignInKey = { principal: "alice", server: "linear" };
 * await store.update(alice, url, (entry) => ({ ...entry, tokens: { access_token: "a", token_type: "Bearer" } }));
 * assert.equal((await store.get(alice, url))?.tokens?.access_token, "a");
 * assert.equal(await store.get("linear", url), undefined);
 * ```
 */
export type SignInKey = string | { principal: string; server: string };

/**
 * The file: `servers` holds the default principal's sign-ins (the only ones before principals existed, so an
 * older file reads unchanged), `principals` every other principal's, by principal id then server name.
 */
interface FileShape {
  version: 2;
  servers: Record<string, StoredSignIn>;
  principals: Record<string, Record<string, StoredSignIn>>;
}

function keyOf(key: SignInKey): { principal: string; server: string } {
  return typeof key === "string" ? { principal: DEFAULT_PRINCIPAL, server: key } : key;
}

/** The entries of one principal; created (and attached to the file) when `create` is set. */
function entriesOf(
  file: FileShape,
  principal: string,
  create: boolean,
): Record<string, StoredSignIn> | undefined {
  if (principal === DEFAULT_PRINCIPAL) return file.servers;
  // An own property only: a principal named "__proto__" or "constructor" is a name like any other.
  if (Object.hasOwn(file.principals, principal)) return file.principals[principal];
  if (!create) return undefined;
  const entries: Record<string, StoredSignIn> = {};
  Object.defineProperty(file.principals, principal, {
    value: entries,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return entries;
}

function entryOf(
  entries: Record<string, StoredSignIn> | undefined,
  server: string,
): StoredSignIn | undefined {
  return entries !== undefined && Object.hasOwn(entries, server) ? entries[server] : undefined;
}

function setEntry(
  entries: Record<string, StoredSignIn>,
  server: string,
  entry: StoredSignIn,
): void {
  Object.defineProperty(entries, server, {
    value: entry,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * The default sign-in file: `$MCP_EXECUTOR_TOKEN_FILE`, else `tokens.json` in `$XDG_CONFIG_HOME/mcp-executor/`,
 * else in `~/.config/mcp-executor/`.
 *
 * @param env Where to read the variables from (default: the process environment).
 * @returns The path.
 * @throws {Error} When neither `XDG_CONFIG_HOME` nor `HOME` is set and no file is named.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSignInFile } from "@mcp-executor/runtime";
 * assert.equal(defaultSignInFile({ HOME: "/home/ada" }), "/home/ada/.config/mcp-executor/tokens.json");
 * ```
 */
export function defaultSignInFile(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string {
  const named = env[SIGN_IN_FILE_ENV];
  if (named !== undefined && named !== "") return named;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && xdg !== "") return join(xdg, "mcp-executor", "tokens.json");
  const home = env.HOME ?? env.USERPROFILE;
  if (home === undefined || home === "") {
    throw new Error(
      `Cannot find the sign-in file: set ${SIGN_IN_FILE_ENV}, XDG_CONFIG_HOME or HOME`,
    );
  }
  return join(home, ".config", "mcp-executor", "tokens.json");
}

/**
 * The sign-ins of one user, by principal and server name, in one file written with mode 0600 (its folder 0700).
 * The default principal's (library use, stdio, `deno task auth` without `--principal`) are the file's `servers`,
 * as before principals existed; another principal's are kept apart under `principals`, so that no lookup for one
 * principal can return another's. Each write re-reads the file and replaces it atomically, so a sign-in made by
 * `deno task auth` while a daemon runs is kept by both. Token values never leave this class except through
 * {@linkcode FileSignInStore.get} to the OAuth provider.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileSignInStore } from "@mcp-executor/runtime";
 * const dir = await Deno.makeTempDir();
 * const store = new FileSignInStore(`${dir}/tokens.json`);
 * await store.update("linear", "https://mcp.linear.app/mcp", (entry) => ({
 *   ...entry,
 *   tokens: { access_token: "a", token_type: "Bearer" },
 * }));
 * assert.equal((await store.get("linear", "https://mcp.linear.app/mcp"))?.tokens?.access_token, "a");
 * assert.equal((await Deno.stat(store.path)).mode! & 0o777, 0o600);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileSignInStore implements SignInStore {
  /** The file's path. */
  readonly path: string;
  #writing: Promise<unknown> = Promise.resolve();

  /**
   * Opens the store; nothing is read or written until it is used.
   *
   * @param path The file (default: {@linkcode defaultSignInFile}).
   */
  constructor(path: string = defaultSignInFile()) {
    this.path = path;
  }

  /**
   * One principal's sign-in to one server.
   *
   * @param key The server's name in mcp.json (the default principal's sign-in), or a principal and a server.
   * @param url Its URL; an entry stored for another URL does not count.
   * @returns The entry, or `undefined`.
   * @throws {Error} When the file exists but cannot be read or parsed.
   */
  async get(key: SignInKey, url: string): Promise<StoredSignIn | undefined> {
    const { principal, server } = keyOf(key);
    const entry = entryOf(entriesOf(await this.#read(), principal, false), server);
    return entry?.url === url ? entry : undefined;
  }

  /**
   * Changes one server's entry: `change` receives the current entry (or an empty one for this URL) and returns the
   * new one, or `undefined` to remove it.
   *
   * @param key The server's name (the default principal's entry), or a principal and a server.
   * @param url Its URL.
   * @param change Computes the new entry.
   * @returns Resolves once the file is written.
   * @throws {Error} When the file cannot be written.
   */
  update(
    key: SignInKey,
    url: string,
    change: (entry: StoredSignIn) => StoredSignIn | undefined,
  ): Promise<void> {
    const { principal, server } = keyOf(key);
    const next = this.#writing.catch(() => {}).then(async () => {
      const file = await this.#read();
      const entries = entriesOf(file, principal, true)!;
      const current = entryOf(entries, server);
      const updated = change(current?.url === url ? current : { url });
      if (updated === undefined) {
        delete entries[server];
        if (principal !== DEFAULT_PRINCIPAL && Object.keys(entries).length === 0) {
          delete file.principals[principal];
        }
      } else setEntry(entries, server, { ...updated, url, savedAt: new Date().toISOString() });
      await this.#write(file);
    });
    this.#writing = next;
    return next;
  }

  /**
   * Removes one principal's sign-in to one server.
   *
   * @param key The server's name (the default principal's sign-in), or a principal and a server.
   * @returns Whether there was one.
   * @throws {Error} When the file cannot be written.
   */
  async remove(key: SignInKey): Promise<boolean> {
    const { principal, server } = keyOf(key);
    let found = false;
    const next = this.#writing.catch(() => {}).then(async () => {
      const file = await this.#read();
      const entries = entriesOf(file, principal, false);
      found = entryOf(entries, server) !== undefined;
      if (!found || entries === undefined) return;
      delete entries[server];
      if (principal !== DEFAULT_PRINCIPAL && Object.keys(entries).length === 0) {
        delete file.principals[principal];
      }
      await this.#write(file);
    });
    this.#writing = next;
    await next;
    return found;
  }

  /**
   * Every stored sign-in, without secrets.
   *
   * @returns One summary per principal and server: the default principal's first, then by principal id, each
   * principal's by server name.
   * @throws {Error} When the file exists but cannot be read or parsed.
   */
  async list(): Promise<SignInSummary[]> {
    const file = await this.#read();
    const principals = [
      DEFAULT_PRINCIPAL,
      ...Object.keys(file.principals).filter((p) => p !== DEFAULT_PRINCIPAL).sort(),
    ];
    return principals.flatMap((principal) => {
      const entries = entriesOf(file, principal, false) ?? {};
      return Object.keys(entries).sort().map((server) =>
        summarizeSignIn(principal, server, entries[server]!)
      );
    });
  }

  async #read(): Promise<FileShape> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { version: 2, servers: {}, principals: {} };
      throw new Error(`Cannot read the sign-in file "${this.path}": ${(error as Error).message}`);
    }
    try {
      // Version 1 (no `principals`): every entry is the default principal's.
      const parsed = JSON.parse(text) as Partial<FileShape>;
      if (typeof parsed.servers !== "object" || parsed.servers === null) {
        throw new Error("no servers");
      }
      const principals = parsed.principals ?? {};
      if (typeof principals !== "object" || principals === null || Array.isArray(principals)) {
        throw new Error("bad principals");
      }
      return { version: 2, servers: parsed.servers, principals };
    } catch {
      throw new Error(
        `Cannot read the sign-in file "${this.path}": it is not a sign-in file of mcp-executor (remove it and sign in again)`,
      );
    }
  }

  async #write(file: FileShape): Promise<void> {
    // Version 1, as before principals existed, while only the default principal has signed in; version 2 (with
    // `principals`) once another principal has.
    const dir = dirname(this.path);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${crypto.randomUUID()}.tmp`;
    try {
      const shape = Object.keys(file.principals).length === 0
        ? { version: 1, servers: file.servers }
        : file;
      await Deno.writeTextFile(temp, JSON.stringify(shape, null, 2) + "\n", {
        mode: 0o600,
        createNew: true,
      });
      await Deno.chmod(temp, 0o600);
      await Deno.rename(temp, this.path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw new Error(`Cannot write the sign-in file "${this.path}": ${(error as Error).message}`);
    }
  }
}

/**
 * The old name of {@linkcode FileSignInStore}.
 *
 * @deprecated Use {@linkcode FileSignInStore}: "token" alone names LLM tokens.
 *
 * @example
 * ```ts
 * import { FileSignInStore, TokenStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * assert.equal(TokenStore, FileSignInStore);
 * ```
 */
export const TokenStore: typeof FileSignInStore = FileSignInStore;
/**
 * The old name of {@linkcode FileSignInStore}.
 *
 * @deprecated Use {@linkcode FileSignInStore}.
 */
export type TokenStore = FileSignInStore;
/**
 * The old name of {@linkcode defaultSignInFile}.
 *
 * @deprecated Use {@linkcode defaultSignInFile}.
 *
 * @example
 * ```ts
 * import { defaultSignInFile, defaultTokenFile } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * assert.equal(defaultTokenFile({ HOME: "/home/ada" }), defaultSignInFile({ HOME: "/home/ada" }));
 * ```
 */
export const defaultTokenFile: typeof defaultSignInFile = defaultSignInFile;
/**
 * The old name of {@linkcode SIGN_IN_FILE_ENV}.
 *
 * @deprecated Use {@linkcode SIGN_IN_FILE_ENV}.
 *
 * @example
 * ```ts
 * import { SIGN_IN_FILE_ENV, TOKEN_FILE_ENV } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * assert.equal(TOKEN_FILE_ENV, SIGN_IN_FILE_ENV);
 * ```
 */
export const TOKEN_FILE_ENV: typeof SIGN_IN_FILE_ENV = SIGN_IN_FILE_ENV;
