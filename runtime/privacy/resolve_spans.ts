/**
 * Overlapping detections resolved the way Presidio does it: by containment, then by score.
 *
 * @module
 */

/**
 * A detected value in a text: `[start, end)` in UTF-16 code units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PiiDetector } from "./pii_detector.ts";
 * import type { Span } from "./resolve_spans.ts";
 * const text = "write to ann@example.com";
 * const [span]: Span[] = new PiiDetector({ enabled: true }).detect(text);
 * assert.equal(text.slice(span!.start, span!.end), "ann@example.com");
 * assert.equal(span!.kind, "EMAIL");
 * ```
 */
export interface Span {
  /** Where the value starts. */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
  /** The kind, e.g. `"EMAIL"`, `"NAME"`. */
  kind: string;
  /** How sure the detector is, 0 to 1: a checksum or a known value scores higher than a loose pattern. */
  score: number;
}

/**
 * Keeps non-overlapping spans. A span that contains every span it overlaps wins over them (an email holding a
 * number is an email) unless one of them is certain (score 1: a value already in the vault, a private key block);
 * otherwise the higher score wins, then the longer span, then the earlier one.
 *
 * @param spans The detections, in any order (not modified).
 * @returns The kept spans, sorted by start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSpans } from "./resolve_spans.ts";
 * const kept = resolveSpans([
 *   { start: 0, end: 20, kind: "EMAIL", score: 0.9 },
 *   { start: 5, end: 15, kind: "PHONE", score: 0.95 },
 *   { start: 18, end: 30, kind: "IP", score: 0.8 },
 * ]);
 * assert.deepEqual(kept.map((s) => s.kind), ["EMAIL"]);
 * ```
 */
export function resolveSpans(spans: readonly Span[]): Span[] {
  if (spans.length < 2) return [...spans];
  // Only spans in one cluster of overlaps compete: resolve each cluster on its own (linear for sparse texts).
  const byStart = [...spans].sort((a, b) => a.start - b.start);
  const kept: Span[] = [];
  let cluster: Span[] = [];
  let clusterEnd = -1;
  for (const span of byStart) {
    if (span.start >= clusterEnd && cluster.length > 0) {
      kept.push(...resolveCluster(cluster));
      cluster = [];
    }
    cluster.push(span);
    clusterEnd = Math.max(clusterEnd, span.end);
  }
  kept.push(...resolveCluster(cluster));
  return kept;
}

function resolveCluster(cluster: Span[]): Span[] {
  if (cluster.length === 1) return cluster;
  const ordered = cluster.sort((a, b) =>
    b.score - a.score || (b.end - b.start) - (a.end - a.start) || a.start - b.start
  );
  let kept: Span[] = [];
  for (const span of ordered) {
    const overlapping = kept.filter((k) => k.start < span.end && span.start < k.end);
    if (overlapping.length === 0) {
      kept.push(span);
    } else if (
      overlapping.every((k) =>
        k.score < 1 && span.start <= k.start && k.end <= span.end &&
        k.end - k.start < span.end - span.start
      )
    ) {
      kept = kept.filter((k) => !overlapping.includes(k));
      kept.push(span);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}
