/**
 * `deno check` in a subprocess, the baseline `bench/typecheck_bench.ts` measures the checkers against, and the
 * shapes the bench's checkers share. Every checker sees the same files the project's checker sees: the wrapped agent
 * program, the sandbox globals and the server namespaces.
 *
 * @module
 */

import { join } from "node:path";

/** One checker under measurement. */
export interface BenchChecker {
  /** Checks one program; resolves to the number of errors in the agent's file. */
  check(code: string): Promise<number>;
  /** Resident memory the checker holds outside this process, in bytes (0 when inside). */
  outsideRssBytes(): number;
  close(): void | Promise<void>;
}

/** What both checkers check against. */
export interface CheckFiles {
  /** The generated `servers/` folder. */
  serversDir: string;
  /** Declarations of the sandbox globals and server namespaces (a script). */
  globals: string;
  /** Wraps agent code as the chosen checker does (the body of an async function). */
  wrap(code: string): string;
}

/** Resident memory of a process, from /proc, in bytes. */
export function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function writeProject(dir: string, files: CheckFiles, code: string): void {
  Deno.writeTextFileSync(join(dir, "globals.d.ts"), files.globals);
  Deno.writeTextFileSync(join(dir, "agent.ts"), files.wrap(code));
}

/**
 * `deno check` in a subprocess per program: the baseline.
 *
 * @param files What to check against.
 * @returns The checker.
 */
export function denoCheckChecker(files: CheckFiles): BenchChecker {
  const dir = Deno.makeTempDirSync({ prefix: "deno-check-bench-" });
  Deno.writeTextFileSync(
    join(dir, "deno.json"),
    JSON.stringify({
      imports: { "servers/": `file://${files.serversDir}/` },
      compilerOptions: { strict: false, noImplicitAny: false, strictNullChecks: false },
    }),
  );
  return {
    async check(code: string): Promise<number> {
      writeProject(dir, files, code);
      const text = Deno.readTextFileSync(join(dir, "agent.ts"));
      Deno.writeTextFileSync(
        join(dir, "agent.ts"),
        `/// <reference path="./globals.d.ts" />\n${text}`,
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--quiet", "--no-lock", "agent.ts"],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const text2 = new TextDecoder().decode(out.stderr);
      return (text2.match(/TS\d+ \[ERROR\]/g) ?? []).length;
    },
    outsideRssBytes: () => 0,
    close() {
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
