/**
 * `PiiDetector`: finds personal data and secrets in a text with the built-in detectors and the custom patterns of
 * the options, and resolves overlaps.
 *
 * @module
 */

import { builtinDetectors, type Detect } from "./_builtin_detectors.ts";
import { detectSecrets, isSecretField } from "./_secrets.ts";
import { BUILTIN_KINDS, type PiiOptions } from "./pii_options.ts";
import { resolveSpans, type Span } from "./resolve_spans.ts";

/**
 * Detects values to replace with placeholders in texts and fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PiiDetector } from "./pii_detector.ts";
 * const detector = new PiiDetector({ enabled: true });
 * const text = "Mail ann@example.com or call +1 415-555-2671";
 * assert.deepEqual(
 *   detector.detect(text).map((s) => [s.kind, text.slice(s.start, s.end)]),
 *   [["EMAIL", "ann@example.com"], ["PHONE", "+1 415-555-2671"]],
 * );
 * ```
 */
export class PiiDetector {
  #detectors: Detect[] = [];
  #secretFields: boolean;
  /** Every kind this detector can produce (built-in, custom patterns and field rules). */
  readonly kinds: ReadonlySet<string>;

  /**
   * Compiles the detectors the options turn on.
   *
   * @param options Validated `pii` options (see `parsePiiOptions`).
   */
  constructor(options: PiiOptions) {
    const enabled = new Set<string>(options.detect ?? BUILTIN_KINDS);
    const builtins = builtinDetectors(options.phoneRegion ?? "US");
    for (const [kind, detect] of Object.entries(builtins)) {
      if (enabled.has(kind)) this.#detectors.push(detect);
    }
    this.#secretFields = enabled.has("SECRET");
    if (this.#secretFields) this.#detectors.push(detectSecrets);
    for (const p of options.patterns ?? []) {
      const regex = new RegExp(p.pattern, `${p.flags ?? ""}gd`);
      const score = p.score ?? 0.9;
      this.#detectors.push((text, out) => {
        for (const m of text.matchAll(regex)) {
          const [start, end] = m.indices?.groups?.value ?? m.indices![0]!;
          if (end > start) out.push({ start, end, kind: p.kind, score });
        }
      });
    }
    this.kinds = new Set([
      ...enabled,
      ...(options.patterns ?? []).map((p) => p.kind),
      ...(options.fields ?? []).map((f) => f.kind),
    ]);
  }

  /**
   * Finds the values in a text, overlaps resolved.
   *
   * @param text Any text.
   * @param extra Detections from elsewhere to resolve together with these (e.g. known values).
   * @returns Non-overlapping spans, sorted by start.
   */
  detect(text: string, extra: readonly Span[] = []): Span[] {
    const spans: Span[] = [...extra];
    if (text.length >= 3) { for (const detect of this.#detectors) detect(text, spans); }
    return resolveSpans(spans);
  }

  /**
   * Whether a field's whole value is a secret by the field's name (see `isSecretField`).
   *
   * @param key The field name.
   * @param value Its string value.
   * @returns `true` when secrets are detected and the field holds one.
   */
  isSecretField(key: string, value: string): boolean {
    return this.#secretFields && isSecretField(key, value);
  }
}
