/**
 * Session folders: each session (`AgentTask.session`) gets one folder, `<sessionsDir>/<session>/`, that holds its
 * workspaces. A task of a session that names a workspace gets `<sessionsDir>/<session>/<workspace>/` as its working
 * folder, with read and write access to it; nothing outside its own session's folder. The folder is measured after
 * each task against a size quota.
 *
 * @module
 */

import { join } from "node:path";

/** Letters, digits, ".", "_" and "-": a name that is safe as one folder name. */
const FOLDER_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a name that becomes one folder (a session's, a workspace's): letters, digits, ".", "_" and "-", at most
 * `most` characters, not `.` or `..`.
 *
 * @param what What the name is, for the message (`"session id"`).
 * @param name The name.
 * @param most Its longest allowed length.
 * @returns The name.
 * @throws {TypeError} Naming `what`, the value and the rule.
 */
export function checkFolderName(what: string, name: unknown, most: number): string {
  if (
    typeof name !== "string" || name.length > most || !FOLDER_NAME.test(name) || name === "." ||
    name === ".."
  ) {
    throw new TypeError(
      `Invalid ${what} ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", at most ${most} characters`,
    );
  }
  return name;
}

/**
 * Checks a session id: letters, digits, `.`, `_` and `-`, at most 128 characters, not `.` or `..`.
 *
 * @param id The session id.
 * @returns The id.
 * @throws {TypeError} When the id is not valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateSessionId } from "@mcp-executor/runtime";
 * assert.equal(validateSessionId("client-1"), "client-1");
 * assert.throws(() => validateSessionId("../other"), TypeError);
 * ```
 */
export function validateSessionId(id: unknown): string {
  return checkFolderName("session id", id, 128);
}

/** Options for {@linkcode SessionSpaces}. */
export interface SessionSpacesOptions {
  /** The folder holding one folder per session. */
  dir: string;
  /** The most a session's folder may hold, in bytes. */
  quotaBytes: number;
}

/**
 * The session folders of one orchestrator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionSpaces } from "./session_spaces.ts";
 * const dir = await Deno.makeTempDir();
 * const spaces = new SessionSpaces({ dir, quotaBytes: 10 });
 * const folder = spaces.workspacePath("s1", "notes");
 * await Deno.mkdir(folder, { recursive: true });
 * await Deno.writeTextFile(`${folder}/a.txt`, "more than ten bytes");
 * assert.equal(await spaces.usage("s1"), 19);
 * assert.match((await spaces.overQuota("s1"))!, /over its quota/);
 * await spaces.end("s1");
 * assert.equal(await spaces.usage("s1"), 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SessionSpaces {
  #options: SessionSpacesOptions;

  /**
   * @param options The sessions folder and the quota.
   * @throws {RangeError} When the quota is not a positive number.
   */
  constructor(options: SessionSpacesOptions) {
    if (!(options.quotaBytes > 0)) {
      throw new RangeError(
        `Cannot set the session quota: it must be above 0 bytes, got ${options.quotaBytes}`,
      );
    }
    this.#options = options;
  }

  /** The quota, in bytes. */
  get quotaBytes(): number {
    return this.#options.quotaBytes;
  }

  /**
   * The folder of one session.
   *
   * @param session The session id.
   * @returns `<dir>/<session>`.
   * @throws {TypeError} When the id is not valid.
   */
  sessionPath(session: string): string {
    return join(this.#options.dir, validateSessionId(session));
  }

  /**
   * The folder of a workspace of one session.
   *
   * @param session The session id.
   * @param workspace The workspace name, already checked by the caller.
   * @returns `<dir>/<session>/<workspace>`.
   * @throws {TypeError} When the session id is not valid.
   */
  workspacePath(session: string, workspace: string): string {
    return join(this.sessionPath(session), workspace);
  }

  /**
   * What the session's folder holds: the sum of its files' sizes (symbolic links count their own size).
   *
   * @param session The session id.
   * @returns Bytes (0 when the folder does not exist).
   */
  async usage(session: string): Promise<number> {
    return await folderSize(this.sessionPath(session));
  }

  /**
   * Measures the session's folder and says whether it is over the quota.
   *
   * @param session The session id.
   * @returns A message naming the size and the limit when over, `undefined` otherwise.
   */
  async overQuota(session: string): Promise<string | undefined> {
    const used = await this.usage(session);
    if (used <= this.#options.quotaBytes) return undefined;
    return `the workspaces of session "${session}" hold ${formatMb(used)}, over its quota of ${
      formatMb(this.#options.quotaBytes)
    } (limit "sessionQuotaMb"): delete files in the workspace to get under it`;
  }

  /**
   * Removes the session's folder and everything in it.
   *
   * @param session The session id.
   * @returns Resolves once removed (also when it did not exist).
   */
  async end(session: string): Promise<void> {
    await Deno.remove(this.sessionPath(session), { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

async function folderSize(path: string): Promise<number> {
  let total = 0;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory) total += await folderSize(child);
    else total += (await Deno.lstat(child).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

function formatMb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MB`;
}
