/**
 * TypeScript 6.0.3, the classic compiler API in process, as `bench/typecheck_bench.ts` measures it: a language
 * service kept warm (lib files and generated modules parsed once, their versions following the files' modification
 * times), the agent's file replaced per check. The project chose TypeScript 7 instead (docs/typecheck.md); this is
 * the one it was measured against.
 *
 * @module
 */

import ts from "typescript";
import { COMPILER_OPTIONS, IGNORED_CODES } from "../runtime/typecheck/mod.ts";
import type { BenchChecker, CheckFiles } from "./_typecheck_others.ts";

const ROOT = "/__mcpx__/";
const AGENT = `${ROOT}agent.ts`;
const GLOBALS = `${ROOT}globals.d.ts`;

/**
 * A TypeScript 6 language service over the same files the project's checker sees.
 *
 * @param files What to check against.
 * @returns The checker.
 */
export function classicChecker(files: CheckFiles): BenchChecker {
  let agent = "";
  let agentVersion = 0;
  const versions = new Map<string, string>();
  // The project's own checker options, in the form the classic API takes.
  const converted = ts.convertCompilerOptionsFromJson(
    { ...COMPILER_OPTIONS, paths: { "servers/*": [`${files.serversDir}/*`] } },
    ROOT,
  );
  if (converted.errors.length > 0) {
    throw new Error(ts.flattenDiagnosticMessageText(converted.errors[0]!.messageText, "\n"));
  }
  const options = converted.options;
  const virtual = (file: string) =>
    file === AGENT ? agent : file === GLOBALS ? files.globals : undefined;
  const version = (file: string): string => {
    if (file === AGENT) return String(agentVersion);
    if (file === GLOBALS) return "1";
    let mtime = "gone";
    try {
      mtime = String(Deno.statSync(file).mtime?.getTime());
    } catch {
      // missing
    }
    versions.set(file, mtime);
    return mtime;
  };
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [AGENT, GLOBALS],
    getScriptVersion: version,
    getScriptSnapshot: (file) => {
      const text = virtual(file) ?? ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => "/",
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (file) => virtual(file) !== undefined || ts.sys.fileExists(file),
    readFile: (file) => virtual(file) ?? ts.sys.readFile(file),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return {
    check(code: string): Promise<number> {
      agent = files.wrap(code);
      agentVersion++;
      const all = [
        ...service.getSyntacticDiagnostics(AGENT),
        ...service.getSemanticDiagnostics(AGENT),
      ];
      return Promise.resolve(
        all.filter((d) => d.category === ts.DiagnosticCategory.Error && !IGNORED_CODES.has(d.code))
          .length,
      );
    },
    outsideRssBytes: () => 0,
    close: () => service.dispose(),
  };
}
