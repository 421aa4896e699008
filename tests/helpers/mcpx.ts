/**
 * `mcpx` as a user runs it: a real `deno run -A cli.ts` process in a folder, without colour.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The CLI's entry point. */
export const CLI: string = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/** What one `mcpx` run printed and returned. */
export interface McpxRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mcpx <args>` in a folder and waits for it.
 *
 * @param cwd The folder it runs in.
 * @param args The command and its flags.
 * @returns The exit code and the decoded output.
 */
export async function mcpx(cwd: string, ...args: string[]): Promise<McpxRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}
