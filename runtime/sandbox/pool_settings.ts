/**
 * The options of a `SandboxPool`, their defaults, and small helpers about folders and permissions.
 *
 * @module
 */

import type { PythonInit } from "../wire/mod.ts";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RUNTIME_MODULE_FILE } from "../codegen/mod.ts";
import type { WorkerPermissions } from "../wire/mod.ts";

/** How a {@linkcode SandboxPool} is set up. Every limit is a default a task may override. */
export interface SandboxPoolOptions {
  /** The generated `servers/` folder; agent code may import from it. */
  serversDir: string;
  /** A folder the pool owns: its `DENO_DIR` (wiped at start) and socket folders go here. */
  stateDir: string;
  /** The `skills/` folder; agent code may import from it when given. */
  skillsDir?: string;
  /**
   * The folder of the principals' private skills. No pooled process may read it; a task that imports a private
   * skill runs in a process of its own that may read that principal's folder only. Named here so that its paths in
   * stack traces read `skills/...` and never show the host's folder.
   */
  privateSkillsDir?: string;
  /** The sandbox runtime's folder. Default: `../sandbox_runtime/` beside this module (must be on disk). */
  runtimeDir?: string;
  /** How many idle processes to keep ready. Default: 2. */
  poolSize?: number;
  /** Deadline of a task, in milliseconds. Default: 30 000. */
  timeoutMs?: number;
  /** V8 heap cap of a sandbox process, in MB. Default: 128. */
  heapMb?: number;
  /** Resident-memory limit of a sandbox process, in MB. Default: 256. */
  memoryLimitMb?: number;
  /** Console output kept per task, in bytes. Default: 65 536. */
  maxLogBytes?: number;
  /** The largest single message from a sandbox (return value, tool arguments), in bytes. Default: 16 MiB. */
  maxMessageBytes?: number;
  /** Import the generated server modules in idle Workers before a task arrives. Default: `true`. */
  preloadServers?: boolean;
  /**
   * How many tasks one pooled process may run, each in a fresh Worker, before it is replaced. `1` gives every task
   * a new process. Default: 100.
   */
  maxTasksPerProcess?: number;
  /**
   * A process whose resident memory grew by more than this, in MB, since it was first ready (fresh Worker
   * after a task against the first) is not reused: the next task then starts from about the memory of a fresh
   * process, so the memory limits act the same. Default: 8.
   */
  maxReuseRssGrowthMb?: number;
  /**
   * Makes this a pool of Python processes: each Worker loads Pyodide from here (its snapshot when given) before it
   * reports ready, and tasks are Python code. See `runtime/python/python_pool.ts`. Default: a TypeScript pool.
   */
  python?: PythonInit;
}

/** {@linkcode SandboxPoolOptions} with every default filled in and every path absolute. */
export interface PoolSettings {
  serversDir: string;
  stateDir: string;
  skillsDir: string | undefined;
  privateSkillsDir: string | undefined;
  runtimeDir: string;
  poolSize: number;
  timeoutMs: number;
  heapMb: number;
  memoryLimitMb: number;
  maxLogBytes: number;
  maxMessageBytes: number;
  preloadServers: boolean;
  maxTasksPerProcess: number;
  maxReuseRssGrowthMb: number;
  python?: PythonInit;
}

/**
 * Fills in the defaults of pool options and checks them.
 *
 * @param options The options as given.
 * @returns The complete settings, with absolute paths.
 * @throws {TypeError} When a limit is not a positive number or the pool size not a whole number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePoolSettings } from "./pool_settings.ts";
 * const settings = resolvePoolSettings({ serversDir: "/app/servers", stateDir: "/app/.sandbox" });
 * assert.equal(settings.poolSize, 2);
 * assert.equal(settings.memoryLimitMb, 256);
 * ```
 */
export function resolvePoolSettings(options: SandboxPoolOptions): PoolSettings {
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir();
  const settings: PoolSettings = {
    serversDir: resolve(options.serversDir),
    stateDir: resolve(options.stateDir),
    skillsDir: options.skillsDir === undefined ? undefined : resolve(options.skillsDir),
    privateSkillsDir: options.privateSkillsDir === undefined
      ? undefined
      : resolve(options.privateSkillsDir),
    runtimeDir: resolve(runtimeDir),
    poolSize: options.poolSize ?? 2,
    timeoutMs: options.timeoutMs ?? 30_000,
    heapMb: options.heapMb ?? 128,
    memoryLimitMb: options.memoryLimitMb ?? 256,
    maxLogBytes: options.maxLogBytes ?? 65_536,
    maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    preloadServers: options.preloadServers ?? true,
    maxTasksPerProcess: options.maxTasksPerProcess ?? 100,
    maxReuseRssGrowthMb: options.maxReuseRssGrowthMb ?? 8,
  };
  if (options.python !== undefined) settings.python = options.python;
  for (
    const key of [
      "timeoutMs",
      "heapMb",
      "memoryLimitMb",
      "maxLogBytes",
      "maxMessageBytes",
      "maxReuseRssGrowthMb",
    ] as const
  ) {
    if (!(settings[key] > 0)) {
      throw new TypeError(
        `Cannot create sandbox pool: "${key}" must be a positive number, got ${settings[key]}`,
      );
    }
  }
  if (!Number.isInteger(settings.maxTasksPerProcess) || settings.maxTasksPerProcess < 1) {
    throw new TypeError(
      `Cannot create sandbox pool: "maxTasksPerProcess" must be a whole number of at least 1, got ${settings.maxTasksPerProcess}`,
    );
  }
  if (!Number.isInteger(settings.poolSize) || settings.poolSize < 0) {
    throw new TypeError(
      `Cannot create sandbox pool: "poolSize" must be a whole number, got ${settings.poolSize}`,
    );
  }
  return settings;
}

function defaultRuntimeDir(): string {
  const url = new URL("../sandbox_runtime/", import.meta.url);
  if (url.protocol !== "file:") {
    throw new TypeError(
      `Cannot create sandbox pool: the sandbox runtime is not on disk (${url.protocol}); pass "runtimeDir"`,
    );
  }
  return fileURLToPath(url);
}

/** A generated server's module: the `index.ts` agent code names, and the file the sandbox loads for it. */
export interface ServerModule {
  /** `file:` URL of `<server>/index.ts`. */
  index: string;
  /** `file:` URL of `<server>/_module.js` (every tool function in one file) when present, else `index`. */
  load: string;
}

/**
 * Lists the generated server modules (`<server>/index.ts`) in a `servers/` folder.
 *
 * @param serversDir The folder.
 * @returns One entry a server, sorted; none when the folder does not exist.
 */
export async function listServerModules(serversDir: string): Promise<ServerModule[]> {
  const modules: ServerModule[] = [];
  try {
    for await (const entry of Deno.readDir(serversDir)) {
      if (!entry.isDirectory) continue;
      const index = join(serversDir, entry.name, "index.ts");
      if (!await exists(index)) continue;
      const runtime = join(serversDir, entry.name, RUNTIME_MODULE_FILE);
      modules.push({
        index: pathToFileURL(index).href,
        load: pathToFileURL(await exists(runtime) ? runtime : index).href,
      });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return modules.sort((a, b) => a.index < b.index ? -1 : a.index > b.index ? 1 : 0);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Tells whether a task asks for no permissions of its own, so that a pooled process can run it.
 *
 * @param permissions The task's permissions.
 * @returns `true` when every list is absent or empty.
 */
export function isDefaultPermissions(permissions: WorkerPermissions | undefined): boolean {
  return (permissions?.read?.length ?? 0) === 0 && (permissions?.write?.length ?? 0) === 0 &&
    (permissions?.net?.length ?? 0) === 0;
}

/**
 * The `file:` URL of a folder, ending in `/`.
 *
 * @param path An absolute path.
 * @returns The URL.
 */
export function dirUrl(path: string): string {
  const href = pathToFileURL(path).href;
  return href.endsWith("/") ? href : `${href}/`;
}

/**
 * URL and path prefixes to shorten in agent stacks and messages: `servers/`, `skills/` and `sandbox/`.
 *
 * @param settings The pool's settings.
 * @returns Prefix to short name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathAliases, resolvePoolSettings } from "./pool_settings.ts";
 * const aliases = pathAliases(resolvePoolSettings({ serversDir: "/app/servers", stateDir: "/app/.sandbox" }));
 * assert.equal(aliases["file:///app/servers/"], "servers/");
 * ```
 */
export function pathAliases(settings: PoolSettings): Record<string, string> {
  const { serversDir, skillsDir, privateSkillsDir, runtimeDir } = settings;
  const aliases: Record<string, string> = {
    [dirUrl(serversDir)]: "servers/",
    [`${serversDir}/`]: "servers/",
    [`${runtimeDir}/`]: "sandbox/",
  };
  if (skillsDir !== undefined) {
    aliases[dirUrl(skillsDir)] = "skills/";
    aliases[`${skillsDir}/`] = "skills/";
  }
  if (privateSkillsDir !== undefined) {
    aliases[dirUrl(privateSkillsDir)] = "skills/<private>/";
    aliases[`${privateSkillsDir}/`] = "skills/<private>/";
  }
  return aliases;
}

/**
 * Host paths (and their `file:` URLs) to replace in a crashed sandbox's stderr lines.
 *
 * @param settings The pool's settings.
 * @returns Path to placeholder, e.g. `{ "/app/.sandbox": "<state>" }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathRedactions, resolvePoolSettings } from "./pool_settings.ts";
 * const redactions = pathRedactions(resolvePoolSettings({ serversDir: "/app/servers", stateDir: "/app/.sandbox" }));
 * assert.equal(redactions["/app/.sandbox"], "<state>");
 * ```
 */
export function pathRedactions(settings: PoolSettings): Record<string, string> {
  const { serversDir, skillsDir, privateSkillsDir, runtimeDir, stateDir } = settings;
  const redactions: Record<string, string> = {};
  const named: Array<[string | undefined, string]> = [
    [serversDir, "<servers>"],
    [skillsDir, "<skills>"],
    [privateSkillsDir, "<private skills>"],
    [runtimeDir, "<runtime>"],
    [stateDir, "<state>"],
  ];
  for (const [path, name] of named) {
    if (path === undefined) continue;
    redactions[path] = name;
    redactions[pathToFileURL(path).href] = name;
  }
  return redactions;
}

/**
 * The folder a private skill's principal owns: its parent under the private skills folder (the skill's own folder
 * when the private folder is unknown, which grants less).
 *
 * @param skillFolder A private skill's folder.
 * @param privateSkillsDir The private skills folder, when known.
 * @returns The folder a task that imports the skill may read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { principalFolderOf } from "./pool_settings.ts";
 * assert.equal(principalFolderOf("/app/principal-skills/alice/greet", "/app/principal-skills"), "/app/principal-skills/alice");
 * ```
 */
export function principalFolderOf(
  skillFolder: string,
  privateSkillsDir: string | undefined,
): string {
  const parent = dirname(skillFolder);
  return privateSkillsDir !== undefined && parent.startsWith(`${privateSkillsDir}/`)
    ? parent
    : skillFolder;
}

/**
 * How `skills/<name>/` imports resolve to a task principal's private skills, noting in `used` the principal folder
 * of each one resolved (the folders the task's sandbox must be allowed to read).
 *
 * @param privateSkillFolder The task's lookup: a private skill's folder by name, or `undefined`.
 * @param settings The pool's settings (for the private skills folder).
 * @param used Receives the principal folders of the private skills resolved.
 * @returns The `skillFolderUrl` lookup for `prepareCode`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateSkillUrls, resolvePoolSettings } from "./pool_settings.ts";
 * const settings = resolvePoolSettings({ serversDir: "/app/servers", stateDir: "/s", privateSkillsDir: "/app/p" });
 * const used = new Set<string>();
 * const url = privateSkillUrls((n) => n === "greet" ? "/app/p/alice/greet" : undefined, settings, used);
 * assert.equal(url("greet"), "file:///app/p/alice/greet/");
 * assert.equal(url("other"), undefined);
 * assert.deepEqual([...used], ["/app/p/alice"]);
 * ```
 */
export function privateSkillUrls(
  privateSkillFolder: (name: string) => string | undefined,
  settings: PoolSettings,
  used: Set<string>,
): (name: string) => string | undefined {
  return (name) => {
    const folder = privateSkillFolder(name);
    if (folder === undefined) return undefined;
    used.add(principalFolderOf(folder, settings.privateSkillsDir));
    return dirUrl(folder);
  };
}
