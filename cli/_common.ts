/**
 * What every `mcpx` command shares: flag parsing with clear errors, colour only on a terminal, and finding the
 * config file.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line mistake: printed with the command's `--help` hint, exit code 2. */
export class UsageError extends Error {
  /**
   * @param message What was wrong, e.g. `Unknown flag "--x"`.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The flag definitions a command gives to {@linkcode parseFlags}. */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/** Flags and positional arguments as parsed. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses a command's arguments with `node:util` `parseArgs` (strict: unknown flags are errors).
 *
 * @param args The arguments after the command name.
 * @param flags The command's flags; `--help` and `-h` are added.
 * @returns The values and positionals.
 * @throws {UsageError} On an unknown flag or a flag missing its value.
 */
export function parseFlags(args: string[], flags: FlagSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...flags, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * A string flag's value, or `undefined`.
 *
 * @param parsed What {@linkcode parseFlags} returned.
 * @param name The flag's name.
 * @returns The value.
 */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * A whole-number flag's value, or `undefined`.
 *
 * @param parsed What {@linkcode parseFlags} returned.
 * @param name The flag's name.
 * @returns The number.
 * @throws {UsageError} When the value is not a whole number of at least 1.
 */
export function numberFlag(parsed: Parsed, name: string): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`Flag --${name} needs a whole number >= 1, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Whether colour codes may be written: only to a terminal, and not when `NO_COLOR` is set. */
export function useColor(): boolean {
  return Deno.stdout.isTerminal() && Deno.env.get("NO_COLOR") === undefined;
}

/** Wraps text in a colour when {@linkcode useColor} allows it. */
export const paint = {
  /** Green, for what went well. */
  ok: (text: string): string => useColor() ? `\x1b[32m${text}\x1b[0m` : text,
  /** Red, for failures. */
  bad: (text: string): string => useColor() ? `\x1b[31m${text}\x1b[0m` : text,
  /** Dim, for secondary text. */
  dim: (text: string): string => useColor() ? `\x1b[2m${text}\x1b[0m` : text,
  /** Bold, for headings. */
  bold: (text: string): string => useColor() ? `\x1b[1m${text}\x1b[0m` : text,
};

/**
 * The config file a command uses: `--config`, else `mcp.json` in the current folder.
 *
 * @param parsed What {@linkcode parseFlags} returned.
 * @returns An absolute path.
 * @throws {UsageError} When there is no such file, saying how to make one.
 */
export async function configPath(parsed: Parsed): Promise<string> {
  const given = stringFlag(parsed, "config");
  const path = resolve(given ?? "mcp.json");
  try {
    await Deno.stat(path);
  } catch {
    throw new UsageError(
      given === undefined
        ? `No mcp.json in ${Deno.cwd()}: run "mcpx init" to write a starter one, or pass --config <path>`
        : `Cannot read config "${given}": no such file`,
    );
  }
  return path;
}

/**
 * Formats rows as an aligned text table.
 *
 * @param headers The column names.
 * @param rows The cells, one array a row.
 * @returns The table, one line a row.
 */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The flag every command that reads a config accepts. */
export const CONFIG_FLAG: FlagSpec = { config: { type: "string", short: "c" } };
