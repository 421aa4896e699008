/**
 * A copy of the checkout for tests that run the project's documented commands as a reader would, in the project
 * folder: they write there (servers/ beside mcp.json, a skill's statistics), so they run in a copy, never in the
 * checkout itself, and can assert that the copy's `git status` stays clean.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root folder. */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/**
 * Runs git and returns what it printed.
 *
 * @param cwd The repository.
 * @param args git's arguments.
 * @returns Its standard output.
 */
export function git(cwd: string, ...args: string[]): string {
  const out = new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Whether ROOT is a git checkout whose files a test can list (a copy needs it). */
export function isCheckout(): boolean {
  try {
    return git(ROOT, "rev-parse", "--show-toplevel").trim() === ROOT;
  } catch {
    return false;
  }
}

/** A copy of the checkout, removed on dispose. */
export interface CheckoutCopy extends AsyncDisposable {
  /** The copy's root. */
  dir: string;
  /**
   * Environment for commands run in it: `TMPDIR` (where the embedded default keeps server-memory's file) and
   * `MCPX_STATE_DIR` in a scratch folder of its own, so that copies used at once share nothing.
   */
  env: Record<string, string>;
}

/**
 * A copy of the checkout's tracked files as they are now (edits included), committed in a new repository, with the
 * checkout's node_modules linked in so that no package is downloaded again.
 *
 * @returns The copy.
 */
export async function copyOfCheckout(): Promise<CheckoutCopy> {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-checkout-" });
  const scratch = await Deno.makeTempDir({ prefix: "mcpx-checkout-scratch-" });
  for (const path of git(ROOT, "ls-files", "-z").split("\0").filter(Boolean)) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(join(ROOT, path));
    } catch {
      continue; // deleted in the working tree, not yet committed
    }
    if (!info.isFile) continue;
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.copyFile(join(ROOT, path), join(dir, path));
    if (info.mode !== null) await Deno.chmod(join(dir, path), info.mode & 0o777);
  }
  await Deno.symlink(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const quiet = [
    "-c",
    "user.name=mcpx-test",
    "-c",
    "user.email=test@mcpx.invalid",
    "-c",
    "commit.gpgsign=false",
  ];
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, ...quiet, "commit", "-q", "-m", "copy");
  return {
    dir,
    env: { TMPDIR: scratch, MCPX_STATE_DIR: join(scratch, "state") },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * `git status` of a copy: what changed or appeared, ignored files left out.
 *
 * @param dir The copy's root.
 * @returns Its porcelain lines.
 */
export function changes(dir: string): string[] {
  return git(dir, "status", "--porcelain", "--untracked-files=all").split("\n").filter(Boolean);
}
