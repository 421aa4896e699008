/**
 * The files the compiler may see: the checker's own folder, the generated `servers/` and the `skills/` folder.
 * Agent code is checked before the sandbox refuses its imports, so without this an `import "/home/x/secrets.ts"`,
 * a `typeof import(...)` or a `/// <reference path>` would let the compiler read any host file and describe its
 * types (string literal types included) in the messages the agent reads. Everything else does not exist for it.
 *
 * @module
 */

import { basename, dirname, join, normalize, resolve } from "node:path";
import type { FileSystem } from "typescript-native/unstable/fs";

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Callbacks that hide every file outside `roots` from the compiler (and defer to the real file system inside).
 *
 * @param roots Folders the compiler may read; `undefined` entries are skipped.
 * @returns The compiler's file system callbacks.
 */
export function confinedFileSystem(roots: ReadonlyArray<string | undefined>): FileSystem {
  const allowed = roots.filter((r): r is string => r !== undefined).flatMap((root) => {
    const real = realPath(root);
    return real === resolve(root) ? [real] : [real, resolve(root)];
  });
  const inside = (path: string): boolean => {
    const p = normalize(path);
    return allowed.some((root) =>
      p === root || p.startsWith(root.endsWith("/") ? root : `${root}/`)
    );
  };
  /** A folder above a root: the compiler walks up from a file while it resolves modules. */
  const above = (path: string): boolean => {
    const p = normalize(path).replace(/\/+$/, "");
    return allowed.some((root) => p === "" || root.startsWith(`${p}/`));
  };
  // The compiler's own lib files lie beside its executable, in the platform package.
  const libDirs = new Map<string, boolean>();
  const isLib = (file: string): boolean => {
    if (!/^lib\.[\w.-]+\.d\.ts$/.test(basename(file))) return false;
    const dir = dirname(normalize(file));
    let known = libDirs.get(dir);
    if (known === undefined) {
      known = ["tsc", "tsgo"].some((exe) => {
        try {
          return Deno.statSync(join(dir, exe)).isFile;
        } catch {
          return false;
        }
      });
      libDirs.set(dir, known);
    }
    return known;
  };
  return {
    readFile: (file) => (inside(file) || isLib(file) ? undefined : null),
    fileExists: (file) => (inside(file) || isLib(file) ? undefined : false),
    directoryExists: (dir) => (inside(dir) || above(dir) ? undefined : false),
    getAccessibleEntries: (dir) => (inside(dir) ? undefined : { files: [], directories: [] }),
    // A symlink inside a root must not lead the compiler out of it.
    realpath: (path) => (inside(path) && inside(realPath(path)) ? undefined : path),
  };
}
