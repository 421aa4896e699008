/**
 * The pattern blocker's entry point: parse agent code with Babel, walk the AST, apply the rules and the policy.
 *
 * @module
 */

import { type AgentProgram, parseAgentCode } from "../sandbox/mod.ts";
import type { AstNode } from "./_ast.ts";
import { type NodeHit, runChecks } from "./_checks.ts";
import { collectFacts } from "./_collect.ts";
import { Resolver } from "./_resolver.ts";
import { ScreenDepthError } from "./_strings.ts";
import type { Finding, ScreenResult } from "./finding.ts";
import { type BlockerPolicy, resolvePolicy, type RuleAction, type RuleName } from "./rules.ts";

/** Options for {@linkcode screenCode}. */
export interface ScreenOptions {
  /** Actions that replace the rules' defaults; unknown rule names are refused. */
  policy?: Partial<Record<RuleName, RuleAction>>;
  /** The code's AST from `parseAgentCode`, when the caller parsed it already (it is then not parsed again). */
  program?: AgentProgram;
}

const SNIPPET_LENGTH = 80;

/**
 * Screens agent code before it runs. This is an early, explainable refusal of obvious escape attempts, not the
 * security boundary (the sandbox process is): it reads the code without running it, so values it cannot work
 * out statically pass unless a rule reports them as uncertain.
 *
 * Code that does not parse yields a single `"syntax"` finding (never a throw).
 *
 * @param code The agent code: a TypeScript module body, with top-level `await` and `return` allowed.
 * @param options The policy to apply over the rules' default actions.
 * @returns The findings, ordered by position; `ok` is false when any of them blocks.
 * @throws {TypeError} When the policy names an unknown rule or action, or relaxes `"syntax"`.
 *
 * @example A tool-calling program passes, an escape attempt does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { screenCode } from "./screen_code.ts";
 * const good = screenCode('const g = await memory.readGraph();\nreturn g.entities.length;');
 * assert.ok(good.ok && good.findings.length === 0);
 *
 * const bad = screenCode('const { permissions } = globalThis["De" + "no"];');
 * assert.ok(!bad.ok && bad.findings[0]?.rule === "deno-permissions");
 *
 * const relaxed = screenCode("eval('1')", { policy: { eval: "warn" } });
 * assert.ok(relaxed.ok && relaxed.findings[0]?.action === "warn");
 * ```
 */
export function screenCode(code: string, options: ScreenOptions = {}): ScreenResult {
  const actions = resolvePolicy((options.policy ?? {}) as BlockerPolicy);
  if (typeof code !== "string") {
    throw new TypeError(`Cannot screen code: expected a string, got ${typeof code}`);
  }
  let program: AstNode;
  try {
    program = (options.program ?? parseAgentCode(code)) as unknown as AstNode;
  } catch (error) {
    return { ok: false, findings: [syntaxFinding(code, error)] };
  }
  let hits: NodeHit[];
  try {
    const facts = collectFacts(program);
    hits = runChecks(facts, new Resolver(facts));
  } catch (error) {
    // Code nested beyond what the screen follows is refused rather than passed unscreened.
    if (!(error instanceof ScreenDepthError) && !(error instanceof RangeError)) throw error;
    return { ok: false, findings: [syntaxFinding(code, error)] };
  }
  const findings = toFindings(code, hits, actions);
  return { ok: !findings.some((finding) => finding.action === "block"), findings };
}

/** Applies the policy, drops duplicates and matches nested in a reported match of the same rule, sorts. */
function toFindings(
  code: string,
  hits: readonly NodeHit[],
  actions: Map<RuleName, RuleAction>,
): Finding[] {
  const ordered = [...hits].sort((a, b) =>
    start(a.node) - start(b.node) || end(b.node) - end(a.node)
  );
  const kept: NodeHit[] = [];
  const findings: Finding[] = [];
  for (const hit of ordered) {
    const action = actions.get(hit.rule) ?? "block";
    if (action === "allow") continue;
    // A match inside a reported match of the same rule adds nothing, unless it is surer than its container.
    const inside = kept.some((other) =>
      other.rule === hit.rule && (other.certain || !hit.certain) &&
      start(other.node) <= start(hit.node) && end(hit.node) <= end(other.node)
    );
    if (inside) continue;
    kept.push(hit);
    const position = hit.node.loc?.start ?? { line: 1, column: 0 };
    findings.push({
      rule: hit.rule,
      action: action === "block" && hit.certain ? "block" : "warn",
      reason: hit.reason,
      line: position.line,
      column: position.column + 1,
      snippet: snippet(code.slice(start(hit.node), end(hit.node))),
    });
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

function syntaxFinding(code: string, error: unknown): Finding {
  const loc = (error as { loc?: { line?: unknown; column?: unknown } } | null)?.loc;
  const line = typeof loc?.line === "number" ? loc.line : 1;
  const column = typeof loc?.column === "number" ? loc.column : 0;
  let message = error instanceof Error ? error.message : String(error);
  // Babel appends the position, e.g. "Unexpected token (3:7)"; the finding carries it already.
  const suffix = ` (${line}:${column})`;
  if (message.endsWith(suffix)) message = message.slice(0, -suffix.length);
  if (message.endsWith(".")) message = message.slice(0, -1);
  const tooDeep = error instanceof RangeError || error instanceof ScreenDepthError;
  return {
    rule: "syntax",
    action: "block",
    reason: tooDeep ? "code nested too deeply to screen" : `code that does not parse (${message})`,
    line,
    column: column + 1,
    snippet: snippet(code.split("\n")[line - 1] ?? ""),
  };
}

function snippet(text: string): string {
  const firstLine = text.split("\n", 1)[0]?.trim() ?? "";
  return firstLine.length > SNIPPET_LENGTH
    ? `${firstLine.slice(0, SNIPPET_LENGTH - 1)}…`
    : firstLine;
}

function start(node: AstNode): number {
  return node.start ?? 0;
}

function end(node: AstNode): number {
  return node.end ?? 0;
}
