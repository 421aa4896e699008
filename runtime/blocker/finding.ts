/**
 * What the blocker reports.
 *
 * @module
 */

import type { RuleName } from "./rules.ts";

/** One match of a rule in the screened code. */
export interface Finding {
  /** The rule that matched. */
  rule: RuleName;
  /** What the policy made of the match; `"allow"`ed matches are not reported. */
  action: "block" | "warn";
  /** What matched, as a noun phrase: `eval()`, `access to Deno.permissions`. */
  reason: string;
  /** 1-based line of the match in the screened code. */
  line: number;
  /** 1-based column of the match, as editors and Deno stack traces count. */
  column: number;
  /** The matched source text: its first line, at most 80 characters. */
  snippet: string;
}

/** The outcome of {@linkcode screenCode}. */
export interface ScreenResult {
  /** False exactly when some finding has action `"block"`. */
  ok: boolean;
  /** Every finding, ordered by position. */
  findings: Finding[];
}
