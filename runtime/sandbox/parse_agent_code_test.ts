import assert from "node:assert/strict";
import { screenCode } from "../blocker/mod.ts";
import { parseAgentCode } from "./parse_agent_code.ts";
import { prepareCode } from "./prepare_code.ts";

const PROGRAMS = [
  'import { readGraph } from "servers/memory/index.ts";\nconst g: { n: number } = await readGraph();\nreturn g;',
  "enum Color { Red }\nreturn Color.Red;",
  'const { permissions } = globalThis["De" + "no"];\nreturn 1;',
  "@dec class A {}\nreturn 1;",
];

Deno.test("one parse serves both the blocker and prepareCode, with the same outcome as parsing each time", async (t) => {
  for (const code of PROGRAMS) {
    await t.step(JSON.stringify(code.split("\n")[0]), () => {
      const program = parseAgentCode(code);
      assert.deepEqual(screenCode(code, { program }), screenCode(code));
      const options = { serversUrl: "file:///app/servers/" };
      let fromString: unknown;
      try {
        fromString = prepareCode(code, options);
      } catch (error) {
        fromString = String(error);
      }
      let fromProgram: unknown;
      try {
        fromProgram = prepareCode(code, { ...options, program });
      } catch (error) {
        fromProgram = String(error);
      }
      assert.deepEqual(fromProgram, fromString);
    });
  }
});

Deno.test("screenCode() and prepareCode() read the program they are given instead of parsing again", () => {
  // Two programs of one length: given the AST of the second, both read it, not the text of the first.
  const code = "return 11;";
  const other = parseAgentCode("eval('1');");
  assert.equal(screenCode(code).ok, true);
  assert.equal(screenCode(code, { program: other }).findings[0]?.rule, "eval");
  const importing = 'import { a } from "servers/x.ts";';
  const comment = `/*${"x".repeat(importing.length - 4)}*/`;
  const prepared = prepareCode(comment, {
    serversUrl: "file:///app/servers/",
    program: parseAgentCode(importing),
  });
  assert.ok(prepared.source.includes('await import("file:///app/servers/x.ts")'), prepared.source);
});
