/**
 * The pattern blocker: screens agent code before it runs and refuses obvious escape attempts (Deno.permissions,
 * eval and the Function constructor, Workers, WebAssembly, remote imports, FFI, subprocesses, hijacking the
 * sandbox's message channel) with a clear, positioned reason. It is a screen, not the boundary: the sandbox
 * process and its permissions are what actually contain agent code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockedCodeError, RULES, screenCode } from "./mod.ts";
 * const result = screenCode('import { readGraph } from "servers/memory/index.ts";\nreturn await readGraph();');
 * if (!result.ok) throw new BlockedCodeError(result.findings);
 * assert.ok(RULES.some((rule) => rule.name === "deno-permissions"));
 * ```
 *
 * @module
 */

export { screenCode } from "./screen_code.ts";
export type { ScreenOptions } from "./screen_code.ts";
export { BlockedCodeError } from "./blocked_code_error.ts";
export type { BlockedCodeWire } from "./blocked_code_error.ts";
export { RULES } from "./rules.ts";
export type { BlockerPolicy, RuleAction, RuleInfo, RuleName } from "./rules.ts";
export type { Finding, ScreenResult } from "./finding.ts";
