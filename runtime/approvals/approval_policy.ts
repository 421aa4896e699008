/**
 * Which tool calls need a person's approval: a rule per server or per tool (`"allow"`, `"ask"`, `"deny"`), with a
 * default taken from the tool's annotations.
 *
 * @module
 */

import { z } from "zod";
import type { Tool } from "../sdk.ts";
import { parseToolRef } from "../tool_ref.ts";

/**
 * What a rule says about a call: let it out, ask first, or refuse it.
 *
 * @example
 * ```ts
 * import { type ApprovalAction, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = { servers: {} };
 * const ok: ApprovalAction = "deny";
 * assert.ok(new MCPOrchestrator({ config, approvals: { "memory.delete_entities": ok } }));
 * assert.throws(() => new MCPOrchestrator({ config, approvals: { memory: "yes" as ApprovalAction } }), TypeError);
 * ```
 */
export type ApprovalAction = "allow" | "ask" | "deny";

/**
 * Approval rules, keyed by `"*"` (every tool of every server), a server name (`"memory"`: its tools) or a server and
 * a tool (`"filesystem.write_file"`). The most specific key that matches wins; with no match, the default applies:
 * `"ask"` for tools annotated `destructiveHint: true` (and not `readOnlyHint: true`), `"allow"` for the rest.
 *
 * @example
 * ```ts
 * import { type ApprovalRules, MCPOrchestrator } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const approvals: ApprovalRules = { "*": "ask", memory: "allow", "filesystem.write_file": "deny" };
 * assert.ok(new MCPOrchestrator({ config: { servers: {} }, approvals }));
 * assert.throws(() => new MCPOrchestrator({ config: { servers: {} }, approvals: { "bad key": "allow" } }), TypeError);
 * ```
 */
export type ApprovalRules = Record<string, ApprovalAction>;

/** The rule that decided a call. */
export interface ApprovalRule {
  /** What it says. */
  action: ApprovalAction;
  /**
   * Its key in {@linkcode ApprovalRules}, or a default: `"default:destructive"` (annotated destructive),
   * `"default:unknown"` (the tool's definition is not known yet), `"default"` (everything else).
   */
  rule: string;
}

const ACTIONS: readonly string[] = ["allow", "ask", "deny"];
const KEY = /^\S{1,513}$/;

/**
 * The `approvals` section of `mcp-executor.json` and the `approvals` option of `MCPOrchestrator`: keys are `"*"`,
 * a server, or `"server.tool"`; values `"allow"`, `"ask"` or `"deny"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalsConfigSchema } from "./approval_policy.ts";
 * assert.ok(approvalsConfigSchema.safeParse({ memory: "allow", "filesystem.write_file": "ask", "*": "ask" }).success);
 * assert.ok(!approvalsConfigSchema.safeParse({ memory: "yes" }).success);
 * ```
 */
export const approvalsConfigSchema: z.ZodType<ApprovalRules> = z.record(
  z.string().regex(KEY, 'a key is "*", a server name or "server.tool", without spaces'),
  z.enum(["allow", "ask", "deny"]),
);

/** The deadline for an approval, in the `approvalTimeoutMs` key of `mcp-executor.json` and the option. */
export const approvalTimeoutMsSchema: z.ZodNumber = z.number().int().min(1);

/**
 * Approval rules, checked once and looked up per call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ApprovalPolicy } from "./approval_policy.ts";
 * const policy = new ApprovalPolicy({ filesystem: "allow", "filesystem.move_file": "deny" });
 * const destructive = { name: "delete_entities", inputSchema: { type: "object" as const },
 *   annotations: { destructiveHint: true } };
 * assert.deepEqual(policy.ruleFor("memory", destructive), { action: "ask", rule: "default:destructive" });
 * assert.deepEqual(policy.ruleFor("filesystem", { ...destructive, name: "move_file" }), {
 *   action: "deny", rule: "filesystem.move_file" });
 * ```
 */
export class ApprovalPolicy {
  #rules: Map<string, ApprovalAction>;

  /**
   * @param rules The rules; see {@linkcode ApprovalRules}.
   * @throws {TypeError} When a key is empty or holds spaces, or a value is not `"allow"`, `"ask"` or `"deny"`.
   */
  constructor(rules: ApprovalRules = {}) {
    if (typeof rules !== "object" || rules === null || Array.isArray(rules)) {
      throw new TypeError("Cannot use approvals: expected an object of rules");
    }
    this.#rules = new Map();
    for (const [key, action] of Object.entries(rules)) {
      if (!KEY.test(key)) {
        throw new TypeError(
          `Cannot use approvals: key ${
            JSON.stringify(key)
          } must be "*", a server name or "server.tool", without spaces`,
        );
      }
      if (!ACTIONS.includes(action)) {
        throw new TypeError(
          `Cannot use approvals: rule "${key}" must be "allow", "ask" or "deny", got ${
            JSON.stringify(action)
          }`,
        );
      }
      this.#rules.set(key, action);
    }
  }

  /** The configured keys. */
  get keys(): string[] {
    return [...this.#rules.keys()];
  }

  /**
   * The rule for one call: `"server.tool"`, then `"server"`, then `"*"`, then the default from the tool's
   * annotations. Keys are read with `parseToolRef`, so server names may hold dots: with servers `"acme"` and
   * `"acme.crm"` configured, key `"acme.crm.delete"` is tool `"delete"` of `"acme.crm"`, never tool `"crm.delete"` of
   * `"acme"`.
   *
   * @param server The server's name.
   * @param tool The tool's definition from `tools/list`, or just its name when the definition is not known.
   * @param servers The configured server names (`server` is added when missing). Default: only `server`, which
   *   reads every key that starts with `server.` as one of its tools.
   * @returns The action and the rule that gave it.
   *
   * @example A server name with a dot
   * ```ts
   * import assert from "node:assert/strict";
   * import { ApprovalPolicy } from "./approval_policy.ts";
   * const policy = new ApprovalPolicy({ "acme.crm.delete": "deny", acme: "allow" });
   * const servers = ["acme", "acme.crm"];
   * assert.deepEqual(policy.ruleFor("acme.crm", "delete", servers), { action: "deny", rule: "acme.crm.delete" });
   * assert.deepEqual(policy.ruleFor("acme", "crm.delete", servers), { action: "allow", rule: "acme" });
   * ```
   */
  ruleFor(
    server: string,
    tool: Tool | string,
    servers: readonly string[] = [server],
  ): ApprovalRule {
    const name = typeof tool === "string" ? tool : tool.name;
    // The call's own server is known even when the list does not hold it (a gate checked before connecting).
    const names = servers.includes(server) ? servers : [...servers, server];
    let forServer: ApprovalRule | undefined;
    let forAll: ApprovalRule | undefined;
    for (const [key, action] of this.#rules) {
      if (key === "*") {
        forAll = { action, rule: key };
        continue;
      }
      const ref = parseToolRef(key, names);
      if (ref?.server !== server) continue;
      if (ref.tool === name) return { action, rule: key };
      if (ref.tool === undefined) forServer = { action, rule: key };
    }
    if (forServer !== undefined) return forServer;
    if (forAll !== undefined) return forAll;
    if (typeof tool === "string") return { action: "ask", rule: "default:unknown" };
    const hints = tool.annotations;
    if (hints?.destructiveHint === true && hints.readOnlyHint !== true) {
      return { action: "ask", rule: "default:destructive" };
    }
    return { action: "allow", rule: "default" };
  }

  /**
   * The keys that name no configured server.
   *
   * @param servers The configured server names.
   * @returns The keys, `"*"` excepted, that `parseToolRef` reads as no configured server.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ApprovalPolicy } from "./approval_policy.ts";
   * const policy = new ApprovalPolicy({ "*": "ask", "acme.crm.delete": "deny", "github.push": "ask" });
   * assert.deepEqual(policy.unknownKeys(["acme.crm"]), ["github.push"]);
   * ```
   */
  unknownKeys(servers: readonly string[]): string[] {
    return this.keys.filter((key) => key !== "*" && parseToolRef(key, servers) === undefined);
  }
}

/**
 * Names a rule in a message: `rule "memory.delete_entities"` or `the default rule for destructive tools`.
 *
 * @param rule A rule from {@linkcode ApprovalPolicy.ruleFor}.
 * @returns The words.
 */
export function describeRule(rule: ApprovalRule): string {
  if (rule.rule === "default:destructive") {
    return `the default rule for tools annotated destructiveHint ("${rule.action}")`;
  }
  if (rule.rule === "default:unknown") {
    return `the default rule for tools whose definition is not known ("${rule.action}")`;
  }
  if (rule.rule === "default") return `the default rule ("${rule.action}")`;
  return `rule "${rule.rule}" ("${rule.action}")`;
}
