/**
 * Counts calls into the privacy layer, to show that with `pii` off no privacy code runs on the tool-call path.
 *
 * @module
 */

import {
  PiiDetector,
  PrivacyVault,
  PrivacyVaults,
  TaskPrivacy,
} from "../../runtime/privacy/mod.ts";

/** A running count; dispose it to put the original methods back. */
export interface PrivacyProbe extends Disposable {
  /** Calls so far, by `Class.method`. */
  readonly calls: Map<string, number>;
  /** All calls so far. */
  total(): number;
}

/**
 * Wraps every method of the privacy classes that a task or a tool call can reach with a counter.
 *
 * @returns The probe.
 */
export function probePrivacy(): PrivacyProbe {
  const calls = new Map<string, number>();
  const undo: (() => void)[] = [];
  const targets: [string, { prototype: object }, string[]][] = [
    ["PrivacyVaults", PrivacyVaults, ["forTask", "drop"]],
    ["TaskPrivacy", TaskPrivacy, [
      "call",
      "resultWithPlaceholders",
      "textWithPlaceholders",
      "restoreArgs",
      "end",
    ]],
    ["PrivacyVault", PrivacyVault, ["tokenize", "lookup", "entryOf", "findKnown"]],
    ["PiiDetector", PiiDetector, ["detect", "isSecretField"]],
  ];
  for (const [name, cls, methods] of targets) {
    const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
    for (const method of methods) {
      const original = proto[method]!;
      const key = `${name}.${method}`;
      proto[method] = function (this: unknown, ...args: unknown[]): unknown {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return original.apply(this, args);
      };
      undo.push(() => proto[method] = original);
    }
  }
  return {
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    [Symbol.dispose]: () => undo.forEach((f) => f()),
  };
}
