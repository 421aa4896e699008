/**
 * The setting the token scenarios run in: a temporary data folder, an orchestrator connected to the reference
 * servers (server-memory on a fresh file in that folder, server-filesystem over it, server-everything), and the
 * two tool catalogues.
 *
 * @module
 */

import { MCPOrchestrator } from "../runtime/mod.ts";
import { referenceConfig } from "../tests/helpers/servers.ts";
import { type Catalog, corpusCatalog, referenceCatalog } from "./_catalog.ts";

/** What a scenario runs against. Dispose it to stop the servers and remove the temporary folder. */
export interface BenchContext extends AsyncDisposable {
  /** The data folder: served by server-filesystem, holds server-memory's file. */
  dir: string;
  orch: MCPOrchestrator;
  /** The three reference servers, as connected. */
  reference: Catalog;
  /** The recorded corpus of 26 servers, loaded on first use. */
  corpus(): Promise<Catalog>;
}

/**
 * A new temporary folder named `tokens-bench-<3 digits>`: the agent code holds its path, and a 3-digit number is
 * always one o200k_base token, so that the figures do not move from run to run with a random name.
 */
async function makeRoot(): Promise<string> {
  const tmp = (Deno.env.get("TMPDIR") ?? "/tmp").replace(/\/+$/, "");
  for (let attempt = 0; attempt < 100; attempt++) {
    const root = `${tmp}/tokens-bench-${100 + Math.floor(Math.random() * 900)}`;
    try {
      await Deno.mkdir(root, { mode: 0o700 });
      return root;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
  return await Deno.makeTempDir({ prefix: "tokens-bench-" });
}

/**
 * Starts the reference servers in a new temporary folder.
 *
 * @returns The context; dispose it when done.
 */
export async function openBench(): Promise<BenchContext> {
  const root = await makeRoot();
  const dir = `${root}/data`;
  await Deno.mkdir(dir);
  const orch = new MCPOrchestrator({
    config: referenceConfig(dir),
    serversDir: `${root}/servers`,
    maxConcurrentTasks: 1,
    poolSize: 1,
  });
  try {
    await orch.initialize();
    const failed = orch.getStats().servers.filter((s) => s.state !== "connected");
    if (failed.length > 0) {
      throw new Error(
        `Cannot start the token bench: ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`,
      );
    }
  } catch (error) {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(root, { recursive: true });
    throw error;
  }
  let corpus: Promise<Catalog> | undefined;
  return {
    dir,
    orch,
    reference: referenceCatalog(orch),
    corpus: () => corpus ??= corpusCatalog(),
    async [Symbol.asyncDispose]() {
      await orch.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(root, { recursive: true });
    },
  };
}
