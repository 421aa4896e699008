/**
 * Checking a saved `skill.ts` and moving it between folders: {@linkcode checkSkillModule} and
 * {@linkcode rebaseSkillModule}.
 *
 * @module
 */

import { posix } from "node:path";
import { parseTypeScript, SKILL_HEADER_RE } from "./skill_code.ts";

type Program = ReturnType<typeof parseTypeScript>;

/**
 * Checks a `skill.ts` file: it parses and exports a `run` function.
 *
 * @param text The file's text.
 * @returns The version its header names, if it has the generated header.
 * @throws {SyntaxError} When it does not parse (with line and column) or has no `run` export.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSkillModule } from "./skill_module.ts";
 * assert.deepEqual(checkSkillModule('// Skill "a" version 4, saved by mcp-executor.\nexport function run() {}'), { version: 4 });
 * assert.throws(() => checkSkillModule("export const x = 1;"), /does not export a run function/);
 * ```
 */
export function checkSkillModule(text: string): { version?: number } {
  const program = parseTypeScript(text, "skill.ts");
  const exportsRun = program.body.some((node) =>
    node.type === "ExportNamedDeclaration" && (
      (node.declaration?.type === "FunctionDeclaration" && node.declaration.id?.name === "run") ||
      (node.declaration?.type === "VariableDeclaration" &&
        node.declaration.declarations.some((d) =>
          d.id.type === "Identifier" && d.id.name === "run"
        )) ||
      node.specifiers.some((s) => s.exported.type === "Identifier" && s.exported.name === "run")
    )
  );
  if (!exportsRun) throw new SyntaxError("skill.ts does not export a run function");
  const header = SKILL_HEADER_RE.exec(text);
  return header === null ? {} : { version: Number(header[2]) };
}

/**
 * Rewrites the relative import paths of a `skill.ts` written for one folder so that it works from another (an old
 * version's copy in `versions/<n>/` and the current one in the skill's folder differ in depth).
 *
 * @param text The module's text.
 * @param from The folder it was written for (absolute, `/`-separated).
 * @param to The folder it goes to.
 * @returns The rewritten text; unchanged when it does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rebaseSkillModule } from "./skill_module.ts";
 * const text = 'import * as m from "../../servers/m/index.ts";\nexport async function run() {}';
 * assert.match(rebaseSkillModule(text, "/s/a", "/s/a/versions/2"), /"\.\.\/\.\.\/\.\.\/\.\.\/servers\/m\/index\.ts"/);
 * ```
 */
export function rebaseSkillModule(text: string, from: string, to: string): string {
  let program: Program;
  try {
    program = parseTypeScript(text, "skill.ts");
  } catch {
    return text;
  }
  const edits: Array<[number, number, string]> = [];
  for (const node of program.body) {
    const source = node.type === "ImportDeclaration" ||
        node.type === "ExportAllDeclaration" ||
        (node.type === "ExportNamedDeclaration" && node.source != null)
      ? node.source
      : undefined;
    if (source == null || !source.value.startsWith(".")) continue;
    let path = posix.relative(to, posix.resolve(from, source.value));
    if (!path.startsWith(".")) path = `./${path}`;
    edits.push([source.start ?? 0, source.end ?? 0, JSON.stringify(path)]);
  }
  let out = text;
  for (const [start, end, replacement] of edits.reverse()) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out;
}
