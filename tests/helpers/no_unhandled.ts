/**
 * A guard for tests: fails a test if any promise rejection went unhandled in the host while it ran. Deno would end
 * the whole test process on one; with the guard the test that caused it fails with the reasons instead.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * Wraps a test function: records every `unhandledrejection` event while it runs (and a short while after, so that
 * late ones are caught), and throws an `AssertionError` listing them.
 *
 * @param fn The test body.
 * @returns A test body that fails if the host had an unhandled rejection.
 * @throws {AssertionError} When a rejection went unhandled during the test.
 *
 * @example
 * ```ts ignore
 * Deno.test("x", noUnhandledRejections(async () => { await work(); }));
 * ```
 */
export function noUnhandledRejections<T extends unknown[]>(
  fn: (...args: T) => Promise<void> | void,
): (...args: T) => Promise<void> {
  return async (...args: T) => {
    const reasons: unknown[] = [];
    const listener = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      reasons.push(event.reason);
    };
    globalThis.addEventListener("unhandledrejection", listener);
    try {
      await fn(...args);
      // Rejections surface after the microtask queue drains; give late ones a moment.
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      globalThis.removeEventListener("unhandledrejection", listener);
    }
    assert.deepEqual(
      reasons.map((r) => r instanceof Error ? `${r.name}: ${r.message}` : String(r)),
      [],
      "unhandled promise rejections in the host during the test",
    );
  };
}
