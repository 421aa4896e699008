/**
 * File helpers of the skills store: atomic writes and a lock between processes.
 *
 * @module
 */

import { join } from "node:path";

/**
 * Writes a file atomically: a temporary file beside it, then a rename over it. A crash leaves the old file or the
 * new one, never a part.
 *
 * @param path The file.
 * @param text Its new text.
 * @returns Resolves once the new file is in place.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * Reads a text file synchronously.
 *
 * @param path The file.
 * @returns Its text, or `undefined` when it does not exist.
 * @throws {Error} When it exists but cannot be read.
 */
export function readTextIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** A lock held on a folder; release it when done. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes an exclusive lock on a folder by creating `<dir>/.lock` (a folder, created atomically) holding the owner's
 * process id. A lock whose owner is gone (killed mid-save) is taken over.
 *
 * @param dir The folder to lock; it must exist.
 * @param options How long to wait for another holder, in milliseconds, and what to name in the error.
 * @returns The held lock.
 * @throws {Error} When another live process holds it for longer than the timeout.
 */
export async function lockFolder(
  dir: string,
  options: { timeoutMs: number; what: string },
): Promise<HeldLock> {
  const lock = join(dir, ".lock");
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    try {
      await Deno.mkdir(lock);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (await isStale(lock, options.timeoutMs)) {
        await takeOver(lock);
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Cannot ${options.what}: another save has held its lock for ${options.timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
      continue;
    }
    try {
      await Deno.writeTextFile(join(lock, "owner"), String(Deno.pid));
    } catch (error) {
      // A full disk: a lock without its owner would hold up the next save until it timed out.
      await Deno.remove(lock, { recursive: true }).catch(() => {});
      throw error;
    }
    return { release: () => Deno.remove(lock, { recursive: true }).catch(() => {}) };
  }
}

/** Moves a stale lock aside, then removes it, so that two processes taking over cannot both succeed. */
async function takeOver(lock: string): Promise<void> {
  const aside = `${lock}-stale-${crypto.randomUUID()}`;
  try {
    await Deno.rename(lock, aside);
    await Deno.remove(aside, { recursive: true });
  } catch {
    // Another process took it over first.
  }
}

/**
 * Removes folders if they are empty (the folders a failed save of a new skill made); others are left alone.
 *
 * @param paths The folders, innermost first.
 * @returns Resolves once tried.
 */
export async function removeEmptyFolders(...paths: string[]): Promise<void> {
  for (const path of paths) await Deno.remove(path).catch(() => {});
}

/**
 * An error of the file system while saving a skill, as a message that names the action and the cause but not the
 * host's paths (`No space left on device (os error 28)`). Other errors are returned as they are.
 *
 * @param what The action, e.g. `Cannot save skill "x"`.
 * @param error What was thrown.
 * @returns The error to throw.
 */
export function fileSystemError(what: string, error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== "string") {
    return error;
  }
  if (error.message.startsWith(what)) return error;
  const cause = error.message.replace(/: \w+ '.*'$/s, "");
  return new Error(`${what}: the skills folder cannot be written: ${cause}`, { cause: error });
}

async function isStale(lock: string, timeoutMs: number): Promise<boolean> {
  try {
    const owner = Number(await Deno.readTextFile(join(lock, "owner")));
    // Without /proc (not Linux), a lock older than the timeout is taken as stale instead.
    if (Number.isInteger(owner) && owner > 0 && Deno.build.os === "linux") return !pidAlive(owner);
  } catch {
    // No owner file yet: the holder is between mkdir and write, or died there.
  }
  try {
    const info = await Deno.stat(lock);
    return Date.now() - (info.mtime?.getTime() ?? Date.now()) > timeoutMs;
  } catch {
    return false;
  }
}
