/**
 * Restoring placeholders in a tool call's arguments to the real values, on the host, on the way to the server.
 *
 * @module
 */

import { setOwnKey } from "./own_key.ts";
import { ToolError } from "../wire/mod.ts";
import { checkFlow } from "./flow_rules.ts";
import type { PiiFlowRule } from "./pii_options.ts";
import type { PrivacyVault } from "./privacy_vault.ts";

/** What restoring one call's arguments needs. */
export interface RestoreContext {
  vault: PrivacyVault;
  /** Matches the placeholders of every configured kind (see {@linkcode placeholderPattern}). */
  placeholders: RegExp;
  server: string;
  tool: string;
  flows: readonly PiiFlowRule[];
  defaultFlow: "any" | "origin";
}

/**
 * The expression that finds placeholders of the given kinds, e.g. `[EMAIL_1]`. Text shaped like a placeholder of another kind
 * is left alone.
 *
 * @param kinds The configured kinds.
 * @returns A global expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { placeholderPattern } from "./restore_args.ts";
 * assert.deepEqual("[EMAIL_1] [NOTE_2]".match(placeholderPattern(["EMAIL"])), ["[EMAIL_1]"]);
 * ```
 */
export function placeholderPattern(kinds: Iterable<string>): RegExp {
  return new RegExp(`\\[(?:${[...kinds].join("|")})_[1-9]\\d{0,8}\\]`, "g");
}

/**
 * Replaces every placeholder in a call's arguments (in strings at any depth, alone or inside a larger text, and in object
 * keys) with its real value. A string that is exactly one placeholder gets the value as it was (a number stays a number).
 *
 * @param args The arguments as agent code sent them.
 * @param context The session's vault, the target server and tool, and the data-flow rules.
 * @returns New arguments with real values.
 * @throws {ToolError} `"unknown_token"` for a placeholder this session never issued; `"data_flow"` for a value a rule
 * keeps from the target server (the message names the placeholder, its kind, its origin and the rule, never the value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivacyVault } from "./privacy_vault.ts";
 * import { restoreArgs, placeholderPattern } from "./restore_args.ts";
 * const vault = new PrivacyVault();
 * vault.placeholderFor("ann@example.com", { kind: "EMAIL", origin: "crm" });
 * const context = { vault, placeholders: placeholderPattern(["EMAIL"]), server: "mailer", tool: "send", flows: [], defaultFlow: "any" as const };
 * assert.deepEqual(restoreArgs({ to: "[EMAIL_1]", body: "Hi [EMAIL_1]!" }, context), { to: "ann@example.com", body: "Hi ann@example.com!" });
 * assert.throws(() => restoreArgs({ to: "[EMAIL_2]" }, context), /was not issued/);
 * ```
 */
export function restoreArgs(args: unknown, context: RestoreContext): unknown {
  return restore(args, context, 0);
}

function restore(node: unknown, context: RestoreContext, depth: number): unknown {
  if (typeof node === "string") return restoreString(node, context);
  if (depth > 256) {
    throw new ToolError(
      `Cannot call tool "${context.tool}" on server "${context.server}": its arguments are nested deeper than 256 levels`,
      { code: "invalid_arguments", server: context.server, tool: context.tool },
    );
  }
  if (Array.isArray(node)) return node.map((v) => restore(v, context, depth + 1));
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const key = String(restoreString(k, context));
      const value = restore(v, context, depth + 1);
      setOwnKey(out, key, value);
    }
    return out;
  }
  return node;
}

function restoreString(text: string, context: RestoreContext): string | number {
  if (!text.includes("[")) return text;
  const { placeholders } = context;
  placeholders.lastIndex = 0;
  const whole = placeholders.exec(text);
  if (whole === null) return text;
  if (whole.index === 0 && whole[0].length === text.length) return valueOf(whole[0], context);
  return text.replace(placeholders, (token) => String(valueOf(token, context)));
}

function valueOf(token: string, context: RestoreContext): string | number {
  const { vault, server, tool } = context;
  const entry = vault.lookup(token);
  if (entry === undefined) {
    throw new ToolError(
      `Cannot call tool "${tool}" on server "${server}": ${token} was not issued in this session (forged or from another session)`,
      { code: "unknown_token", server, tool },
    );
  }
  const violation = checkFlow(entry, {
    target: server,
    flows: context.flows,
    defaultFlow: context.defaultFlow,
  });
  if (violation !== undefined) {
    throw new ToolError(
      `Cannot call tool "${tool}" on server "${server}": ${token} is a ${entry.kind} from server "${violation.origin}", and ${violation.rule} does not let it flow to "${server}"`,
      { code: "data_flow", server, tool },
    );
  }
  return entry.value;
}
