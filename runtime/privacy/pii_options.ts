/**
 * The `pii` options of `MCPOrchestrator` and the `pii` section of the daemon's `mcp-executor.json`: one zod schema
 * validates both.
 *
 * @module
 */

import { z } from "zod";
import { parseJsonPath } from "./json_path.ts";

/**
 * The kinds detected out of the box: emails, phone numbers, payment cards (Luhn), IBANs (checksum), US SSNs, IPv4
 * and IPv6 addresses, and secrets. Names, postal addresses and other free-text data are not among them: add them
 * with field rules or patterns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUILTIN_KINDS } from "./pii_options.ts";
 * assert.deepEqual(BUILTIN_KINDS, ["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "SECRET"]);
 * assert.ok(!(BUILTIN_KINDS as readonly string[]).includes("NAME"));
 * ```
 */
export const BUILTIN_KINDS = ["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "SECRET"] as const;

/**
 * A kind detected out of the box; `PiiOptions.detect` picks among them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BuiltinKind, parsePiiOptions } from "./pii_options.ts";
 * const detect: BuiltinKind[] = ["EMAIL", "PHONE"];
 * assert.deepEqual(parsePiiOptions({ enabled: true, detect }).detect, ["EMAIL", "PHONE"]);
 * ```
 */
export type BuiltinKind = typeof BUILTIN_KINDS[number];

/**
 * A custom pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PiiDetector } from "./pii_detector.ts";
 * import type { PiiPattern } from "./pii_options.ts";
 * const employee: PiiPattern = { kind: "EMPLOYEE_ID", pattern: "\\bEMP-\\d{6}\\b" };
 * const detector = new PiiDetector({ enabled: true, detect: [], patterns: [employee] });
 * assert.deepEqual(detector.detect("badge EMP-004211").map((s) => s.kind), ["EMPLOYEE_ID"]);
 * ```
 */
export interface PiiPattern {
  /** The kind its matches get, upper case (`"EMPLOYEE_ID"`). */
  kind: string;
  /** A JavaScript regular expression; when it has a `value` named group, only that group is replaced. */
  pattern: string;
  /** Extra flags among `i`, `m`, `s`, `u` (`g` and `d` are always added). */
  flags?: string;
  /** How sure a match is, 0 to 1, against overlapping detections. Default 0.9. */
  score?: number;
}

/**
 * A per-field rule: the values at `path` in the results of `server` (and `tool`, when given) are of `kind`. This is
 * how names are replaced: no pattern can tell a name from other words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PiiFieldRule } from "./pii_options.ts";
 * import { PrivacyVaults } from "./privacy_vaults.ts";
 * const names: PiiFieldRule = { server: "crm", tool: "list_people", path: "$.rows[*].name", kind: "NAME" };
 * using vaults = new PrivacyVaults({ enabled: true, fields: [names] });
 * const task = vaults.forTask({ id: "t1" });
 * assert.deepEqual(task.resultWithPlaceholders("crm", "list_people", { rows: [{ name: "Ann Lee" }] }), {
 *   rows: [{ name: "[NAME_1]" }],
 * });
 * task.end();
 * ```
 */
export interface PiiFieldRule {
  /** The server whose results the rule reads. */
  server: string;
  /** Only this tool's results; default: every tool of the server. */
  tool?: string;
  /** A JSONPath of the subset `parseJsonPath` reads, e.g. `$.rows[*].name`. */
  path: string;
  /** The kind the values get, upper case (`"NAME"`). */
  kind: string;
}

/**
 * A data-flow rule: values from `from` (or `"*"`, any server) may be restored only in calls to the servers in `to`
 * (and back to their origin). A call that would restore a value against a rule is refused with a `ToolError` of code
 * `"data_flow"` naming the rule, the value's kind and origin, never the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PiiFlowRule } from "./pii_options.ts";
 * import { PrivacyVaults } from "./privacy_vaults.ts";
 * const crm: PiiFlowRule = { from: "crm", to: ["mailer"] };
 * using vaults = new PrivacyVaults({ enabled: true, flows: [crm] });
 * const task = vaults.forTask({ id: "t1" });
 * task.resultWithPlaceholders("crm", "get", "ann@example.com");
 * assert.deepEqual(task.restoreArgs("mailer", "send", { to: "[EMAIL_1]" }), { to: "ann@example.com" });
 * assert.throws(() => task.restoreArgs("search", "q", { q: "[EMAIL_1]" }), { code: "data_flow" });
 * task.end();
 * ```
 */
export interface PiiFlowRule {
  /** The server the values came from, or `"*"` for every server without a rule of its own. */
  from: string;
  /** The servers they may be restored for. */
  to: string[];
}

/**
 * The `pii` options of `MCPOrchestrator` and of the daemon's `mcp-executor.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePiiOptions, type PiiOptions } from "./pii_options.ts";
 * const pii: PiiOptions = {
 *   enabled: true,
 *   phoneRegion: "GB",
 *   fields: [{ server: "crm", path: "$.rows[*].name", kind: "NAME" }],
 *   flows: [{ from: "crm", to: ["crm", "mailer"] }],
 *   ttlMs: 15 * 60_000,
 * };
 * // new MCPOrchestrator({ config: "mcp.json", pii }) takes the same object.
 * assert.deepEqual(parsePiiOptions(pii), pii);
 * ```
 */
export interface PiiOptions {
  /** Turns placeholders on. Off: nothing is scanned and nothing changes. */
  enabled: boolean;
  /** Which built-in kinds to detect. Default: all of them. */
  detect?: BuiltinKind[];
  /** The region national phone numbers (written without `+`) are read in, ISO 3166 alpha-2. Default `"US"`. */
  phoneRegion?: string;
  /** Extra patterns. */
  patterns?: PiiPattern[];
  /** Values at a JSON path of one server's (and tool's) results, for what patterns cannot see, such as names. */
  fields?: PiiFieldRule[];
  /** Where values from a server may be restored; a server without a rule follows `defaultFlow`. */
  flows?: PiiFlowRule[];
  /**
   * `"any"` (default): a value from a server without a rule may be restored in calls to every server. `"origin"`:
   * only in calls to the servers it came from.
   */
  defaultFlow?: "any" | "origin";
  /** A session's vault is dropped after this long without use, in milliseconds. Default 3,600,000 (one hour). */
  ttlMs?: number;
}

const KIND = /^[A-Z][A-Z0-9_]{0,31}$/;
const kindSchema = z.string().regex(KIND, "a kind is upper case letters, digits and _, e.g. NAME");

/**
 * The zod schema of {@linkcode PiiOptions}: `MCPOrchestrator({ pii })` and the `pii` section of
 * `mcp-executor.json`. Unknown keys are refused; custom patterns must compile and field paths parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { piiOptionsSchema } from "./pii_options.ts";
 * const parsed = piiOptionsSchema.parse({ enabled: true, flows: [{ from: "crm", to: ["mailer"] }] });
 * assert.equal(parsed.enabled, true);
 * assert.equal(piiOptionsSchema.safeParse({ enabled: true, defaultFlow: "nowhere" }).success, false);
 * assert.equal(piiOptionsSchema.safeParse({ enabled: true, patterns: [{ kind: "ID", pattern: "(" }] }).success, false);
 * ```
 */
export const piiOptionsSchema: z.ZodType<PiiOptions> = z.object({
  enabled: z.boolean(),
  detect: z.array(z.enum(BUILTIN_KINDS)).optional(),
  phoneRegion: z.string().regex(/^[A-Z]{2}$/, "a region is two upper case letters").optional(),
  patterns: z.array(
    z.object({
      kind: kindSchema,
      pattern: z.string().min(1),
      flags: z.string().regex(/^[imsu]*$/, "flags may only be i, m, s and u").optional(),
      score: z.number().min(0).max(1).optional(),
    }).strict(),
  ).optional(),
  fields: z.array(
    z.object({
      server: z.string().min(1),
      tool: z.string().min(1).optional(),
      path: z.string().startsWith("$", "a path starts with $"),
      kind: kindSchema,
    }).strict(),
  ).optional(),
  flows: z.array(z.object({ from: z.string().min(1), to: z.array(z.string().min(1)) }).strict())
    .optional(),
  defaultFlow: z.enum(["any", "origin"]).optional(),
  ttlMs: z.number().int().min(1).optional(),
}).strict().superRefine((options, ctx) => {
  // What the shape cannot say: each pattern compiles and each field path parses.
  options.patterns?.forEach((p, i) => {
    try {
      new RegExp(p.pattern, p.flags ?? "");
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        path: ["patterns", i, "pattern"],
        message: (error as Error).message,
      });
    }
  });
  options.fields?.forEach((f, i) => {
    try {
      parseJsonPath(f.path);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        path: ["fields", i, "path"],
        message: (error as Error).message,
      });
    }
  });
});

/**
 * Default of {@linkcode PiiOptions.ttlMs}: one hour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PII_TTL_MS } from "./pii_options.ts";
 * assert.equal(DEFAULT_PII_TTL_MS, 60 * 60 * 1000);
 * ```
 */
export const DEFAULT_PII_TTL_MS = 3_600_000;

/**
 * Validates `pii` options, naming the first problem.
 *
 * @param input The options as given (from code or from a config file).
 * @returns The same options, typed.
 * @throws {TypeError} When a field is missing, unknown or of the wrong shape, or a pattern or path does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePiiOptions } from "./pii_options.ts";
 * assert.throws(() => parsePiiOptions({ enabled: true, patterns: [{ kind: "ID", pattern: "(" }] }), /pii\.patterns\[0\]/);
 * ```
 */
export function parsePiiOptions(input: unknown): PiiOptions {
  const parsed = piiOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.reduce<string>(
      (acc, key) => typeof key === "number" ? `${acc}[${key}]` : `${acc}.${String(key)}`,
      "pii",
    );
    throw new TypeError(`Invalid privacy options: ${where}: ${issue.message}`);
  }
  return parsed.data;
}
