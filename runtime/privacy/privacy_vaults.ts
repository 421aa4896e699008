/**
 * `PrivacyVaults`: the privacy layer of one orchestrator. It holds one {@linkcode PrivacyVault} per session (dropped
 * on request or after a TTL without use) and hands each task a {@linkcode TaskPrivacy}.
 *
 * @module
 */

import { parseJsonPath } from "./json_path.ts";
import { PiiDetector } from "./pii_detector.ts";
import { DEFAULT_PII_TTL_MS, parsePiiOptions, type PiiOptions } from "./pii_options.ts";
import { PrivacyVault } from "./privacy_vault.ts";
import { placeholderPattern } from "./restore_args.ts";
import { type PrivacyPolicy, TaskPrivacy } from "./task_privacy.ts";
import type { VaultStore } from "./vault_store.ts";

interface Held {
  vault: PrivacyVault;
  active: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The vaults of every session, and the compiled detection and flow settings they share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivacyVaults } from "./privacy_vaults.ts";
 * using vaults = new PrivacyVaults({ enabled: true });
 * const a = vaults.forTask({ id: "t1", session: "s1" });
 * assert.deepEqual(a.resultWithPlaceholders("crm", "get", { mail: "ann@example.com" }), { mail: "[EMAIL_1]" });
 * a.end();
 * const b = vaults.forTask({ id: "t2", session: "s1" });
 * assert.deepEqual(b.restoreArgs("crm", "send", { to: "[EMAIL_1]" }), { to: "ann@example.com" });
 * b.end();
 * vaults.drop("s1");
 * assert.equal(vaults.sessions, 0);
 * ```
 */
export class PrivacyVaults implements Disposable {
  #policy: PrivacyPolicy;
  #ttlMs: number;
  #held = new Map<string, Held>();
  #store: VaultStore | undefined;
  #closed = false;

  /**
   * Validates the options and compiles the detectors, field rules and flow rules every session shares.
   *
   * @param options The `pii` options (validated here).
   * @param store Where session vaults are shared with other replicas ({@linkcode PrivacyVaults.pull} and
   *   {@linkcode PrivacyVaults.push}); without it they stay in this process.
   * @throws {TypeError} When the options are invalid (see `parsePiiOptions`), or a field rule's path does not
   * parse.
   */
  constructor(options: PiiOptions, store?: VaultStore) {
    this.#store = store;
    const parsed = parsePiiOptions(options);
    const detector = new PiiDetector(parsed);
    const fields = (parsed.fields ?? []).map((f, i) => {
      try {
        return { ...f, compiled: parseJsonPath(f.path) };
      } catch (error) {
        throw new TypeError(
          `Invalid privacy options: pii.fields[${i}].path: ${(error as Error).message}`,
        );
      }
    });
    this.#policy = {
      detector,
      fields,
      flows: parsed.flows ?? [],
      defaultFlow: parsed.defaultFlow ?? "any",
      placeholders: placeholderPattern(detector.kinds),
    };
    this.#ttlMs = parsed.ttlMs ?? DEFAULT_PII_TTL_MS;
  }

  /** How many session vaults are held. */
  get sessions(): number {
    return this.#held.size;
  }

  /**
   * The privacy scope of one task: its session's vault, or a vault of its own when it has no session.
   *
   * @param task The task's id and optional session.
   * @returns The scope; call {@linkcode TaskPrivacy.end} when the task is over.
   */
  forTask(task: { id: string; session?: string }): TaskPrivacy {
    if (task.session === undefined) {
      const vault = new PrivacyVault();
      return new TaskPrivacy(vault, this.#policy, () => vault.clear());
    }
    const session = task.session;
    const h = this.#hold(session);
    h.active++;
    this.#arm(session, h);
    return new TaskPrivacy(h.vault, this.#policy, () => {
      h.active--;
      this.#arm(session, h);
    });
  }

  /**
   * Takes in what is stored for a session (by any replica), before one of its tasks starts: when none of its tasks
   * runs here, the stored vault replaces the one held. Nothing without a store.
   *
   * @param session The session's id.
   * @returns Resolves once taken in.
   * @throws {Error} `Cannot load the PII vault of session "...": ...` when the store fails.
   */
  async pull(session: string): Promise<void> {
    if (this.#store === undefined) return;
    let records;
    try {
      records = await this.#store.load(session);
    } catch (error) {
      throw new Error(
        `Cannot load the PII vault of session "${session}": the state store failed: ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    // The store is the truth between tasks: a vault dropped or expired there is gone here too. A task of the
    // session still running here keeps what it holds.
    const held = this.#hold(session);
    if (held.active === 0) held.vault.clear();
    if (records !== undefined) held.vault.absorb(records);
  }

  /**
   * Stores a session's vault for other replicas, after one of its tasks, and keeps it for the TTL from now. Nothing
   * without a store.
   *
   * @param session The session's id.
   * @returns Resolves once stored.
   * @throws {Error} `Cannot store the PII vault of session "...": ...` when the store fails.
   */
  async push(session: string): Promise<void> {
    const held = this.#held.get(session);
    if (this.#store === undefined || held === undefined) return;
    try {
      held.vault.absorb(await this.#store.save(session, held.vault.records(), this.#ttlMs));
    } catch (error) {
      throw new Error(
        `Cannot store the PII vault of session "${session}": the state store failed: ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
  }

  #hold(session: string): Held {
    let held = this.#held.get(session);
    if (held === undefined) {
      held = { vault: new PrivacyVault(), active: 0, timer: undefined };
      this.#held.set(session, held);
    }
    return held;
  }

  #arm(session: string, held: Held): void {
    clearTimeout(held.timer);
    const timer = setTimeout(() => {
      held.timer = undefined;
      if (held.active > 0) this.#arm(session, held);
      else if (this.#held.get(session) === held) this.#forget(session);
    }, this.#ttlMs);
    // A vault waiting for its TTL never keeps the process alive.
    Deno.unrefTimer(timer);
    held.timer = timer;
  }

  /**
   * Drops a session's vault: its values are forgotten and its placeholders can no longer be restored, here and (with a
   * store) on every replica. Call it when the session ends.
   *
   * @param session The session's name.
   * @returns `true` when the session had a vault.
   */
  drop(session: string): boolean {
    // The stored vault goes whether or not this replica held it; a failure leaves it to expire with its TTL. Once
    // this process is closing, sessions closed by its shutdown keep their stored vault for the replica that takes
    // them over.
    if (!this.#closed) this.#store?.drop(session).catch(() => {});
    return this.#forget(session);
  }

  #forget(session: string): boolean {
    const held = this.#held.get(session);
    if (held === undefined) return false;
    clearTimeout(held.timer);
    held.vault.clear();
    this.#held.delete(session);
    return true;
  }

  /**
   * Drops every vault held in this process and stops the TTL timers; stored vaults stay for other replicas, and a
   * later {@linkcode PrivacyVaults.drop} forgets only what this process holds.
   */
  close(): void {
    this.#closed = true;
    for (const session of [...this.#held.keys()]) this.#forget(session);
  }

  /** Same as {@linkcode PrivacyVaults.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
