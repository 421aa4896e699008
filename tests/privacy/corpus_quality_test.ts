import assert from "node:assert/strict";
import { PiiDetector } from "../../runtime/privacy/mod.ts";
import { type CorpusRecord, generateCorpus, renderCorpus } from "./generate_corpus.ts";

const CORPUS_PATH = new URL("./corpus.json", import.meta.url);
const KINDS = ["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "SECRET"];

/** Precision and recall per kind, a detection counting only when its kind and its span match a label exactly. */
function measure(
  corpus: readonly CorpusRecord[],
): Record<string, { tp: number; fp: number; fn: number }> {
  const detector = new PiiDetector({ enabled: true });
  const counts = Object.fromEntries(KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]));
  for (const record of corpus) {
    const found = detector.detect(record.text);
    const key = (s: { kind: string; start: number; end: number }) =>
      `${s.kind}:${s.start}:${s.end}`;
    const labeled = new Set(record.labels.map(key));
    const detected = new Set(found.map(key));
    for (const span of found) counts[span.kind]![labeled.has(key(span)) ? "tp" : "fp"]++;
    for (const label of record.labels) if (!detected.has(key(label))) counts[label.kind]!.fn++;
  }
  return counts;
}

Deno.test("the checked-in privacy corpus is what the generator makes", async () => {
  assert.equal(await Deno.readTextFile(CORPUS_PATH), renderCorpus(generateCorpus()));
});

function assertQuality(corpus: readonly CorpusRecord[]): void {
  const counts = measure(corpus);
  const rows = KINDS.map((kind) => {
    const { tp, fp, fn } = counts[kind]!;
    return { kind, labels: tp + fn, tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn) };
  });
  console.table(
    rows.map((r) => ({ ...r, precision: r.precision.toFixed(3), recall: r.recall.toFixed(3) })),
  );
  for (const row of rows) {
    assert.ok(row.labels >= 50, `${row.kind}: only ${row.labels} labeled values`);
    assert.ok(
      row.recall >= 0.99,
      `${row.kind}: recall ${row.recall.toFixed(3)} (${row.fn} missed)`,
    );
    assert.ok(
      row.precision >= 0.97,
      `${row.kind}: precision ${row.precision.toFixed(3)} (${row.fp} false)`,
    );
  }
}

Deno.test("detection quality on the labeled corpus: recall >= 0.99 and precision >= 0.97 per kind", async () => {
  const corpus = JSON.parse(await Deno.readTextFile(CORPUS_PATH)) as CorpusRecord[];
  assert.ok(corpus.length >= 500, "several hundred records");
  assertQuality(corpus);
});

Deno.test("detection quality holds on corpora from seeds the detector was not tuned on", () => {
  assertQuality([1, 2, 3].flatMap((seed) => generateCorpus(seed, 600)));
});
