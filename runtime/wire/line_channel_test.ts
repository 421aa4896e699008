import assert from "node:assert/strict";
import { LineWriter, readLines } from "./line_channel.ts";

function chunkedReader(chunks: string[]): { read(buffer: Uint8Array): Promise<number | null> } {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk));
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("readLines() joins lines split across reads and keeps UTF-8 intact", async () => {
  const lines: string[] = [];
  const euro = new TextEncoder().encode("€");
  const reader = chunkedReader(['{"a":', '1}\n{"b"', ":2}\nna", "ïve €\n", "unterminated"]);
  await readLines(reader, (line) => lines.push(line), { bufferBytes: 64 });
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', "naïve €"]);
  assert.equal(euro.length, 3);
});

Deno.test("readLines() rejects a line over the size cap, terminated or not", async () => {
  await assert.rejects(
    readLines(chunkedReader(["0123456789\n"]), () => {}, { maxLineBytes: 5 }),
    { name: "RangeError", message: "Cannot read message: it is longer than 5 bytes" },
  );
  await assert.rejects(
    readLines(chunkedReader(["0123", "4567", "89"]), () => {}, { maxLineBytes: 5 }),
    RangeError,
  );
});

Deno.test("LineWriter batches lines queued during a write, in order", async () => {
  const writes: string[] = [];
  const writer = new LineWriter({
    async write(bytes: Uint8Array): Promise<number> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // Accept at most 4 bytes at a time: partial writes must be resumed.
      const count = Math.min(bytes.length, 4);
      writes.push(new TextDecoder().decode(bytes.subarray(0, count)));
      return count;
    },
  });
  writer.send("one");
  writer.send("two");
  writer.send("three");
  await writer.flushed();
  assert.equal(writes.join(""), "one\ntwo\nthree\n");
});
