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

/** A lock held on a folder; release it when done. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes an exclusive lock on a folder: an advisory lock (`Deno.FsFile.tryLock`, `flock` on Unix) on `<dir>/.lock`.
 * The operating system releases it when its holder exits, however it exits, so a holder killed mid-save never
 * holds up the next one. Release removes the file; a waiter that locked a file already removed tries again, so two
 * holders never overlap.
 *
 * @param dir The folder to lock; it must exist.
 * @param options How long to wait for another holder, in milliseconds, and what to name in the error.
 * @returns The held lock.
 * @throws {Error} When another holder keeps it for longer than the timeout.
 */
export async function lockFolder(
  dir: string,
  options: { timeoutMs: number; what: string },
): Promise<HeldLock> {
  const path = join(dir, ".lock");
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    const file = await openLockFile(path);
    let held = false;
    try {
      held = await file.tryLock(true) && await samePath(file, path);
    } finally {
      if (!held) file.close();
    }
    if (held) {
      return {
        async release() {
          await Deno.remove(path).catch(() => {});
          file.close();
        },
      };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Cannot ${options.what}: another save has held its lock for ${options.timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
  }
}

async function openLockFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { create: true, write: true, mode: 0o600 });
  } catch (error) {
    // A `.lock` folder left by a version that locked with folders: it locks nothing now.
    if (!(error instanceof Deno.errors.IsADirectory)) throw error;
    await Deno.remove(path, { recursive: true }).catch(() => {});
    return await Deno.open(path, { create: true, write: true, mode: 0o600 });
  }
}

/** Whether the locked file is still the one at `path` (its holder may have removed it in between). */
async function samePath(file: Deno.FsFile, path: string): Promise<boolean> {
  try {
    const [opened, current] = await Promise.all([file.stat(), Deno.stat(path)]);
    return opened.ino === current.ino && opened.dev === current.dev;
  } catch {
    return false;
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
