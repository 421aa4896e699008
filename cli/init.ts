/**
 * `mcpx init`: writes a starter `mcp.json` with the embedded default's three reference servers (server-memory,
 * server-filesystem over the current folder, server-everything), pinned, and prints the next step.
 *
 * @module
 */

import { resolve } from "node:path";
import { mcpxCommand, parseFlags, stringFlag } from "./_common.ts";

const HELP = `Usage: mcpx init [--force] [--file mcp.json]

Writes a starter mcp.json: server-memory (its graph in ./memory.jsonl, one call at a time), server-filesystem over this folder and
server-everything, pinned versions, started through this Deno. Refuses to overwrite an existing file.

Flags:
  --file <path>  where to write (default mcp.json)
  --force        overwrite an existing file
  -h, --help     this text`;

/** The pinned version of the reference servers the starter config names. */
export const STARTER_SERVER_VERSION = "2026.8.31";

/**
 * The starter config: the embedded default's servers, with paths relative to the file's folder.
 *
 * @returns The mcp.json document.
 */
export function starterConfig(): { mcpServers: Record<string, unknown> } {
  const run = (pkg: string, ...args: string[]) => [
    "run",
    "-A",
    "--no-config",
    "--no-lock",
    `npm:@modelcontextprotocol/${pkg}@${STARTER_SERVER_VERSION}`,
    ...args,
  ];
  return {
    mcpServers: {
      memory: {
        command: "deno",
        args: run("server-memory"),
        env: { MEMORY_FILE_PATH: "./memory.jsonl" },
        // It rewrites its whole file per call: parallel calls would overwrite each other's writes.
        maxConcurrentCalls: 1,
      },
      filesystem: { command: "deno", args: run("server-filesystem", ".") },
      everything: { command: "deno", args: run("server-everything", "stdio") },
    },
  };
}

/**
 * Runs `mcpx init`.
 *
 * @param args The flags.
 * @returns 0 when written, 1 when the file exists.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    force: { type: "boolean" },
    file: { type: "string" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const path = resolve(stringFlag(parsed, "file") ?? "mcp.json");
  const text = JSON.stringify(starterConfig(), null, 2) + "\n";
  try {
    await Deno.writeTextFile(path, text, { createNew: parsed.values.force !== true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      console.error(`${path} already exists: keep it, or pass --force to overwrite it.`);
      return 1;
    }
    throw error;
  }
  console.log(`Wrote ${path} with three reference MCP servers (memory, filesystem, everything).`);
  const mcpx = mcpxCommand();
  console.log("Next:");
  console.log(`  ${mcpx} doctor                 check that every server starts`);
  console.log(`  ${mcpx} search 'read a file'   find tools`);
  console.log(
    `  ${mcpx} run hello.ts           run agent code, e.g. \`return await filesystem.listDirectory({ path: "." });\``,
  );
  return 0;
}
