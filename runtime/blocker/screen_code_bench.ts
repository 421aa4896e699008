// Timings for screenCode(); run with `deno bench -A runtime/blocker/`. Never asserted in tests.
import { screenCode } from "./mod.ts";

const program = Deno.readTextFileSync(new URL("./testdata/realistic_program.txt", import.meta.url));

Deno.bench("screenCode() over a 200-line realistic agent program", () => {
  screenCode(program);
});

Deno.bench("screenCode() over a one-line tool call", () => {
  screenCode("const g = await memory.readGraph();\nreturn g.entities.length;");
});
