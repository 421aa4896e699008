import assert from "node:assert/strict";
import { KnownValues } from "./_known_values.ts";
import { seededRandom as rng } from "../../tests/helpers/seeded_random.ts";

/** The matcher this replaces: one alternation, longest first, whole words where a value starts or ends with one. */
function reference(values: string[], text: string): [number, number, string][] {
  const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const regex = new RegExp(
    sorted.map((v) =>
      `${/^\w/.test(v) ? "(?<!\\w)" : ""}${escape(v)}${/\w$/.test(v) ? "(?!\\w)" : ""}`
    )
      .join("|"),
    "g",
  );
  return [...text.matchAll(regex)].map((m) => [m.index, m.index + m[0].length, m[0]]);
}

Deno.test("KnownValues finds what one longest-first alternation finds, as values keep being added", () => {
  const r = rng(7);
  // A small alphabet with word and non-word characters, so values overlap, nest and share prefixes and suffixes.
  const alphabet = "ab a.b-@1+ ";
  const word = (lo: number, hi: number) =>
    Array.from(
      { length: lo + Math.floor(r() * (hi - lo + 1)) },
      () => alphabet[Math.floor(r() * alphabet.length)],
    )
      .join("");
  const known = new KnownValues<string>();
  const values: string[] = [];
  for (let round = 0; round < 300; round++) {
    const value = word(1, 6);
    if (!values.includes(value)) {
      values.push(value);
      known.add(value, value);
    }
    const text = word(0, 40);
    const found = known.find(text).map((m) => [m.start, m.end, m.item]);
    // Non-overlapping and every match is one of the values at its place.
    assert.deepEqual(
      found,
      reference(values, text),
      `values ${JSON.stringify(values)} text ${JSON.stringify(text)}`,
    );
  }
  assert.equal(known.size, values.length);
});

Deno.test("KnownValues matches names, emails and phones as whole words, across many values", () => {
  const known = new KnownValues<number>();
  for (let i = 0; i < 5000; i++) known.add(`user${i}@example.com`, i);
  known.add("Ann Lee", -1);
  known.add("+1 415-555-2671", -2);
  const text =
    "Ann Lee (user42@example.com, +1 415-555-2671) wrote to xuser42@example.com and Ann Leeds";
  assert.deepEqual(known.find(text).map((m) => [text.slice(m.start, m.end), m.item]), [
    ["Ann Lee", -1],
    ["user42@example.com", 42],
    ["+1 415-555-2671", -2],
  ]);
  known.clear();
  assert.deepEqual(known.find(text), []);
});
