/**
 * Type-checking agent code before it runs: {@linkcode TaskTypecheck} (the `typecheck` option of the orchestrator)
 * and {@linkcode TypeChecker} (TypeScript 7, the native compiler, in a process of its own).
 *
 * Agent code is checked as the sandbox runs it: the body of an async function (so a top-level `return` is fine),
 * with the generated `servers/` modules and skills it imports, a namespace per server it may call, and the
 * sandbox's globals (`progress`, `tools`, `args`, `Deno`). The check is loose where agent code is loose: implicit
 * `any`, unused names, and values of type `unknown` are fine; a misspelled property, a missing required field, a
 * wrong primitive type or a function a server does not have are errors.
 *
 * @example
 * ```ts
 * import { TypeChecker } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using checker = new TypeChecker({ serversDir: await Deno.makeTempDir() });
 * const outcome = await checker.check({ code: "progress(1, 2);\nreturn 1;", servers: [] });
 * assert.deepEqual(outcome?.diagnostics, []);
 * ```
 *
 * @module
 */

export {
  diagnosticLines,
  MAX_DIAGNOSTICS_CHARS,
  MAX_LISTED_DIAGNOSTICS,
  TYPECHECK_MODES,
  type TypecheckMode,
  type TypeDiagnostic,
} from "./diagnostics.ts";
export {
  checkedTexts,
  type CheckInput,
  type CheckOutcome,
  TypeChecker,
  type TypeCheckerOptions,
} from "./type_checker.ts";
export { COMPILER_OPTIONS, IGNORED_CODES } from "./_diagnostic_map.ts";
export {
  parseTypecheckMode,
  type TaskCheck,
  type TaskCheckInput,
  TaskTypecheck,
  TYPE_WARNING_PREFIX,
} from "./task_typecheck.ts";
