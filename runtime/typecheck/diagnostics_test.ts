import assert from "node:assert/strict";
import { diagnosticLines, MAX_DIAGNOSTICS_CHARS, MAX_LISTED_DIAGNOSTICS } from "./diagnostics.ts";

Deno.test("diagnosticLines lists at most 10 diagnostics in at most 2,000 characters, then how many more", () => {
  const many = Array.from(
    { length: 25 },
    (_, i) => ({ line: i + 1, column: 1, code: 2339, message: "x" }),
  );
  const lines = diagnosticLines(many);
  assert.equal(lines.length, MAX_LISTED_DIAGNOSTICS + 1);
  assert.equal(lines.at(-1), "(15 more)");

  const long = Array.from({ length: 5 }, (_, i) => ({
    line: i + 1,
    column: 2,
    code: 2322,
    message: "y".repeat(900),
  }));
  const cut = diagnosticLines(long);
  const listed = cut.filter((l) => !l.startsWith("("));
  assert.ok(cut.join("\n").length <= MAX_DIAGNOSTICS_CHARS, String(cut.join("\n").length));
  assert.ok(diagnosticLines(long, 500).join("\n").length <= 500);
  assert.match(listed.at(-1)!, /…$/);
  assert.match(cut.at(-1)!, /^\(\d+ more\)$/);
});
