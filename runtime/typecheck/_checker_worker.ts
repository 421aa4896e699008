/**
 * The Worker that holds an {@linkcode AgentChecker}, so that checks run off the host's event loop. It answers
 * `{ id, input }` messages with `{ id, diagnostics }` or `{ id, error }`, one at a time.
 *
 * @module
 */

import { AgentChecker, type AgentCheckerOptions, type CheckInput } from "./agent_checker.ts";

/** A message to the checker Worker. */
export type CheckerRequest =
  | { type: "init"; options: AgentCheckerOptions }
  | { type: "check"; id: number; input: CheckInput };

let checker: AgentChecker | undefined;
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<CheckerRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === "init") {
    checker = new AgentChecker(request.options);
    return;
  }
  try {
    if (checker === undefined) throw new Error("The checker was not initialized");
    const started = performance.now();
    const diagnostics = checker.check(request.input);
    scope.postMessage({
      id: request.id,
      diagnostics,
      ms: performance.now() - started,
      heapBytes: Deno.memoryUsage().heapUsed,
    });
  } catch (error) {
    scope.postMessage({ id: request.id, error: String((error as Error)?.message ?? error) });
  }
};
