/**
 * The blocker's rules: their names, default actions and what each catches, and how a policy changes them.
 *
 * @module
 */

/**
 * What a rule does with a match: refuse the code, report it, or ignore it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type RuleAction } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const action: RuleAction = "block";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`,
 *   blockerPolicy: { "deno-permissions": action } });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "x", code: 'await Deno.permissions.request({ name: "net" });',
 *   requiredTools: [], status: "pending" });
 * assert.equal(result.error?.code, "blocked");
 * ```
 */
export type RuleAction = "block" | "warn" | "allow";

/**
 * The name of every rule the blocker knows.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type RuleName } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const rule: RuleName = "deno-permissions";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers`,
 *   blockerPolicy: { [rule]: "warn" } });
 * await orch.initialize();
 * const result = await orch.executeTask({ id: "t1", description: "x", code: 'typeof Deno.permissions;\nreturn 1;',
 *   requiredTools: [], status: "pending" });
 * assert.match(result.warnings?.[0] ?? "", /deno-permissions/);
 * ```
 */
export type RuleName =
  | "syntax"
  | "deno-permissions"
  | "deno-internals"
  | "dynamic-import"
  | "remote-import"
  | "node-builtin"
  | "import-specifier"
  | "eval"
  | "function-constructor"
  | "worker"
  | "webassembly"
  | "atomics-wait"
  | "shared-array-buffer"
  | "ffi"
  | "subprocess"
  | "prototype-pollution"
  | "global-override"
  | "dynamic-global";

/** A rule as {@linkcode RULES} lists it. */
export interface RuleInfo {
  /** The rule's name, as findings and policies spell it. */
  name: RuleName;
  /** What the rule does when no policy says otherwise. */
  defaultAction: RuleAction;
  /** What the rule catches, in a sentence. */
  description: string;
}

/** A policy read from configuration: rule name to action. Unknown names are refused by {@linkcode resolvePolicy}. */
export interface BlockerPolicy {
  /** The action for the named rule. */
  [rule: string]: RuleAction;
}

/**
 * Every rule, in the order the docs list them.
 *
 * A match the blocker is sure of takes the rule's action. A match it cannot prove (a computed key it cannot
 * evaluate, such as `Deno[name]`) is reported as `"warn"` at most, whatever the action.
 *
 * @example List the rules that block by default
 * ```ts
 * import assert from "node:assert/strict";
 * import { RULES } from "./rules.ts";
 * const blocking = RULES.filter((rule) => rule.defaultAction === "block").map((rule) => rule.name);
 * assert.ok(blocking.includes("eval"));
 * ```
 */
export const RULES: readonly RuleInfo[] = Object.freeze([
  rule(
    "syntax",
    "block",
    "Code that does not parse cannot be screened; its policy cannot be changed.",
  ),
  rule("deno-permissions", "block", "Any access to Deno.permissions (query, request, revoke)."),
  rule(
    "deno-internals",
    "block",
    "Deno.internal, Deno.core, __bootstrap, symbol-keyed access to Deno and reflection over Deno's own " +
      "symbols; a computed key on Deno that cannot be evaluated warns.",
  ),
  rule(
    "dynamic-import",
    "block",
    'import() of anything but a string literal naming a "servers/" or "skills/" module.',
  ),
  rule(
    "remote-import",
    "block",
    "Static or dynamic import or re-export of http:, https:, data:, blob:, npm: or jsr: specifiers.",
  ),
  rule("node-builtin", "block", "Static or dynamic import or re-export of node: built-ins."),
  rule(
    "import-specifier",
    "block",
    'A static import or re-export of anything but a "servers/" or "skills/" module.',
  ),
  rule("eval", "block", "eval in any spelling: direct, indirect, through globalThis or an alias."),
  rule(
    "function-constructor",
    "block",
    "The Function constructor and its async and generator siblings, reached by name or through a " +
      ".constructor chain.",
  ),
  rule("worker", "block", "Worker and SharedWorker in any spelling."),
  rule("webassembly", "block", "Any access to WebAssembly."),
  rule(
    "atomics-wait",
    "block",
    "Atomics.wait and Atomics.waitAsync; other Atomics methods are allowed.",
  ),
  rule("shared-array-buffer", "block", "Any access to SharedArrayBuffer."),
  rule("ffi", "block", "Deno.dlopen and the Deno.Unsafe* foreign-function classes."),
  rule("subprocess", "block", "Deno.Command, Deno.run, Deno.kill and the older Deno.spawn* calls."),
  rule(
    "prototype-pollution",
    "warn",
    "Writes to __proto__ or to built-in prototypes, and setPrototypeOf/defineProperty/assign on them.",
  ),
  rule(
    "global-override",
    "block",
    "Replacing postMessage, onmessage, the event-listener methods or the sandbox bridge on the global " +
      "object, by assignment, defineProperty, Object.assign or setPrototypeOf.",
  ),
  rule(
    "dynamic-global",
    "warn",
    "A computed property of globalThis whose key cannot be evaluated, and reflection over the global object.",
  ),
]);

const RULE_NAMES: ReadonlySet<string> = new Set(RULES.map((info) => info.name));
const ACTIONS: ReadonlySet<string> = new Set(["block", "warn", "allow"]);

/**
 * Merges a policy over the default actions, refusing unknown rules and actions.
 *
 * @param policy Rule name to action; rules it does not name keep their default.
 * @returns The action of every rule.
 * @throws {TypeError} When the policy names an unknown rule, gives an unknown action, or relaxes `"syntax"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePolicy } from "./rules.ts";
 * const actions = resolvePolicy({ eval: "warn" });
 * assert.ok(actions.get("eval") === "warn" && actions.get("worker") === "block");
 * ```
 */
export function resolvePolicy(policy: BlockerPolicy = {}): Map<RuleName, RuleAction> {
  const actions = new Map<RuleName, RuleAction>(
    RULES.map((info) => [info.name, info.defaultAction]),
  );
  for (const [name, action] of Object.entries(policy)) {
    if (!RULE_NAMES.has(name)) {
      throw new TypeError(
        `Cannot apply blocker policy: unknown rule "${name}" (known rules: ${
          [...RULE_NAMES].join(", ")
        })`,
      );
    }
    if (typeof action !== "string" || !ACTIONS.has(action)) {
      throw new TypeError(
        `Cannot apply blocker policy: rule "${name}" has action "${String(action)}", expected ` +
          `"block", "warn" or "allow"`,
      );
    }
    if (name === "syntax" && action !== "block") {
      throw new TypeError(
        `Cannot apply blocker policy: rule "syntax" cannot be set to "${action}": code that does not parse ` +
          `cannot be screened`,
      );
    }
    actions.set(name as RuleName, action);
  }
  return actions;
}

function rule(name: RuleName, defaultAction: RuleAction, description: string): RuleInfo {
  return Object.freeze({ name, defaultAction, description });
}
