/**
 * Output types inferred from real results: server-memory 2025.9.25, the last release whose tools declare no
 * `outputSchema` (its `read_graph` answers a lone JSON text). After one call the generated module has a
 * `ReadGraphOutput`, agent code reading a field it does not have is a type error under `"error"`, `search_tools`
 * detail "full" shows the type, a restart keeps it, and no value of a result is kept (with `pii` on and off).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator, type OrchestratorOptions } from "../../runtime/mod.ts";
import { ISOLATED } from "../helpers/servers.ts";

/** The last server-memory release without output schemas. */
const UNDECLARED_MEMORY = "npm:@modelcontextprotocol/server-memory@2025.9.25";

const SEED = `await memory.createEntities({ entities: [
  { name: "ada@example.com", entityType: "person", observations: ["born 1815 in London"] },
  { name: "Analytical Engine", entityType: "machine", observations: [] },
] });
await memory.createRelations({ relations: [{ from: "ada@example.com", to: "Analytical Engine", relationType: "programmed" }] });
const graph = await memory.readGraph();
return graph.entities.length;`;

let counter = 0;

async function open(
  dir: string,
  options: Partial<OrchestratorOptions> = {},
): Promise<MCPOrchestrator> {
  const orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: {
          type: "stdio",
          command: Deno.execPath(),
          args: ["run", "-A", ...ISOLATED, UNDECLARED_MEMORY],
          env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
        },
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    ...options,
  });
  await orch.initialize();
  return orch;
}

function run(orch: MCPOrchestrator, code: string) {
  return orch.executeTask({
    id: `infer-${++counter}`,
    description: "inference test",
    code,
    requiredTools: ["memory"],
    status: "pending",
  });
}

async function readIfAny(path: string): Promise<string> {
  return await Deno.readTextFile(path).catch(() => "");
}

/** Waits until the generated readGraph.ts has an output type (inference runs after the call answered). */
async function inferredModule(dir: string): Promise<string> {
  const file = join(dir, "servers", "memory", "readGraph.ts");
  for (let i = 0; i < 200; i++) {
    const text = await readIfAny(file);
    if (text.includes("ReadGraphOutput")) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("readGraph.ts never got an inferred output type");
}

for (const pii of [false, true]) {
  Deno.test(`read_graph gets an inferred output type after one call (pii ${pii ? "on" : "off"})`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "infer-test-" });
    try {
      const options: Partial<OrchestratorOptions> = {
        typecheck: "error",
        ...(pii ? { pii: { enabled: true } } : {}),
      };
      {
        await using orch = await open(dir, options);
        const before = await Deno.readTextFile(join(dir, "servers", "memory", "readGraph.ts"));
        assert.match(
          before,
          /Promise<unknown>/,
          "server-memory 2025.9.25 declares an output schema",
        );
        const seeded = await run(orch, SEED);
        assert.equal(seeded.status, "completed", JSON.stringify(seeded.error));
        const text = await inferredModule(dir);

        await t.step("the generated file has entities and relations, said to be inferred", () => {
          assert.match(text, /export interface ReadGraphOutput \{\n {2}entities: \{/);
          assert.match(
            text,
            /\n {2}relations: \{\n {4}type: string;\n {4}from: string;\n {4}to: string;\n {4}relationType: string;/,
          );
          assert.match(
            text,
            /inferred from 1 result on \d{4}-\d{2}-\d{2}, not declared by the server/,
          );
          assert.match(text, /Promise<ReadGraphOutput>/);
          return Promise.resolve();
        });
        await t.step(
          "index.ts exports the type and _module.js still has the function",
          async () => {
            const index = await Deno.readTextFile(join(dir, "servers", "memory", "index.ts"));
            assert.match(
              index,
              /export type \{ ReadGraphInput, ReadGraphOutput \} from "\.\/readGraph\.ts";/,
            );
            const module = await Deno.readTextFile(join(dir, "servers", "memory", "_module.js"));
            assert.match(module, /export function readGraph\(input = \{\}\)/);
          },
        );
        await t.step("no value of a result is kept: only names and types", async () => {
          const kept = await Deno.readTextFile(join(dir, "servers", "memory", "_inferred.json"));
          assert.match(kept, /"read_graph"/);
          for (const value of ["ada@example.com", "London", "Analytical", "programmed", "person"]) {
            assert.ok(!kept.includes(value), `_inferred.json keeps "${value}"`);
            assert.ok(!text.includes(value), `readGraph.ts keeps "${value}"`);
          }
        });
        await t.step(
          "reading a field that does not exist is a type error; a real one runs",
          async () => {
            const wrong = await run(
              orch,
              "const g = await memory.readGraph();\nreturn g.entitys.length;",
            );
            assert.equal(wrong.status, "failed");
            assert.equal(wrong.error?.code, "type_error");
            assert.match(wrong.error?.message ?? "", /^2:\d+ Property 'entitys' does not exist/m);
            const right = await run(
              orch,
              "const g = await memory.readGraph();\nreturn g.relations[0].relationType;",
            );
            assert.equal(right.status, "completed", JSON.stringify(right.error));
            assert.ok(typeof right.data === "string");
          },
        );
        await t.step('search_tools detail "full" shows the output type', () => {
          const hit = orch.searchTools("read the entire knowledge graph", {
            detail: "full",
            limit: 9,
          })
            .find((h) => h.name === "memory.read_graph");
          assert.match(JSON.stringify(hit), /ReadGraphOutput/);
          assert.match(JSON.stringify(hit), /relationType: string/);
          return Promise.resolve();
        });
      }
      await t.step("a restart keeps the inferred type", async () => {
        await using _again = await open(dir, options);
        const text = await Deno.readTextFile(join(dir, "servers", "memory", "readGraph.ts"));
        assert.match(text, /export interface ReadGraphOutput/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("inferOutputTypes: false keeps read_graph's result unknown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "infer-test-" });
  try {
    await using orch = await open(dir, { inferOutputTypes: false });
    const seeded = await run(orch, SEED);
    assert.equal(seeded.status, "completed", JSON.stringify(seeded.error));
    await orch.shutdown();
    const text = await Deno.readTextFile(join(dir, "servers", "memory", "readGraph.ts"));
    assert.match(text, /Promise<unknown>/);
    assert.equal(await readIfAny(join(dir, "servers", "memory", "_inferred.json")), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
