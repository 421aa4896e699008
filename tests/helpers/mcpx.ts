/**
 * Deno and `mcpx` as a user runs them: a real process in a folder, without colour, waited for, its output decoded.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The CLI's entry point. */
export const CLI: string = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/** What one run printed and returned. */
export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs this Deno with `args` in a folder and waits for it.
 *
 * @param cwd The folder it runs in.
 * @param args Deno's arguments (`["task", "demo"]`, `["check", "main.ts"]`).
 * @param env Environment to add to this process's own.
 * @returns The exit code and the decoded output.
 */
export async function deno(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ProcessRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/**
 * Runs `mcpx <args>` in a folder and waits for it.
 *
 * @param cwd The folder it runs in.
 * @param args The command and its flags.
 * @returns The exit code and the decoded output.
 */
export function mcpx(cwd: string, ...args: string[]): Promise<ProcessRun> {
  return deno(cwd, ["run", "-A", CLI, ...args]);
}
