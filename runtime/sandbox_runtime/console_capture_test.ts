import assert from "node:assert/strict";
import { formatLogArgs, installConsole } from "./console_capture.ts";
import { cleanText } from "../wire/mod.ts";

Deno.test("formatLogArgs() formats like Deno's console", async (t) => {
  const cases: Array<[unknown[], string]> = [
    [["plain", "strings"], "plain strings"],
    [[{ a: 1, b: [1, 2] }], "{ a: 1, b: [ 1, 2 ] }"],
    [["%s is %d years and %i days", "Ann", 41.5, 3.9], "Ann is 41.5 years and 3 days"],
    [["%o|%j|%%|%c", { a: 1 }, { b: 2 }, "color: red"], '{ a: 1 }|{"b":2}|%|'],
    [["nested", { s: "text" }], 'nested { s: "text" }'],
    [[new Map([["k", 1]])], 'Map(1) { "k" => 1 }'],
    [[], ""],
  ];
  for (const [args, expected] of cases) {
    await t.step(expected || "(nothing)", () => assert.equal(formatLogArgs(args), expected));
  }
});

Deno.test("installConsole() sends every console method to the sink with its level", () => {
  const lines: string[] = [];
  const target = {} as Console;
  installConsole(target, (level, text) => lines.push(`${level}:${text}`));
  target.log("a");
  target.info("b");
  target.debug("c");
  target.warn("d");
  target.error("e");
  target.group("g");
  target.log("inner\nsecond");
  target.groupEnd();
  target.assert(false, "f");
  target.assert(true, "never");
  target.count();
  target.count();
  target.dir({ x: 1 });
  target.timeEnd("missing");
  assert.deepEqual(lines, [
    "log:a",
    "info:b",
    "debug:c",
    "warn:d",
    "error:e",
    "log:g",
    "log:  inner\n  second",
    "error:Assertion failed: f",
    "info:default: 1",
    "info:default: 2",
    "log:{ x: 1 }",
    "warn:Timer 'missing' does not exist",
  ]);
});

Deno.test("cleanText() rewrites agent sources, drops runtime frames and shortens folders", () => {
  const options = {
    firstLineOffset: 30,
    pathAliases: { "file:///app/servers/": "servers/" },
    internalUrl: "file:///app/runtime/sandbox_runtime/",
  };
  const stack = [
    "\u001b[31mError\u001b[0m: boom",
    "    at __agent__ (agent.ts, <anonymous>:1:42)",
    "    at m (data:application/typescript;base64,ZXhw......fQ==:3:7)",
    "    at callTool (file:///app/servers/_client.ts:6:17)",
    "    at run (file:///app/runtime/sandbox_runtime/worker.ts:120:5)",
  ].join("\n");
  assert.equal(
    cleanText(stack, options),
    [
      "Error: boom",
      "    at __agent__ (agent.ts:1:12)",
      "    at m (agent.ts:3:7)",
      "    at callTool (servers/_client.ts:6:17)",
    ].join("\n"),
  );
});
