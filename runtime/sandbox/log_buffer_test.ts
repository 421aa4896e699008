import assert from "node:assert/strict";
import { LogBuffer } from "./log_buffer.ts";
import { OutputTail } from "./output_tail.ts";

Deno.test("LogBuffer keeps lines up to its byte limit and ends with a note of what was cut", () => {
  const logs = new LogBuffer(10);
  logs.add("hello");
  logs.add("wörld!");
  logs.add("dropped");
  logs.addDropped(100);
  const lines = logs.lines();
  assert.deepEqual(lines.slice(0, 2), ["hello", "wörl"]);
  assert.equal(
    lines[2],
    `[109 bytes of log output cut: the limit is 10 bytes (limit "maxLogBytes")]`,
  );
  assert.equal(new TextEncoder().encode(lines.slice(0, 2).join("")).length, 10);
});

Deno.test("LogBuffer adds no note when nothing was cut", () => {
  const logs = new LogBuffer(100);
  logs.add("a");
  assert.deepEqual(logs.lines(), ["a"]);
});

Deno.test("OutputTail keeps only the last lines, each cut to its length limit", async () => {
  const text = Array.from({ length: 30 }, (_, index) => `line ${index}`).join("\n") + "\n" +
    "x".repeat(50);
  const tail = new OutputTail(ReadableStream.from([new TextEncoder().encode(text)]), {
    maxLines: 3,
    maxLineLength: 10,
  });
  await tail.done;
  assert.deepEqual(tail.lines(), ["line 28", "line 29", `${"x".repeat(10)}...`]);
});
