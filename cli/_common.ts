/**
 * What every `mcpx` command shares: flag parsing with clear errors, colour only on a terminal, and finding the
 * config file.
 *
 * @module
 */

import { distance as editDistance } from "fastest-levenshtein";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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

// deno-lint-ignore no-control-regex -- matching control characters is the point
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from elsewhere (a daemon, a server, agent code) made safe to print on a terminal: control characters other
 * than newline (which could move the cursor or recolour the screen), DEL, C1 controls and bidirectional overrides
 * become `?`.
 *
 * @param text The text.
 * @returns The text to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalSafe } from "./_common.ts";
 * assert.equal(terminalSafe("a\u001b[2Jb\nc\u202e"), "a?[2Jb\nc?");
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, "?");
}

/**
 * The mark that starts a status line, padded so the text after it lines up: `ok` or `fail`.
 *
 * @param ok Whether the check passed.
 * @returns The coloured mark and its padding.
 */
export function statusMark(ok: boolean): string {
  return ok ? `${paint.ok("ok")}    ` : `${paint.bad("fail")}  `;
}

/**
 * A count with its noun, singular for one: `1 server`, `3 servers`.
 *
 * @param count The number.
 * @param noun The singular noun.
 * @returns The phrase.
 */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The command that starts `mcpx` on this machine, for the hints commands print: `mcpx` when it is installed on
 * the PATH (`deno install -g -A -n mcpx ...`), else this Deno running this `cli.ts`: `deno run -A cli.ts` when
 * `deno` is on the PATH, `npx -y deno@<this version> run -A cli.ts` when it is not (a Deno from npm). The path of
 * `cli.ts` is relative when it is under the current folder.
 *
 * @returns The command, ready to be followed by a subcommand.
 */
export function mcpxCommand(): string {
  const override = Deno.env.get("MCPX_COMMAND");
  if (override !== undefined && override !== "") return override;
  if (onPath("mcpx")) return "mcpx";
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  const rel = relative(Deno.cwd(), cli);
  const script = rel.startsWith("..") || isAbsolute(rel) ? cli : rel;
  const deno = onPath("deno") ? "deno" : `npx -y deno@${Deno.version.deno}`;
  return `${deno} run -A ${script}`;
}

function onPath(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(join(dir, name));
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

/**
 * The name closest to a mistyped one, by edit distance, when it is close enough to be a likely typo (at most a
 * third of its letters, and at least one, differ).
 *
 * @param typed What was typed.
 * @param names The names there are.
 * @returns The closest name, or undefined.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return bestDistance <= Math.max(1, Math.floor(typed.length / 3)) ? best : undefined;
}

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
        ? `No mcp.json in ${Deno.cwd()}: run "${mcpxCommand()} init" to write a starter one, or pass --config <path>`
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
