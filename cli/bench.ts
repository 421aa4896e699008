/**
 * `mcpx bench [name]`: runs one of the benchmark scripts in `bench/` (default `speed`).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseFlags, UsageError } from "./_common.ts";

const BENCHES: Record<string, string> = {
  speed: "task start, call overhead against a direct client, throughput, codegen, search",
  tokens: "tokens of code mode against classic tool calling on five real scenarios",
  sandbox: "sandbox start and call overhead at the pool level",
  search: "search quality and speed",
  codegen: "code generation speed",
  pii: "privacy: MB/s scanning 1 and 10 MB results, tool calls with pii off and on",
};

const HELP = `Usage: mcpx bench [name] [-- flags for the script]

Runs bench/<name>.ts and prints its tables. Benchmarks:
${Object.entries(BENCHES).map(([n, what]) => `  ${n.padEnd(8)} ${what}`).join("\n")}

Flags:
  -h, --help  this text`;

/**
 * Runs `mcpx bench`.
 *
 * @param args The benchmark's name, then `--` and its own flags.
 * @returns The script's exit code.
 */
export async function main(args: string[]): Promise<number> {
  const split = args.indexOf("--");
  const own = split < 0 ? args : args.slice(0, split);
  const rest = split < 0 ? [] : args.slice(split + 1);
  const parsed = parseFlags(own, {});
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const name = parsed.positionals[0] ?? "speed";
  if (BENCHES[name] === undefined) {
    throw new UsageError(
      `Unknown benchmark "${name}": choose one of ${Object.keys(BENCHES).join(", ")}`,
    );
  }
  const file = ["sandbox", "search", "codegen", "pii"].includes(name)
    ? `${name}_bench.ts`
    : `${name}.ts`;
  const script = fileURLToPath(new URL(`../bench/${file}`, import.meta.url));
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...rest],
    stdin: "null",
  }).output();
  return code;
}
