/**
 * What the bridge escape tests share: the bridge's global, seeding the servers with a secret, and forged calls.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { SecurityFixture } from "./_fixture.ts";

/** The bridge object agent code can reach. */
export const BRIDGE = `globalThis[Symbol.for("mcp-executor.bridge")]`;

/** Seeds server-memory with one entity, and puts the secret in a file server-filesystem serves. */
export async function seed(f: SecurityFixture): Promise<string> {
  const result = await f.run(
    `await memory.createEntities({ entities: [{ name: "Ada", entityType: "person", observations: ["keep me"] }] });
return (await memory.readGraph()).entities.map((e) => e.name);`,
    { tools: ["memory"] },
  );
  assert.deepEqual(result.data, ["Ada"], JSON.stringify(result));
  const path = join(f.dataDir, "data-secret.txt");
  await Deno.writeTextFile(path, f.secret);
  return path;
}

/** Agent code that posts a raw message and returns the host's answer to `callId`, as its own listener sees it. */
export function forgeCall(message: Record<string, unknown>): string {
  return `const answer = new Promise((resolve) => self.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.callId === ${message.callId}) resolve(m);
}));
postMessage(JSON.stringify(${JSON.stringify(message)}));
return await answer;`;
}
