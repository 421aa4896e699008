/**
 * The compiler options agent code is checked with, the diagnostics that do not count, and the way from a compiler
 * diagnostic in the wrapped file to one in the agent's own lines.
 *
 * @module
 */

import { type Diagnostic, DiagnosticCategory } from "typescript-native/unstable/async";
import type { WrappedCode } from "./_wrap_code.ts";
import type { TypeDiagnostic } from "./diagnostics.ts";

/**
 * Loose where agent code is loose: no strict null checks, implicit `any` and unused names allowed; the lib is
 * ES2023 with the DOM (Deno's web APIs), and `Deno` itself is declared `any` by the sandbox globals.
 */
export const COMPILER_OPTIONS = {
  target: "es2022",
  module: "esnext",
  moduleResolution: "bundler",
  moduleDetection: "force",
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: false,
  noImplicitAny: false,
  strictNullChecks: false,
  skipLibCheck: true,
  types: [],
  lib: ["es2023", "dom", "dom.iterable"],
} as const;

/**
 * Diagnostics that are not errors for agent code: values of type `unknown` used as if typed (results of tools
 * without an output type are JSON, and agents read them freely).
 */
export const IGNORED_CODES: ReadonlySet<number> = new Set([18046, 2571, 18047, 18048, 18049]);

const UNKNOWN_VALUE = /\b[Tt]ype 'unknown'/;

/** What {@linkcode mapDiagnostic} needs. */
export interface MapContext {
  /** The agent's own code. */
  code: string;
  /** The wrapped text the compiler checked, and its way back. */
  wrapped: WrappedCode;
  /** Host folders and the names agent code knows them by, to keep host paths out of messages. */
  folders: ReadonlyArray<[string, string]>;
}

/**
 * Maps a compiler diagnostic of the agent's file to the agent's own line and column.
 *
 * @param d The compiler's diagnostic.
 * @param context The code, its wrapped form and the folders.
 * @returns The diagnostic, or none when it does not count.
 */
export function mapDiagnostic(d: Diagnostic, context: MapContext): TypeDiagnostic[] {
  if (d.category !== DiagnosticCategory.Error) return [];
  // The result of a tool without an output type is `unknown`, and agents read JSON freely: what is wrong only
  // because a value is `unknown` (a property of it, passing it on, iterating it) is not an error.
  if (UNKNOWN_VALUE.test(d.text)) return [];
  let message = flatten(d);
  // A skill may be a principal's private one, which the checker cannot see: only servers' modules must exist.
  if (d.code === 2307 && /['"]skills\//.test(message)) return [];
  for (const [dir, name] of context.folders) message = message.replaceAll(dir, name);
  const at = position(context.code, context.wrapped.original(d.pos));
  return [{ ...at, code: d.code, message }];
}

function flatten(d: Diagnostic): string {
  const parts = [d.text];
  for (const next of d.messageChain ?? []) parts.push(flatten(next));
  return parts.join(" ");
}

/** The 1-based line and column of an offset in `text`. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (const match of text.slice(0, offset).matchAll(/\r\n|[\n\r\u2028\u2029]/g)) {
    line++;
    start = match.index + match[0].length;
  }
  return { line, column: offset - start + 1 };
}
