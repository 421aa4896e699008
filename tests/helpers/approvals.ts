/**
 * An orchestrator over the reference servers for the approval tests, and a program that tries a destructive call.
 *
 * @module
 */

import { join } from "node:path";
import {
  MCPOrchestrator,
  type OrchestratorEvent,
  type OrchestratorOptions,
  type TaskResult,
} from "../../runtime/mod.ts";
import { referenceConfig } from "./servers.ts";

let taskCounter = 0;

/** An orchestrator over the reference servers (real server-memory, server-filesystem, server-everything). */
export async function start(options: Partial<OrchestratorOptions>) {
  const dir = await Deno.makeTempDir({ prefix: "approvals-test-" });
  await Deno.mkdir(join(dir, "data"));
  const events: OrchestratorEvent[] = [];
  const orch = new MCPOrchestrator({
    config: referenceConfig(join(dir, "data")),
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    onEvent: (e) => void events.push(e),
    ...options,
  });
  await orch.initialize();
  return {
    orch,
    dir,
    events,
    run: (
      code: string,
      requiredTools: string[],
      session?: string,
      id?: string,
    ): Promise<TaskResult> =>
      orch.executeTask({
        id: id ?? `approval-task-${++taskCounter}`,
        description: "approvals test",
        code,
        requiredTools,
        status: "pending",
        ...(session === undefined ? {} : { session }),
      }),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Creates an entity, tries to delete it, and reports what happened and whether it is still there. */
export const DELETE_PROGRAM = (name: string) => `
await memory.createEntities({ entities: [{ name: ${
  JSON.stringify(name)
}, entityType: "person", observations: [] }] });
let outcome = "deleted";
try {
  await memory.deleteEntities({ entityNames: [${JSON.stringify(name)}] });
} catch (e) {
  outcome = e.name + " " + e.code + ": " + e.message;
}
const found = await memory.openNodes({ names: [${JSON.stringify(name)}] });
return { outcome, stillThere: found.entities.length > 0 };`;

export interface DeleteOutcome {
  outcome: string;
  stillThere: boolean;
}
