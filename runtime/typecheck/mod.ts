/**
 * Type-checking agent code before it runs: {@linkcode TaskTypecheck} (the `typecheck` option of the orchestrator),
 * {@linkcode TypeChecker} (a TypeScript language service in a Worker of its own) and {@linkcode AgentChecker} (the
 * same service in the calling thread, for benchmarks and tools).
 *
 * Agent code is checked as the sandbox runs it: the body of an async function (so a top-level `return` is fine),
 * with the generated `servers/` modules and skills it imports, a namespace per server it may call, and the
 * sandbox's globals (`progress`, `tools`, `args`, `Deno`). The check is loose where agent code is loose: implicit
 * `any`, unused names, and values of type `unknown` are fine; a misspelled property, a missing required field, a
 * wrong primitive type or a function a server does not have are errors.
 *
 * @example
 * ```ts
 * import { AgentChecker } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const checker = new AgentChecker({ serversDir: await Deno.makeTempDir() });
 * assert.deepEqual(checker.check({ code: "progress(1, 2);\nreturn 1;", servers: [] }), []);
 * ```
 *
 * @module
 */

export { AgentChecker, type AgentCheckerOptions, type CheckInput } from "./agent_checker.ts";
export {
  diagnosticLines,
  MAX_DIAGNOSTICS_CHARS,
  MAX_LISTED_DIAGNOSTICS,
  TYPECHECK_MODES,
  type TypecheckMode,
  type TypeDiagnostic,
} from "./diagnostics.ts";
export { type CheckOutcome, TypeChecker, type TypeCheckerOptions } from "./type_checker.ts";
export {
  parseTypecheckMode,
  type TaskCheck,
  type TaskCheckInput,
  TaskTypecheck,
  TYPE_WARNING_PREFIX,
} from "./task_typecheck.ts";
