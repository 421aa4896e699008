/**
 * Replacing detected values with placeholders: in a free text, and in a whole tool result walked as JSON (object keys,
 * string values, text that holds JSON, and the values per-field rules select).
 *
 * @module
 */

import { setOwnKey } from "./own_key.ts";
import { type JsonPath, matchesJsonPath } from "./json_path.ts";
import type { PiiDetector } from "./pii_detector.ts";
import type { PrivacyVault } from "./privacy_vault.ts";
import type { Span } from "./resolve_spans.ts";

/** The deepest result walked; a deeper one is refused rather than passed on unscanned. */
export const MAX_DEPTH = 256;

/** What tokenizing one tool result needs. */
export interface PlaceholderContext {
  vault: PrivacyVault;
  detector: PiiDetector;
  /** The server the result came from: the values' origin. */
  server: string;
  /** The per-field rules that apply to this server and tool. */
  fields: readonly { path: JsonPath; kind: string }[];
}

/**
 * Replaces each detected value in a text, and each value the vault already holds, with its placeholder.
 *
 * @param text The text.
 * @param context The vault, the detector and the origin server.
 * @returns The text with placeholders in place of values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PiiDetector } from "./pii_detector.ts";
 * import { PrivacyVault } from "./privacy_vault.ts";
 * import { textWithPlaceholders } from "./with_placeholders.ts";
 * const context = { vault: new PrivacyVault(), detector: new PiiDetector({ enabled: true }), server: "crm", fields: [] };
 * assert.equal(textWithPlaceholders("ann@example.com, ann@example.com", context), "[EMAIL_1], [EMAIL_1]");
 * ```
 */
export function textWithPlaceholders(text: string, context: PlaceholderContext): string {
  const { vault, detector, server } = context;
  const known: Span[] = vault.findKnown(text).map((m) => ({
    start: m.start,
    end: m.end,
    kind: m.item.kind,
    score: 1,
  }));
  const spans = detector.detect(text, known);
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) +
      vault.placeholderFor(text.slice(span.start, span.end), { kind: span.kind, origin: server });
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * Replaces the values in a tool result, as agent code would receive it, with placeholders. Field rules' paths match from
 * the result's root, and from the root of any text in it that holds a JSON object or array.
 *
 * @param value The unwrapped result (JSON-like: objects, arrays, strings, numbers, booleans, null).
 * @param context The vault, the detector, the origin server and the field rules for this tool.
 * @returns A new value with placeholders; the input is not modified.
 * @throws {RangeError} When the value is nested deeper than {@linkcode MAX_DEPTH}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonPath } from "./json_path.ts";
 * import { PiiDetector } from "./pii_detector.ts";
 * import { PrivacyVault } from "./privacy_vault.ts";
 * import { valueWithPlaceholders } from "./with_placeholders.ts";
 * const context = {
 *   vault: new PrivacyVault(),
 *   detector: new PiiDetector({ enabled: true }),
 *   server: "crm",
 *   fields: [{ path: parseJsonPath("$.rows[*].name"), kind: "NAME" }],
 * };
 * const out = valueWithPlaceholders({ rows: [{ name: "Ann Lee", mail: "ann@example.com" }] }, context);
 * assert.deepEqual(out, { rows: [{ name: "[NAME_1]", mail: "[EMAIL_1]" }] });
 * ```
 */
export function valueWithPlaceholders(value: unknown, context: PlaceholderContext): unknown {
  return walk(value, [], undefined, context);
}

function fieldKind(location: (string | number)[], context: PlaceholderContext): string | undefined {
  for (const field of context.fields) if (matchesJsonPath(field.path, location)) return field.kind;
  return undefined;
}

function walk(
  node: unknown,
  location: (string | number)[],
  key: string | undefined,
  context: PlaceholderContext,
): unknown {
  if (location.length > MAX_DEPTH) {
    throw new RangeError(
      `Cannot scan the result for personal data: nested deeper than ${MAX_DEPTH}`,
    );
  }
  if (context.fields.length > 0 && location.length > 0) {
    const kind = fieldKind(location, context);
    if (kind !== undefined) return replaceEvery(node, kind, context, location.length);
  }
  if (typeof node === "string") {
    if (key !== undefined && context.detector.isSecretField(key, node)) {
      return context.vault.placeholderFor(node, { kind: "SECRET", origin: context.server });
    }
    return jsonText(node, context) ?? textWithPlaceholders(node, context);
  }
  if (Array.isArray(node)) {
    const out = new Array(node.length);
    for (let i = 0; i < node.length; i++) {
      location.push(i);
      out[i] = walk(node[i], location, key, context);
      location.pop();
    }
    return out;
  }
  if (node !== null && typeof node === "object") {
    const binary = (node as { type?: unknown }).type;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      // Base64 content (images, audio, blobs) is not text.
      if ((k === "data" && (binary === "image" || binary === "audio")) || k === "blob") {
        out[k] = v;
        continue;
      }
      location.push(k);
      const name = k.length >= 3 ? textWithPlaceholders(k, context) : k;
      const value = walk(v, location, k, context);
      // JSON may carry an own "__proto__" key: keep it a key, never a prototype.
      setOwnKey(out, name, value);
      location.pop();
    }
    return out;
  }
  return node;
}

/** A text that holds a JSON object or array is walked as JSON (paths match from its own `$`) and written back. */
function jsonText(text: string, context: PlaceholderContext): string | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const before = context.vault.size;
  const replaced = walk(parsed, [], undefined, context);
  // Nothing replaced: keep the text exactly as the server wrote it.
  if (context.vault.size === before && JSON.stringify(replaced) === JSON.stringify(parsed)) {
    return text;
  }
  const indent = /\n([ \t]+)["\]}]/.exec(text)?.[1];
  return JSON.stringify(replaced, null, indent);
}

function replaceEvery(
  node: unknown,
  kind: string,
  context: PlaceholderContext,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH) {
    throw new RangeError(
      `Cannot scan the result for personal data: nested deeper than ${MAX_DEPTH}`,
    );
  }
  if ((typeof node === "string" && node !== "") || typeof node === "number") {
    return context.vault.placeholderFor(node, { kind, origin: context.server });
  }
  if (Array.isArray(node)) return node.map((v) => replaceEvery(v, kind, context, depth + 1));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, replaceEvery(v, kind, context, depth + 1)]),
    );
  }
  return node;
}
