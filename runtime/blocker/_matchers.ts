/**
 * Which rules a resolved reference matches, and the words a finding uses for it.
 *
 * @module
 */

import { BRIDGE_SYMBOL_KEY } from "../wire/mod.ts";
import type { Ref } from "./_refs.ts";
import { SYMBOL_KEY_PREFIX, UNKNOWN_KEY } from "./_refs.ts";
import type { RuleName } from "./rules.ts";

/** A rule match before the policy is applied. */
export interface Hit {
  rule: RuleName;
  /** What matched, as a noun phrase. */
  reason: string;
  /** False when the match rests on something the screen could not evaluate; such hits warn at most. */
  certain: boolean;
}

/** The global key under which the Worker bootstrap keeps the bridge. */
export const BRIDGE_KEY = `${SYMBOL_KEY_PREFIX}Symbol.for(${JSON.stringify(BRIDGE_SYMBOL_KEY)})`;

/** Globals whose replacement would hijack the Worker's message channel. */
export const CHANNEL_GLOBALS: ReadonlySet<string> = new Set([
  "postMessage",
  "onmessage",
  "onmessageerror",
  "addEventListener",
  "removeEventListener",
  "dispatchEvent",
  "close",
]);

const SUBPROCESS: ReadonlySet<string> = new Set([
  "Command",
  "ChildProcess",
  "run",
  "kill",
  "spawn",
  "spawnSync",
  "spawnChild",
]);

/**
 * The rules the refs of one expression match.
 *
 * @param refs What the expression may be.
 * @returns One hit per rule (the first reason wins).
 */
export function matchRefs(refs: readonly Ref[]): Hit[] {
  const hits = new Map<RuleName, Hit>();
  for (const ref of refs) {
    const hit = ref.kind === "global"
      ? matchPath(ref.path)
      : ref.kind === "function-constructor"
      ? sure("function-constructor", "the Function constructor reached through .constructor")
      : undefined;
    if (hit !== undefined && !hits.has(hit.rule)) hits.set(hit.rule, hit);
  }
  return [...hits.values()];
}

/** The rules a path from the global object matches. */
function matchPath(path: readonly string[]): Hit | undefined {
  const [root, key] = path;
  const shown = displayPath(path.slice(0, 2));
  switch (root) {
    case undefined:
      return undefined;
    case "Deno":
      return key === undefined ? undefined : matchDeno(key, shown);
    case "__bootstrap":
      return sure("deno-internals", "access to __bootstrap");
    case "eval":
      return sure("eval", "eval()");
    case "Function":
      return key === "prototype"
        ? undefined
        : sure("function-constructor", "the Function constructor");
    case "Worker":
    case "SharedWorker":
      return sure("worker", `${root} (agent code cannot start threads)`);
    case "WebAssembly":
      return sure("webassembly", `${shown}`);
    case "SharedArrayBuffer":
      return sure("shared-array-buffer", "SharedArrayBuffer");
    case "Atomics":
      if (key === "wait" || key === "waitAsync") {
        return sure("atomics-wait", `Atomics.${key}() (blocks the thread)`);
      }
      return key === UNKNOWN_KEY ? unsure("atomics-wait", "a computed Atomics method") : undefined;
    case UNKNOWN_KEY:
      return unsure("dynamic-global", "a computed property of globalThis");
    default:
      return undefined;
  }
}

function matchDeno(key: string, shown: string): Hit | undefined {
  if (key === "permissions") return sure("deno-permissions", "access to Deno.permissions");
  if (key === "internal" || key === "core") return sure("deno-internals", `access to ${shown}`);
  if (key.startsWith(SYMBOL_KEY_PREFIX)) {
    return sure("deno-internals", `symbol-keyed access to ${shown}`);
  }
  if (key === UNKNOWN_KEY) return unsure("deno-internals", "a computed property of Deno");
  if (key === "dlopen" || key.startsWith("Unsafe")) {
    return sure("ffi", `${shown} (foreign functions)`);
  }
  if (SUBPROCESS.has(key)) return sure("subprocess", `${shown} (subprocesses)`);
  return undefined;
}

/** A path as source text: `Deno.permissions`, `Deno[Symbol.for("x")]`, `globalThis[…]`. */
export function displayPath(path: readonly string[]): string {
  let out = "globalThis";
  for (const [index, key] of path.entries()) {
    if (key === UNKNOWN_KEY) out += "[…]";
    else if (key.startsWith(SYMBOL_KEY_PREFIX)) out += `[${key.slice(SYMBOL_KEY_PREFIX.length)}]`;
    else out = index === 0 ? key : `${out}.${key}`;
  }
  return out;
}

/** A certain hit. */
export function sure(rule: RuleName, reason: string): Hit {
  return { rule, reason, certain: true };
}

/** A hit that rests on something the screen could not evaluate. */
export function unsure(rule: RuleName, reason: string): Hit {
  return { rule, reason, certain: false };
}
