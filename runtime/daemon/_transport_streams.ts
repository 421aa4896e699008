/**
 * What the SDK 1.32 server transport knows about its response streams and does not expose: which requests each
 * stream answers (its private `_requestToStreamMapping`), for the event store.
 *
 * @module
 */

import type { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";

/**
 * The JSON-RPC ids of the requests a transport's response stream answers.
 *
 * @param transport The transport.
 * @param stream The stream's id.
 * @returns The ids; empty when the SDK keeps no such map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
 * import { requestIds } from "./_transport_streams.ts";
 * const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
 * (transport as unknown as { _requestToStreamMapping: Map<number, string> })._requestToStreamMapping.set(3, "a");
 * assert.deepEqual(requestIds(transport, "a"), [3]);
 * assert.deepEqual(requestIds(transport, "b"), []);
 * ```
 */
export function requestIds(
  transport: WebStandardStreamableHTTPServerTransport,
  stream: string,
): (string | number)[] {
  const map = (transport as unknown as {
    _requestToStreamMapping?: Map<string | number, string>;
  })._requestToStreamMapping;
  if (!(map instanceof Map)) return [];
  return [...map].filter(([, s]) => s === stream).map(([id]) => id);
}
