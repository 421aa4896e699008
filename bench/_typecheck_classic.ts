/**
 * TypeScript 6.0.3, the classic compiler API in process, as `bench/typecheck_bench.ts` measures it: a language
 * service kept warm (lib files and generated modules parsed once, their versions following the files' modification
 * times), the agent's file replaced per check. The project chose TypeScript 7 instead (docs/typecheck.md); this is
 * the one it was measured against.
 *
 * @module
 */

import ts from "typescript";
import type { BenchChecker, CheckFiles } from "./_typecheck_others.ts";

const ROOT = "/__mcpx__/";
const AGENT = `${ROOT}agent.ts`;
const GLOBALS = `${ROOT}globals.d.ts`;
const IGNORED = new Set([18046, 2571, 18047, 18048, 18049]);

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
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: false,
    noImplicitAny: false,
    strictNullChecks: false,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    paths: { "servers/*": [`${files.serversDir}/*`] },
  };
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
        all.filter((d) => d.category === ts.DiagnosticCategory.Error && !IGNORED.has(d.code))
          .length,
      );
    },
    outsideRssBytes: () => 0,
    close: () => service.dispose(),
  };
}
