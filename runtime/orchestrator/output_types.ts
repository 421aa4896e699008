/**
 * `OutputTypes`: the `inferOutputTypes` option at work. After a tool without an `outputSchema` returns a
 * structured result, its shape is merged into what is known of the tool (`servers/<server>/_inferred.json`), and
 * when the shape changed the server's modules are regenerated with a `<Tool>Output` type and the catalog's
 * signatures (`search_tools` detail `"full"`) follow. It runs after the call has answered, and nothing in it can
 * fail the call: a result that contradicts the known shape widens it.
 *
 * @module
 */

import {
  canonicalJson,
  type InferredOutput,
  mergeShapes,
  readInferredOutputs,
  shapeOf,
  structuredValue,
  writeInferredOutputs,
  writeServerModule,
} from "../codegen/mod.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import { logger } from "../log.ts";
import type { CallToolResult } from "../sdk.ts";
import type { ToolCatalog } from "./tool_catalog.ts";

const log = logger("orchestrator");

/** After this many results in a row that change nothing, a tool's shape counts as settled for this process. */
const SETTLED_AFTER = 50;

/** What {@linkcode OutputTypes} works with. */
export interface OutputTypesContext {
  serversDir: string;
  connections: ConnectionManager;
  catalog: ToolCatalog;
}

/** Infers output types of tools that declare none from their results. */
export class OutputTypes {
  #context: OutputTypesContext;
  #known = new Map<string, Record<string, InferredOutput>>();
  /** Results seen per `server\0tool` since start (the count starts from the file's). */
  #seen = new Map<string, number>();
  /** Results in a row that changed nothing, per `server\0tool`; past {@linkcode SETTLED_AFTER} it is left alone. */
  #unchanged = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();

  private constructor(context: OutputTypesContext) {
    this.#context = context;
    context.catalog.useInferredOutputs((server, tool) => this.#known.get(server)?.[tool]);
  }

  /**
   * Reads what earlier runs inferred, for every configured server.
   *
   * @param context The `servers/` folder, the connections and the catalog.
   * @returns The ready instance.
   */
  static async start(context: OutputTypesContext): Promise<OutputTypes> {
    const types = new OutputTypes(context);
    for (const server of context.connections.names) {
      types.#known.set(server, await readInferredOutputs(context.serversDir, server));
    }
    return types;
  }

  /**
   * Takes a tool's successful result; the work happens after the call has answered, one result at a time.
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @param result The raw `tools/call` result.
   */
  readonly onResult = (server: string, tool: string, result: CallToolResult): void => {
    const definition = this.#context.connections.get(server)?.tools.find((t) => t.name === tool);
    if (definition === undefined || definition.outputSchema !== undefined) return;
    if ((this.#unchanged.get(`${server}\0${tool}`) ?? 0) >= SETTLED_AFTER) return;
    this.#chain = this.#chain
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
      .then(() => this.#record(server, tool, result))
      .catch((error) =>
        log.warn("Cannot infer the output type of {server}.{tool}: {error}", {
          server,
          tool,
          error: String(error),
        })
      );
  };

  /** Resolves once every result taken so far is recorded (for tests and shutdown). */
  settled(): Promise<void> {
    return this.#chain;
  }

  async #record(server: string, tool: string, result: CallToolResult): Promise<void> {
    const value = structuredValue(result);
    if (value === undefined) return;
    const shape = shapeOf(value);
    if (shape === undefined) return;
    const tools = { ...this.#known.get(server) };
    const known = tools[tool];
    const key = `${server}\0${tool}`;
    const seen = (this.#seen.get(key) ?? known?.results ?? 0) + 1;
    this.#seen.set(key, seen);
    const merged = known === undefined ? shape : mergeShapes(known.schema, shape);
    if (known !== undefined && canonicalJson(merged) === canonicalJson(known.schema)) {
      this.#unchanged.set(key, (this.#unchanged.get(key) ?? 0) + 1);
      return;
    }
    this.#unchanged.set(key, 0);
    tools[tool] = { schema: merged, results: seen, updated: new Date().toISOString().slice(0, 10) };
    this.#known.set(server, tools);
    const { serversDir, connections, catalog } = this.#context;
    await writeInferredOutputs(serversDir, server, tools);
    const connection = connections.get(server);
    if (connection === undefined) return;
    const all = [...connection.tools];
    await writeServerModule(serversDir, {
      name: server,
      version: connection.serverInfo?.version ?? "unknown",
      tools: all,
      inferred: tools,
    });
    // Cached signatures are dropped: search_tools detail "full" shows the new type.
    catalog.setServerTools(server, all);
    log.info("Inferred the output type of {server}.{tool} from {count} results", {
      server,
      tool,
      count: seen,
    });
  }
}
