/**
 * `TaskPrivacy`: what one task's tool calls do with personal data. Results get placeholders before they enter the
 * sandbox, arguments restored before they reach a server, and error texts get placeholders too.
 *
 * @module
 */

import type { JsonPath } from "./json_path.ts";
import type { PiiDetector } from "./pii_detector.ts";
import type { PiiFieldRule, PiiFlowRule } from "./pii_options.ts";
import type { PrivacyVault } from "./privacy_vault.ts";
import { ToolError } from "../wire/mod.ts";
import { restoreArgs } from "./restore_args.ts";
import { textWithPlaceholders, valueWithPlaceholders } from "./with_placeholders.ts";

/** The compiled settings every task shares. */
export interface PrivacyPolicy {
  detector: PiiDetector;
  fields: readonly (PiiFieldRule & { compiled: JsonPath })[];
  flows: readonly PiiFlowRule[];
  defaultFlow: "any" | "origin";
  placeholders: RegExp;
}

/**
 * One task's view of its session's vault. Made by `PrivacyVaults.forTask`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivacyVaults } from "./privacy_vaults.ts";
 * using vaults = new PrivacyVaults({ enabled: true, flows: [{ from: "crm", to: ["crm"] }] });
 * const task = vaults.forTask({ id: "t1" });
 * assert.equal(task.resultWithPlaceholders("crm", "get", "call +1 415-555-2671"), "call [PHONE_1]");
 * assert.throws(() => task.restoreArgs("search", "find", { q: "[PHONE_1]" }), /flows\[0\]/);
 * task.end();
 * ```
 */
export class TaskPrivacy {
  #vault: PrivacyVault;
  #policy: PrivacyPolicy;
  #end: (() => void) | undefined;

  /**
   * Made by `PrivacyVaults.forTask`; not meant to be called directly.
   *
   * @param vault The vault the task uses.
   * @param policy The compiled settings.
   * @param end Called once by {@linkcode TaskPrivacy.end}.
   */
  constructor(vault: PrivacyVault, policy: PrivacyPolicy, end: () => void) {
    this.#vault = vault;
    this.#policy = policy;
    this.#end = end;
  }

  /**
   * Puts placeholders into a tool result before it enters the sandbox.
   *
   * @param server The server that answered (the values' origin).
   * @param tool The tool called (selects the field rules).
   * @param value The unwrapped result.
   * @returns The result with placeholders in place of values.
   * @throws {RangeError} When the result is nested too deep to scan.
   */
  resultWithPlaceholders(server: string, tool: string, value: unknown): unknown {
    const fields = this.#policy.fields
      .filter((f) => f.server === server && (f.tool === undefined || f.tool === tool))
      .map((f) => ({ path: f.compiled, kind: f.kind }));
    return valueWithPlaceholders(value, {
      vault: this.#vault,
      detector: this.#policy.detector,
      server,
      fields,
    });
  }

  /**
   * Puts placeholders into a text from a server that is not a result: an error message or a progress message, which may echo
   * restored arguments.
   *
   * @param server The server the text came from.
   * @param text The text.
   * @returns The text with placeholders in place of values.
   */
  textWithPlaceholders(server: string, text: string): string {
    return textWithPlaceholders(text, {
      vault: this.#vault,
      detector: this.#policy.detector,
      server,
      fields: [],
    });
  }

  /**
   * The old name of {@linkcode TaskPrivacy.resultWithPlaceholders}.
   *
   * @deprecated Use `resultWithPlaceholders`: "token" alone names LLM tokens.
   */
  tokenizeResult(server: string, tool: string, value: unknown): unknown {
    return this.resultWithPlaceholders(server, tool, value);
  }

  /**
   * The old name of {@linkcode TaskPrivacy.textWithPlaceholders}.
   *
   * @deprecated Use `textWithPlaceholders`.
   */
  tokenizeText(server: string, text: string): string {
    return this.textWithPlaceholders(server, text);
  }

  /**
   * Restores the placeholders in a call's arguments, as the data-flow rules allow.
   *
   * @param server The server the call goes to.
   * @param tool The tool called.
   * @param args The arguments as agent code sent them.
   * @returns The arguments with real values.
   * @throws {ToolError} `"unknown_token"` or `"data_flow"`; see `restoreArgs`.
   */
  restoreArgs(server: string, tool: string, args: unknown): unknown {
    const { placeholders, flows, defaultFlow } = this.#policy;
    return restoreArgs(args, {
      vault: this.#vault,
      placeholders,
      server,
      tool,
      flows,
      defaultFlow,
    });
  }

  /**
   * The placeholders in a call's arguments that this session issued, each with its kind, in order of first
   * appearance: what an approver who must not see the values is shown instead.
   *
   * @param args The arguments as agent code sent them.
   * @returns One entry a placeholder.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PrivacyVaults } from "./privacy_vaults.ts";
   * using vaults = new PrivacyVaults({ enabled: true });
   * const task = vaults.forTask({ id: "t1" });
   * task.resultWithPlaceholders("crm", "get", "ann@example.com");
   * assert.deepEqual(task.placeholders({ to: ["[EMAIL_1]", "[EMAIL_9]"] }), [{ token: "[EMAIL_1]", kind: "EMAIL" }]);
   * task.end();
   * ```
   */
  placeholders(args: unknown): { token: string; kind: string }[] {
    const found = new Map<string, string>();
    const pattern = new RegExp(this.#policy.placeholders.source, "g");
    const visit = (node: unknown, depth: number): void => {
      if (depth > 256 || found.size >= 1_000) return;
      if (typeof node === "string") {
        for (const token of node.match(pattern) ?? []) {
          const entry = this.#vault.lookup(token);
          if (entry !== undefined && !found.has(token)) found.set(token, entry.kind);
        }
      } else if (Array.isArray(node)) {
        for (const item of node) visit(item, depth + 1);
      } else if (node !== null && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          visit(key, depth + 1);
          visit(value, depth + 1);
        }
      }
    };
    visit(args, 0);
    return [...found].map(([token, kind]) => ({ token, kind }));
  }

  /**
   * Makes one tool call privately: restores the arguments (refusing unknown placeholders and forbidden flows before
   * anything is sent), forwards them, puts placeholders into the result and into the message of any error, since a
   * server may echo the real values it was sent.
   *
   * @param call The server, tool and arguments as agent code sent them.
   * @param forward Sends the restored arguments and returns the unwrapped result.
   * @param restored The arguments already restored with {@linkcode TaskPrivacy.restoreArgs}, if they were.
   * @returns The result with placeholders.
   * @throws {ToolError} `"unknown_token"`, `"data_flow"`, `"privacy_scan"` (a result too deep to scan), or the
   * forwarded call's error with placeholders in its message.
   */
  async call(
    call: { server: string; tool: string; args: unknown },
    forward: (args: unknown) => Promise<unknown>,
    restored: unknown = this.restoreArgs(call.server, call.tool, call.args),
  ): Promise<unknown> {
    const { server, tool } = call;
    let value: unknown;
    try {
      value = await forward(restored);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ToolError(this.textWithPlaceholders(server, message), {
        code: error instanceof ToolError ? error.code : "tool_failed",
        server,
        tool,
      });
    }
    try {
      return this.resultWithPlaceholders(server, tool, value);
    } catch (error) {
      throw new ToolError(
        `Cannot pass on the result of tool "${tool}" on server "${server}": ${
          (error as Error).message
        }`,
        { code: "privacy_scan", server, tool },
      );
    }
  }

  /** Ends the task's use of the vault: a task-only vault is cleared; a session's stays for its TTL. */
  end(): void {
    this.#end?.();
    this.#end = undefined;
  }
}
