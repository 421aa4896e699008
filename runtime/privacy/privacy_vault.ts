/**
 * `PrivacyVault`: the placeholders of one session and the real values behind them, in memory only.
 *
 * @module
 */

import { type KnownMatch, KnownValues } from "./_known_values.ts";

/** One value behind a placeholder. */
export interface VaultEntry {
  /** The placeholder the sandbox sees, e.g. `"[EMAIL_1]"`. */
  readonly token: string;
  readonly kind: string;
  /** The real value (a number when a field rule took a number). */
  readonly value: string | number;
  /** The servers whose results held the value. */
  readonly origins: Set<string>;
}

/**
 * One entry as plain data, for a vault shared through the state store.
 *
 * @example
 * ```ts
 * import type { VaultRecord } from "./privacy_vault.ts";
 * import assert from "node:assert/strict";
 * const record: VaultRecord = { token: "[EMAIL_1]", kind: "EMAIL", value: "ann@example.com", origins: ["crm"] };
 * assert.equal(record.kind, "EMAIL");
 * ```
 */
export interface VaultRecord {
  /** The placeholder, e.g. `"[EMAIL_1]"`. */
  token: string;
  /** Its kind. */
  kind: string;
  /** The real value. */
  value: string | number;
  /** The servers whose results held the value. */
  origins: string[];
}

/**
 * Whether a value is looked for again in other texts: at least 3 characters with a letter or a digit. A field rule
 * may select `"-"`, `" "` or `"no"`; replacing every such piece of text with a placeholder would garble the results.
 */
function refindable(value: string): boolean {
  return value.length >= 3 && /[\p{L}\p{N}]/u.test(value);
}

/**
 * One session's placeholders. Two vaults share nothing: each has its own index from value to placeholder and its own counters
 * per kind, which number the visible placeholders. Values are found again in any text in time linear in the text (see
 * {@linkcode PrivacyVault.findKnown}), however many the vault holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivacyVault } from "./privacy_vault.ts";
 * const vault = new PrivacyVault();
 * assert.equal(vault.placeholderFor("ann@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_1]");
 * assert.equal(vault.placeholderFor("ann@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_1]");
 * assert.equal(vault.placeholderFor("bob@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_2]");
 * assert.equal(vault.lookup("[EMAIL_2]")?.value, "bob@example.com");
 * ```
 */
export class PrivacyVault {
  #byValue = new Map<string, VaultEntry>();
  #byPlaceholder = new Map<string, VaultEntry>();
  #counters = new Map<string, number>();
  #known = new KnownValues<VaultEntry>();

  /** How many values the vault holds. */
  get size(): number {
    return this.#byPlaceholder.size;
  }

  /**
   * The placeholder of a value, issuing a new one the first time the value is seen.
   *
   * @param value The real value.
   * @param options Its kind (used for a new placeholder) and the server whose result held it.
   * @returns The placeholder, e.g. `"[EMAIL_1]"`.
   */
  placeholderFor(value: string | number, options: { kind: string; origin: string }): string {
    const text = String(value);
    let entry = this.#byValue.get(text);
    if (entry === undefined) {
      const n = (this.#counters.get(options.kind) ?? 0) + 1;
      this.#counters.set(options.kind, n);
      entry = { token: `[${options.kind}_${n}]`, kind: options.kind, value, origins: new Set() };
      this.#byValue.set(text, entry);
      this.#byPlaceholder.set(entry.token, entry);
      if (refindable(text)) this.#known.add(text, entry);
    }
    entry.origins.add(options.origin);
    return entry.token;
  }

  /**
   * The entry behind a placeholder this vault issued.
   *
   * @param placeholder A placeholder, e.g. `"[EMAIL_1]"`.
   * @returns The entry, or `undefined` when this vault never issued the placeholder.
   */
  lookup(placeholder: string): VaultEntry | undefined {
    return this.#byPlaceholder.get(placeholder);
  }

  /**
   * The entry of a value already in the vault.
   *
   * @param value A real value.
   * @returns Its entry, or `undefined`.
   */
  entryOf(value: string): VaultEntry | undefined {
    return this.#byValue.get(value);
  }

  /**
   * Finds the values the vault holds in a text, to put placeholders over values that come back from any server: values of at
   * least 3 characters with a letter or a digit, as whole words where a value starts or ends with a word character,
   * leftmost first and the longest where several start at one place. Linear in the text (an Aho-Corasick scan),
   * whatever the number of values.
   *
   * @param text Any text.
   * @returns The matches with their entries, sorted by start, not overlapping.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PrivacyVault } from "./privacy_vault.ts";
   * const vault = new PrivacyVault();
   * vault.placeholderFor("Ann Lee", { kind: "NAME", origin: "crm" });
   * const found = vault.findKnown("met Ann Lee, not Ann Leeds");
   * assert.deepEqual(found.map((m) => [m.start, m.end, m.item.token]), [[4, 11, "[NAME_1]"]]);
   * ```
   */
  findKnown(text: string): KnownMatch<VaultEntry>[] {
    return this.#known.find(text);
  }

  /**
   * Every entry as plain data.
   *
   * @returns The records, in the order they were issued.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PrivacyVault } from "./privacy_vault.ts";
   * const a = new PrivacyVault();
   * a.placeholderFor("ann@example.com", { kind: "EMAIL", origin: "crm" });
   * const b = new PrivacyVault();
   * b.absorb(a.records());
   * assert.equal(b.lookup("[EMAIL_1]")?.value, "ann@example.com");
   * assert.equal(b.placeholderFor("bob@example.com", { kind: "EMAIL", origin: "crm" }), "[EMAIL_2]");
   * ```
   */
  records(): VaultRecord[] {
    return [...this.#byPlaceholder.values()].map((e) => ({
      token: e.token,
      kind: e.kind,
      value: e.value,
      origins: [...e.origins],
    }));
  }

  /**
   * Takes in entries issued elsewhere (the same session on another replica): a placeholder this vault already holds
   * keeps its entry, and new placeholders are numbered past every placeholder taken in.
   *
   * @param records Entries as {@linkcode PrivacyVault.records} gives them.
   */
  absorb(records: readonly VaultRecord[]): void {
    for (const record of records) {
      const n = Number(/_(\d+)\]$/.exec(record.token)?.[1] ?? 0);
      if (n > (this.#counters.get(record.kind) ?? 0)) this.#counters.set(record.kind, n);
      const held = this.#byPlaceholder.get(record.token);
      if (held !== undefined) {
        for (const origin of record.origins) held.origins.add(origin);
        continue;
      }
      const text = String(record.value);
      const entry: VaultEntry = { ...record, origins: new Set(record.origins) };
      this.#byPlaceholder.set(entry.token, entry);
      if (!this.#byValue.has(text)) {
        this.#byValue.set(text, entry);
        if (refindable(text)) this.#known.add(text, entry);
      }
    }
  }

  /** Forgets every value and placeholder. */
  clear(): void {
    this.#byValue.clear();
    this.#byPlaceholder.clear();
    this.#counters.clear();
    this.#known.clear();
  }
}
