/**
 * Replaces `console.*` in the Worker with functions that format their arguments the way Deno's console does and
 * hand the text to a callback, which turns it into `log` messages.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import type { LogMessage } from "../wire/mod.ts";

/** A console level, as a {@linkcode LogMessage} carries it. */
export type LogLevel = LogMessage["level"];

/** Receives each formatted console line. */
export type LogSink = (level: LogLevel, text: string) => void;

const INSPECT_OPTIONS = { colors: false, depth: 4, strAbbreviateSize: 10_000, iterableLimit: 100 };

/**
 * Formats console arguments like Deno does: a leading string may hold `%s %d %i %f %o %O %j %c %%`, strings print
 * as they are, other values through `Deno.inspect`, all joined by spaces.
 *
 * @param args The arguments a console method got.
 * @returns One string; it may span several lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLogArgs } from "./console_capture.ts";
 * assert.equal(formatLogArgs(["%s has %d items", "cart", 3, { a: 1 }]), "cart has 3 items { a: 1 }");
 * ```
 */
export function formatLogArgs(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  const parts: string[] = [];
  let rest = 0;
  const first = args[0];
  if (typeof first === "string" && args.length > 1 && first.includes("%")) {
    rest = 1;
    parts.push(
      first.replace(/%([sdifoOjc%])/g, (match, spec: string) => {
        if (spec === "%") return "%";
        if (rest >= args.length) return match;
        const arg = args[rest++];
        switch (spec) {
          case "s":
            return typeof arg === "string" ? arg : inspect(arg);
          case "d":
          case "i":
            return typeof arg === "bigint"
              ? `${arg}n`
              : String(spec === "i" ? Math.trunc(Number(arg)) : Number(arg));
          case "f":
            return String(Number(arg));
          case "j":
            try {
              return JSON.stringify(arg) ?? "undefined";
            } catch {
              return "[Circular]";
            }
          case "c":
            return "";
          default:
            return inspect(arg);
        }
      }),
    );
  }
  for (let index = rest; index < args.length; index++) {
    const arg = args[index];
    parts.push(typeof arg === "string" ? arg : inspect(arg));
  }
  return parts.join(" ");
}

/**
 * Replaces the methods of `console` with ones that send formatted text to `sink`. Groups indent by two spaces;
 * `count`, `time` and `assert` behave as in Deno; `table` falls back to `Deno.inspect`.
 *
 * @param target The console object to patch, normally `globalThis.console`.
 * @param sink Receives each formatted line with its level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installConsole } from "./console_capture.ts";
 * const lines: string[] = [];
 * const fake = {} as Console;
 * installConsole(fake, (level, text) => lines.push(`${level}:${text}`));
 * fake.warn("careful", 1);
 * assert.equal(lines[0], "warn:careful 1");
 * ```
 */
export function installConsole(target: Console, sink: LogSink): void {
  let indent = "";
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const emit = (level: LogLevel, text: string): void => {
    sink(level, indent === "" ? text : text.replace(/^/gm, indent));
  };
  const methods: Record<string, (...args: unknown[]) => void> = {
    log: (...args) => emit("log", formatLogArgs(args)),
    info: (...args) => emit("info", formatLogArgs(args)),
    debug: (...args) => emit("debug", formatLogArgs(args)),
    warn: (...args) => emit("warn", formatLogArgs(args)),
    error: (...args) => emit("error", formatLogArgs(args)),
    trace: (...args) => {
      const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      emit("error", `Trace${args.length > 0 ? ": " + formatLogArgs(args) : ""}\n${stack}`);
    },
    dir: (value) => emit("log", inspect(value)),
    dirxml: (...args) => emit("log", formatLogArgs(args)),
    table: (...args) => emit("log", formatLogArgs(args)),
    assert: (condition, ...args) => {
      if (condition) return;
      const detail = args.length > 0 ? `: ${formatLogArgs(args)}` : "";
      emit("error", `Assertion failed${detail}`);
    },
    count: (label = "default") => {
      const count = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), count);
      emit("info", `${String(label)}: ${count}`);
    },
    countReset: (label = "default") => void counts.delete(String(label)),
    group: (...args) => {
      if (args.length > 0) emit("log", formatLogArgs(args));
      indent += "  ";
    },
    groupCollapsed: (...args) => {
      if (args.length > 0) emit("log", formatLogArgs(args));
      indent += "  ";
    },
    groupEnd: () => void (indent = indent.slice(2)),
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...args) => {
      const start = timers.get(String(label));
      if (start === undefined) return emit("warn", `Timer '${String(label)}' does not exist`);
      const extra = args.length > 0 ? " " + formatLogArgs(args) : "";
      emit("info", `${String(label)}: ${elapsed(start)}${extra}`);
    },
    timeEnd: (label = "default") => {
      const start = timers.get(String(label));
      if (start === undefined) return emit("warn", `Timer '${String(label)}' does not exist`);
      timers.delete(String(label));
      emit("info", `${String(label)}: ${elapsed(start)}`);
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    Object.defineProperty(target, name, {
      value: method,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  }
}

function inspect(value: unknown): string {
  try {
    return Deno.inspect(value, INSPECT_OPTIONS);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function elapsed(start: number): string {
  return `${Math.round((performance.now() - start) * 1000) / 1000}ms`;
}
