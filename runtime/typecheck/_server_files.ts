/**
 * `ServerFiles`: which generated files of the task's servers changed since the compiler last saw them (a server's
 * tools changed, or an output type was inferred), by modification time.
 *
 * @module
 */

import { join } from "node:path";

/** Tracks the generated files of `servers/` by modification time. */
export class ServerFiles {
  #dir: string;
  #seen = new Map<string, number>();

  /**
   * @param serversDir The generated `servers/` folder.
   */
  constructor(serversDir: string) {
    this.#dir = serversDir;
  }

  /**
   * The files of these servers' folders (and `_client.ts`) that changed or appeared since the last call.
   *
   * @param dirs Folder names under `servers/`.
   * @returns Absolute paths, changed and created.
   */
  async changes(dirs: readonly string[]): Promise<{ changed: string[]; created: string[] }> {
    const changed: string[] = [];
    const created: string[] = [];
    const paths = [join(this.#dir, "_client.ts")];
    for (const dir of dirs) {
      try {
        for await (const entry of Deno.readDir(join(this.#dir, dir))) {
          if (entry.isFile && entry.name.endsWith(".ts")) {
            paths.push(join(this.#dir, dir, entry.name));
          }
        }
      } catch {
        // A server without modules yet: its import is reported as missing.
      }
    }
    for (const path of paths) {
      let mtime: number;
      try {
        mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
      } catch {
        continue;
      }
      const seen = this.#seen.get(path);
      if (seen === undefined) created.push(path);
      else if (seen !== mtime) changed.push(path);
      this.#seen.set(path, mtime);
    }
    return { changed, created };
  }
}
