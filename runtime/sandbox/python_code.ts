/**
 * Preparing a Python task for the sandbox: the code goes as it is (Python runs it as a module body with top-level
 * `await`; line N is the agent's line N), with the servers it may call and the folders to mount into the
 * interpreter's file system (the workspace and the task's granted folders), each checked by the Worker's own
 * permissions when Python opens a file there.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { ServerBinding, WorkerPermissions } from "../wire/mod.ts";
import type { PreparedCode } from "./prepare_code.ts";
import { resolvePythonSkills } from "../skills/mod.ts";

/** What {@linkcode preparePythonCode} needs besides the code. */
export interface PythonCodeOptions {
  /** The servers in scope. */
  servers?: ServerBinding[];
  /** The task's extra permissions: their folders are mounted. */
  permissions?: WorkerPermissions;
  /** The working folder (the workspace). */
  cwd?: string;
  /** The shared skills folder, where `skills.<name>` imports are found. */
  skillsDir?: string;
  /** The task principal's private skill folder of a name, which wins over the shared one. */
  privateSkillFolder?(name: string): string | undefined;
}

/** The longest Python source accepted, in characters (as for TypeScript, the message limit applies too). */
const MAX_SOURCE_CHARS = 1_000_000;

/**
 * Prepares Python agent code.
 *
 * @param code The agent's Python code.
 * @param options The servers in scope, the task's extra permissions and its working folder.
 * @returns The prepared code, format `python`.
 * @throws {SyntaxError} When the code is empty or holds a NUL character, or imports a skill that is missing or not
 *   a Python skill.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { preparePythonCode } from "./python_code.ts";
 * const prepared = preparePythonCode("1 + 1", {
 *   servers: [{ name: "memory", identifier: "memory", moduleUrl: "file:///app/servers/memory/index.ts" }],
 * });
 * assert.equal(prepared.format, "python");
 * assert.deepEqual(prepared.python?.servers, [{ identifier: "memory", dir: "/app/servers/memory" }]);
 * ```
 */
export function preparePythonCode(
  code: string,
  options: PythonCodeOptions = {},
): PreparedCode {
  if (code.trim() === "") throw new SyntaxError("Cannot run Python code: it is empty");
  if (code.includes("\u0000")) {
    throw new SyntaxError("Cannot run Python code: it holds a NUL character");
  }
  if (code.length > MAX_SOURCE_CHARS) {
    throw new SyntaxError(
      `Cannot run Python code: it is ${code.length} characters, over the limit of ${MAX_SOURCE_CHARS}`,
    );
  }
  const servers = (options.servers ?? []).map((binding) => ({
    identifier: binding.identifier,
    dir: dirname(fromFileUrl(binding.moduleUrl)),
  }));
  const mounts = new Set<string>();
  if (options.cwd !== undefined) mounts.add(options.cwd);
  for (const path of [...options.permissions?.read ?? [], ...options.permissions?.write ?? []]) {
    if (isAbsolute(path)) mounts.add(path);
  }
  let skills: Record<string, string>;
  try {
    skills = resolvePythonSkills(code, (name) =>
      options.privateSkillFolder?.(name) ??
        (options.skillsDir === undefined ? undefined : join(options.skillsDir, name)));
  } catch (error) {
    throw new SyntaxError((error as Error).message);
  }
  return {
    format: "python",
    source: code,
    firstLineOffset: 0,
    python: {
      servers,
      mounts: [...mounts].filter(isFolder),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(Object.keys(skills).length === 0 ? {} : { skills }),
    },
  };
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
