/**
 * Data-flow rules: where a value may be restored, by the servers it came from.
 *
 * @module
 */

import type { PiiFlowRule } from "./pii_options.ts";
import type { VaultEntry } from "./privacy_vault.ts";

/** Why a value may not flow to a server. */
export interface FlowViolation {
  /** The origin server whose rule (or the default) refuses the flow. */
  origin: string;
  /** The rule, as `flows[i] (from "crm" to "crm", "mailer")`, or the default policy. */
  rule: string;
}

/**
 * Checks a value's flow to a server. A value may always go back to a server it came from. For each other origin,
 * the first rule whose `from` is that server (or `"*"`) decides: the target must be in its `to` (which may hold
 * `"*"`). An origin without a rule follows `defaultFlow`: `"any"` lets the value go anywhere, `"origin"` nowhere
 * else. Every origin of the value must agree.
 *
 * @param entry The value's vault entry (its origins).
 * @param options The target server, the rules and the default policy.
 * @returns `undefined` when the flow is allowed, otherwise what refuses it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFlow } from "./flow_rules.ts";
 * const entry = { token: "[EMAIL_1]", kind: "EMAIL", value: "a@b.co", origins: new Set(["crm"]) };
 * const flows = [{ from: "crm", to: ["mailer"] }];
 * assert.equal(checkFlow(entry, { target: "mailer", flows, defaultFlow: "any" }), undefined);
 * assert.equal(checkFlow(entry, { target: "search", flows, defaultFlow: "any" })?.origin, "crm");
 * ```
 */
export function checkFlow(
  entry: VaultEntry,
  options: { target: string; flows: readonly PiiFlowRule[]; defaultFlow: "any" | "origin" },
): FlowViolation | undefined {
  const { target, flows, defaultFlow } = options;
  if (entry.origins.has(target)) return undefined;
  for (const origin of entry.origins) {
    let index = flows.findIndex((r) => r.from === origin);
    if (index < 0) index = flows.findIndex((r) => r.from === "*");
    const rule = flows[index];
    if (rule === undefined) {
      if (defaultFlow === "origin") {
        return {
          origin,
          rule: `defaultFlow "origin" (values go back only to the server they came from)`,
        };
      }
      continue;
    }
    if (!rule.to.includes(target) && !rule.to.includes("*")) {
      return {
        origin,
        rule: `flows[${index}] (from "${rule.from}" to ${
          rule.to.map((t) => `"${t}"`).join(", ") || "nowhere"
        })`,
      };
    }
  }
  return undefined;
}
