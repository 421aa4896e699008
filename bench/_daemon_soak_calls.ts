/**
 * The calls of the daemon soak (bench/_daemon_soak_run.ts): what each kind sends, in which order the clients cycle
 * through them, and how each kind must end.
 *
 * @module
 */

import type { Client } from "../runtime/sdk.ts";

/** The kinds of call the daemon soak mixes. */
export const DAEMON_SOAK_KINDS = [
  "trivial",
  "tool",
  "throws",
  "timeout",
  "memory",
  "cancelled",
  "search",
] as const;

/** One kind of soak call. */
export type DaemonSoakKind = typeof DAEMON_SOAK_KINDS[number];

/** How often each kind is drawn (out of the sum): mostly cheap calls, like an agent's day. */
const WEIGHTS: Record<DaemonSoakKind, number> = {
  trivial: 4,
  tool: 4,
  throws: 2,
  timeout: 1,
  memory: 1,
  cancelled: 1,
  search: 4,
};

/** How long a cancelled call waits before its client aborts the request, in milliseconds. */
const CANCEL_AFTER_MS = 150;

interface Call {
  name: string;
  arguments: Record<string, unknown>;
  /** Abort the request after this many milliseconds. */
  abortAfterMs?: number;
}

const CALLS: Record<DaemonSoakKind, Call> = {
  trivial: { name: "execute_code", arguments: { code: "return 1 + 1;", requiredTools: [] } },
  tool: {
    name: "execute_code",
    arguments: { code: "const g = await memory.readGraph({});\nreturn g.entities.length;" },
  },
  throws: {
    name: "execute_code",
    arguments: { code: 'throw new Error("boom");', requiredTools: [] },
  },
  timeout: {
    name: "execute_code",
    arguments: { code: "while (true) {}", requiredTools: [], timeout: 200 },
  },
  memory: {
    name: "execute_code",
    arguments: {
      code: "const hog = [];\nwhile (true) hog.push(new Array(1_000_000).fill(Math.random()));",
      requiredTools: [],
    },
  },
  cancelled: {
    name: "execute_code",
    arguments: {
      code: "await new Promise((r) => setTimeout(r, 20_000));\nreturn 1;",
      requiredTools: [],
    },
    abortAfterMs: CANCEL_AFTER_MS,
  },
  search: { name: "search_tools", arguments: { query: "read the knowledge graph" } },
};

/** The error a client aborts a cancelled call with, so that its rejection is recognized. */
const CANCEL_REASON = "soak: the client gave up";

/** How a call ended: its result, or what it threw. */
export type Outcome = { result?: Record<string, unknown>; error?: unknown };

/**
 * Whether a call ended the way its kind must.
 *
 * @param kind The call's kind.
 * @param outcome Its result or error.
 * @returns `true`, or what was wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judge } from "./_daemon_soak_calls.ts";
 * const timedOut = { structuredContent: { status: "timeout", error: { code: "timeout" } }, content: [] };
 * assert.equal(judge("timeout", { result: timedOut }), true);
 * assert.match(String(judge("trivial", { result: timedOut })), /^expected completed/);
 * ```
 */
export function judge(kind: DaemonSoakKind, outcome: Outcome): true | string {
  if (kind === "cancelled") {
    const message = String((outcome.error as Error | undefined)?.message ?? outcome.error);
    return outcome.error !== undefined && message.includes(CANCEL_REASON)
      ? true
      : `expected the abort, got ${JSON.stringify(outcome.result ?? message).slice(0, 300)}`;
  }
  if (outcome.error !== undefined) return `threw ${String(outcome.error).slice(0, 300)}`;
  const result = outcome.result!;
  const content = result.content as { text?: string }[] | undefined;
  const text = content?.[0]?.text ?? "";
  if (kind === "search") {
    return result.isError !== true && text.includes("memory.")
      ? true
      : `search: ${text.slice(0, 300)}`;
  }
  const structured = result.structuredContent as
    | { status?: string; data?: unknown; error?: { code?: string } }
    | undefined;
  const expected: Record<string, [string, string | undefined]> = {
    trivial: ["completed", undefined],
    tool: ["completed", undefined],
    throws: ["failed", undefined],
    timeout: ["timeout", "timeout"],
    memory: ["failed", "memory_limit"],
  };
  const [status, code] = expected[kind]!;
  if (structured?.status !== status || (code !== undefined && structured.error?.code !== code)) {
    return `expected ${status}${code ? ` (${code})` : ""}, got ${text.slice(0, 300)}`;
  }
  if (kind === "trivial" && structured.data !== 2) return `trivial returned ${text}`;
  return true;
}

/**
 * The kinds in a fixed order, each as often as its weight, spread out (the cheap kinds between the slow ones). Each
 * client cycles through it from its own offset, so that a short run still sees every kind.
 */
export const SOAK_CYCLE: DaemonSoakKind[] = (() => {
  const left = { ...WEIGHTS };
  const out: DaemonSoakKind[] = [];
  while (out.length < Object.values(WEIGHTS).reduce((a, b) => a + b, 0)) {
    for (const kind of DAEMON_SOAK_KINDS) {
      if (left[kind] > 0) {
        out.push(kind);
        left[kind]--;
      }
    }
  }
  return out;
})();

/**
 * Makes one call of a kind; a cancelled kind aborts its request after a short wait.
 *
 * @param client A connected client.
 * @param kind The kind of call.
 * @returns The result, or what the call threw (never rejects).
 *
 * @example
 * ```ts ignore
 * const outcome = await callOnce(client, "cancelled");
 * assert.equal(judge("cancelled", outcome), true);
 * ```
 */
export async function callOnce(client: Client, kind: DaemonSoakKind): Promise<Outcome> {
  const call = CALLS[kind];
  const controller = new AbortController();
  const timer = call.abortAfterMs === undefined
    ? undefined
    : setTimeout(() => controller.abort(new Error(CANCEL_REASON)), call.abortAfterMs);
  try {
    const result = await client.callTool(
      { name: call.name, arguments: call.arguments },
      undefined,
      { signal: controller.signal, timeout: 120_000 },
    );
    return { result: result as Record<string, unknown> };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}
