import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Tool } from "../mcp_types.ts";
import { assignPythonNames, generatePythonModule, renderPythonSignature } from "./python_module.ts";
import { toSnakeCase } from "./python_types.ts";

const FIXTURES = fileURLToPath(new URL("../../tests/fixtures/tools_list/", import.meta.url));

function fixtures(): { name: string; tools: Tool[] }[] {
  return [...Deno.readDirSync(FIXTURES)]
    .filter((entry) => entry.name.endsWith(".json"))
    .map((entry) => {
      const data = JSON.parse(Deno.readTextFileSync(`${FIXTURES}${entry.name}`));
      return { name: entry.name.replace(/\.json$/, ""), tools: data.tools ?? data };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const python3 = (() => {
  try {
    return new Deno.Command("python3", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test("toSnakeCase() and assignPythonNames() give unique snake_case names that are not keywords", () => {
  assert.equal(toSnakeCase("getSum"), "get_sum");
  assert.equal(toSnakeCase("get-sum"), "get_sum");
  assert.equal(toSnakeCase("API_Call"), "api_call");
  assert.equal(toSnakeCase("import"), "import_");
  assert.equal(toSnakeCase("2fa"), "tool_2fa");
  assert.deepEqual(assignPythonNames(["getSum", "get-sum", "call_tool"]), [
    "get_sum",
    "get_sum_2",
    "call_tool_2",
  ]);
});

Deno.test("generatePythonModule() passes keyword arguments named as in the schema, odd names through **extra", () => {
  const text = generatePythonModule({
    name: "demo",
    version: "1",
    tools: [{
      name: "createThing",
      description: 'Makes a thing. Quotes """ and \\ are escaped.',
      inputSchema: {
        type: "object",
        properties: {
          entityType: { type: "string", enum: ["a", "b"] },
          "odd-name": { type: "integer" },
          tags: { type: "array", items: { type: "string" } },
        },
        required: ["entityType"],
      },
    }],
  });
  assert.match(
    text,
    /async def create_thing\(\*, entityType: Literal\["a", "b"\], tags: list\[str\] = UNSET, \*\*extra: Any\) -> Any:/,
  );
  assert.match(
    text,
    /call_tool\("demo", "createThing", \{"entityType": entityType, "tags": tags\} \| extra\)/,
  );
  assert.match(text, /Quotes \\"\\"\\" and \\\\ are escaped/);
  assert.notEqual(text, generatePythonModule({ name: "demo", version: "2", tools: [] }));
});

Deno.test({
  name:
    "generatePythonModule() output of every recorded tools/list parses as Python (python3's ast)",
  ignore: !python3,
  async fn() {
    for (const { name, tools } of fixtures()) {
      const child = new Deno.Command("python3", {
        args: ["-c", "import ast, sys; ast.parse(sys.stdin.read())"],
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(
        new TextEncoder().encode(generatePythonModule({ name, version: "1", tools })),
      );
      await writer.close();
      const { success, stderr } = await child.output();
      assert.ok(success, `${name}: ${new TextDecoder().decode(stderr)}`);
    }
  },
});

Deno.test("renderPythonSignature() shows the TypedDicts and the signature without a body", () => {
  const text = renderPythonSignature("memory", {
    name: "create_entities",
    inputSchema: {
      type: "object",
      properties: {
        entities: {
          type: "array",
          items: {
            type: "object",
            properties: {
              name: { type: "string" },
              observations: { type: "array", items: { type: "string" } },
            },
            required: ["name"],
          },
        },
      },
      required: ["entities"],
    },
  });
  assert.match(
    text,
    /class CreateEntitiesEntitiesItem\(TypedDict\):\n {4}name: str\n {4}observations: NotRequired\[list\[str\]\]/,
  );
  assert.match(
    text,
    /async def create_entities\(\*, entities: list\[CreateEntitiesEntitiesItem\]\) -> Any:\n {4}\.\.\.\n$/,
  );
});
