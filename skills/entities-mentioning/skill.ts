// Skill "entities-mentioning" version 1, saved by mcp-executor. run() holds the saved code.
// deno-lint-ignore-file
import * as memory from "../../servers/memory/index.ts";

/** Runs skill "entities-mentioning"; executeSkill validates `args` against its params schema first. */
export async function run(args: any): Promise<any> {
const word = args.word.toLowerCase();
const type = args.entityType ?? "person";
const graph = await memory.readGraph();
return graph.entities
  .filter((e) => e.entityType === type && e.observations.some((o) => o.toLowerCase().includes(word)))
  .map((e) => e.name);
}
