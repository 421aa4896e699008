/**
 * The token size of the daemon's `tools/list`, as a client receives it (the JSON result of `tools/list` over a
 * real SDK client), counted with the project's tokenizer.
 *
 * @module
 */

import { ExecutorDaemon } from "../runtime/daemon/mod.ts";
import { Client, InMemoryTransport } from "../runtime/sdk.ts";
import { countTokens } from "../runtime/tokens/mod.ts";

/** What {@linkcode daemonToolListTokens} measures. */
export interface DaemonToolListFigures {
  /** The tools' names. */
  tools: string[];
  /** Tokens of the whole `tools/list` result. */
  tokens: number;
  /** Tokens per tool (its definition as JSON). */
  perTool: Record<string, number>;
}

/**
 * Lists the daemon's tools through an SDK client and counts the tokens. The definitions do not depend on the
 * configured servers, so no server is started.
 *
 * @returns The figures.
 *
 * @example
 * ```ts ignore
 * const { tokens } = await daemonToolListTokens();
 * ```
 */
export async function daemonToolListTokens(): Promise<DaemonToolListFigures> {
  const daemon = new ExecutorDaemon({ orchestrator: { config: { servers: {} } } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await daemon.openSession("bench").connect(serverSide);
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(clientSide);
  try {
    const listed = await client.listTools();
    return {
      tools: listed.tools.map((t) => t.name),
      tokens: countTokens(JSON.stringify(listed)),
      perTool: Object.fromEntries(
        listed.tools.map((t) => [t.name, countTokens(JSON.stringify(t))]),
      ),
    };
  } finally {
    await client.close();
    await daemon.closeSession("bench");
  }
}
