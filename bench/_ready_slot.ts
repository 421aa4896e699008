/**
 * What a ready slot (the spare Worker a pooled sandbox process keeps) holds: the resident memory of idle pooled
 * processes that keep one, against processes that run one task and so keep none, with the same flags otherwise.
 *
 * @module
 */

import { join } from "node:path";
import { SandboxPool } from "../runtime/sandbox/process_pool.ts";

/** Resident memory of idle sandbox processes, in MB, and their Worker threads. */
export interface ReadySlotMemory {
  withSlot: number;
  withoutSlot: number;
  workerThreads: { withSlot: number; withoutSlot: number };
}

/** The idle sandbox processes this process started: resident MB and Worker threads of each, by runtime folder. */
function idleSandboxes(): { rssMb: number; workers: number; cmd: string }[] {
  const out: { rssMb: number; workers: number; cmd: string }[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (!cmd.includes("bootstrap.ts")) continue;
      const status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== Deno.pid) continue;
      const workers = [...Deno.readDirSync(`/proc/${entry.name}/task`)].filter((task) =>
        Deno.readTextFileSync(`/proc/${entry.name}/task/${task.name}/comm`).startsWith("worker-")
      ).length;
      out.push({ rssMb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]) / 1024, workers, cmd });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/**
 * Starts two pools of three idle processes, one with ready slots (`maxTasksPerProcess` 100) and one without (1),
 * and reads their processes' memory before any task runs.
 *
 * @param root A temporary folder the benchmark owns.
 * @returns Mean resident memory per idle process of each pool.
 */
export async function readySlotMemory(root: string): Promise<ReadySlotMemory> {
  const start = (name: string, maxTasksPerProcess: number) =>
    SandboxPool.create({
      serversDir: join(root, name, "servers"),
      stateDir: join(root, name, "state"),
      poolSize: 3,
      maxTasksPerProcess,
    });
  await using slot = await start("slot", 100);
  await using none = await start("none", 1);
  // No task runs: both pools hold fresh processes, so the difference is the slot alone.
  await Promise.all([slot.settled(), none.settled()]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const all = idleSandboxes();
  const of = (name: string) => all.filter((p) => p.cmd.includes(join(root, name)));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    withSlot: mean(of("slot").map((p) => p.rssMb)),
    withoutSlot: mean(of("none").map((p) => p.rssMb)),
    workerThreads: {
      withSlot: Math.max(0, ...of("slot").map((p) => p.workers)),
      withoutSlot: Math.max(0, ...of("none").map((p) => p.workers)),
    },
  };
}
