/**
 * `PrivacyVault`: the tokens of one session and the real values behind them, in memory only.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/** One tokenized value. */
export interface VaultEntry {
  /** The token the sandbox sees, e.g. `"[EMAIL_1]"`. */
  readonly token: string;
  readonly kind: string;
  /** The real value (a number when a field rule took a number). */
  readonly value: string | number;
  /** The servers whose results held the value. */
  readonly origins: Set<string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * One session's tokens. The index from value to token is keyed by an HMAC of the value under a random key of this
 * vault, so two vaults share nothing and the index holds no value in clear; the visible token counts per kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivacyVault } from "./privacy_vault.ts";
 * const vault = new PrivacyVault();
 * assert.equal(vault.tokenize("ann@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_1]");
 * assert.equal(vault.tokenize("ann@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_1]");
 * assert.equal(vault.tokenize("bob@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_2]");
 * assert.equal(vault.lookup("[EMAIL_2]")?.value, "bob@example.com");
 * ```
 */
export class PrivacyVault {
  #key = crypto.getRandomValues(new Uint8Array(32));
  #byIndex = new Map<string, VaultEntry>();
  #byToken = new Map<string, VaultEntry>();
  #counters = new Map<string, number>();
  #known: RegExp | null | undefined;

  /** How many values the vault holds. */
  get size(): number {
    return this.#byToken.size;
  }

  #index(value: string): string {
    return createHmac("sha256", this.#key).update(value).digest("base64");
  }

  /**
   * The token of a value, issuing a new one the first time the value is seen.
   *
   * @param value The real value.
   * @param options Its kind (used for a new token) and the server whose result held it.
   * @returns The token, e.g. `"[EMAIL_1]"`.
   */
  tokenize(value: string | number, options: { kind: string; origin: string }): string {
    const index = this.#index(String(value));
    let entry = this.#byIndex.get(index);
    if (entry === undefined) {
      const n = (this.#counters.get(options.kind) ?? 0) + 1;
      this.#counters.set(options.kind, n);
      entry = { token: `[${options.kind}_${n}]`, kind: options.kind, value, origins: new Set() };
      this.#byIndex.set(index, entry);
      this.#byToken.set(entry.token, entry);
      this.#known = undefined;
    }
    entry.origins.add(options.origin);
    return entry.token;
  }

  /**
   * The entry behind a token this vault issued.
   *
   * @param token A token, e.g. `"[EMAIL_1]"`.
   * @returns The entry, or `undefined` when this vault never issued the token.
   */
  lookup(token: string): VaultEntry | undefined {
    return this.#byToken.get(token);
  }

  /**
   * The entry of a value already in the vault.
   *
   * @param value A real value.
   * @returns Its entry, or `undefined`.
   */
  entryOf(value: string): VaultEntry | undefined {
    return this.#byIndex.get(this.#index(value));
  }

  /**
   * A regular expression matching every value in the vault (longest first, as whole words where the value starts
   * or ends with a word character), to re-tokenize values that come back from any server.
   *
   * @returns The expression (global), or `null` for an empty vault.
   */
  knownValues(): RegExp | null {
    if (this.#known !== undefined) return this.#known;
    const values = [...this.#byToken.values()].map((e) => String(e.value)).filter((v) => v !== "")
      .sort((a, b) => b.length - a.length);
    this.#known = values.length === 0 ? null : new RegExp(
      values.map((v) =>
        `${/^\w/.test(v) ? "(?<!\\w)" : ""}${escapeRegExp(v)}${/\w$/.test(v) ? "(?!\\w)" : ""}`
      ).join("|"),
      "g",
    );
    return this.#known;
  }

  /** Forgets every value and token. */
  clear(): void {
    this.#byIndex.clear();
    this.#byToken.clear();
    this.#counters.clear();
    this.#known = undefined;
    this.#key.fill(0);
  }
}
