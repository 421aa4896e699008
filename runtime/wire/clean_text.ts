/**
 * Rewrites error messages, stacks and log text from the Worker into what an agent should read: the agent code's
 * `data:` URL or eval name becomes `agent.ts` with the agent's own line and column, the sandbox runtime's own frames go, known
 * folders get short names, and terminal colour codes are stripped.
 *
 * Both sides of the sandbox use this file: it imports nothing outside `runtime/wire/` and no npm package.
 *
 * @module
 */

/** What {@linkcode cleanText} needs to know about the module it rewrites for. */
export interface CleanTextOptions {
  /** How many characters line 1 of the module carries in front of the agent's own line 1. */
  firstLineOffset: number;
  /** Prefixes to shorten, e.g. `{ "file:///srv/app/servers/": "servers/" }`; the longest match wins. */
  pathAliases: Record<string, string>;
  /** The `file:` URL of the sandbox runtime's folder, ending in `/`: stack frames inside it are dropped. */
  internalUrl: string;
}

// Terminal control: CSI (colours, cursor, clear screen), OSC up to BEL or ST (window title, clipboard writes,
// hyperlinks), other two-character escapes, C1 controls, and C0 controls other than tab and newline.
const CONTROL =
  // deno-lint-ignore no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Removes what a terminal would act on instead of showing: escape sequences (colours, cursor moves, screen
 * clears, window titles, clipboard writes), C1 controls, and control characters other than tab and newline
 * (`\r\n` becomes `\n`).
 *
 * @param text Any text that came from agent code.
 * @returns The text without control sequences.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripControls } from "./clean_text.ts";
 * assert.equal(stripControls("\u001b]0;pwned\u0007 hi \u001b[31mred\u001b[0m\r\n"), " hi red\n");
 * ```
 */
export function stripControls(text: string): string {
  return text.replaceAll("\r\n", "\n").replace(CONTROL, "");
}
const AGENT_SOURCE =
  /(?:data:application\/typescript;base64,[A-Za-z0-9+/=]*(?:\.{3,}[A-Za-z0-9+/=]*)?|agent\.ts, <anonymous>)(?::(\d+)(?::(\d+))?)?/g;

/**
 * Rewrites one piece of text; see the module doc for what changes.
 *
 * @param text A message, a stack or a log line.
 * @param options The module's first-line offset, the path aliases and the runtime's own folder.
 * @returns The cleaned text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanText } from "./clean_text.ts";
 * const stack = "Error: boom\n    at Module.__agent__ (data:application/typescript;base64,AAAA:3:7)";
 * const clean = cleanText(stack, { firstLineOffset: 40, pathAliases: {}, internalUrl: "file:///rt/" });
 * assert.equal(clean, "Error: boom\n    at Module.__agent__ (agent.ts:3:7)");
 * ```
 */
export function cleanText(text: string, options: CleanTextOptions): string {
  let out = stripControls(text);
  if (out.includes("data:application/typescript") || out.includes("agent.ts, <anonymous>")) {
    out = out.replace(AGENT_SOURCE, (_match, line?: string, column?: string) => {
      if (line === undefined) return "agent.ts";
      if (column === undefined) return `agent.ts:${line}`;
      let col = Number(column);
      if (line === "1") col = Math.max(1, col - options.firstLineOffset);
      return `agent.ts:${line}:${col}`;
    });
  }
  if (out.includes(options.internalUrl)) {
    out = out
      .split("\n")
      .filter((line) => !(/^\s+at /.test(line) && line.includes(options.internalUrl)))
      .join("\n")
      .replaceAll(options.internalUrl, "sandbox/");
  }
  const prefixes = Object.keys(options.pathAliases).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (prefix !== "" && out.includes(prefix)) {
      out = out.replaceAll(prefix, options.pathAliases[prefix] ?? "");
    }
  }
  return out;
}
