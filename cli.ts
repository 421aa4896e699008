/**
 * `mcpx`, the command-line entry point: `deno run -A cli.ts <command>` or `deno task mcpx <command>`.
 * `deno run -A cli.ts --help` lists the commands.
 *
 * @module
 */

import { main } from "./cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
