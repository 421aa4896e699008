/**
 * `mcpx`: the command-line entry point. Each command lives in its own module with a `main(args)` that returns the
 * exit code; this one picks the command and prints the overview.
 *
 * @module
 */

import { closestName, mcpxCommand, UsageError } from "./_common.ts";

interface Command {
  summary: string;
  load: () => Promise<{ main: (args: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  init: { summary: "write a starter mcp.json in this folder", load: () => import("./init.ts") },
  gen: { summary: "connect the servers and regenerate servers/", load: () => import("./gen.ts") },
  search: { summary: "find tools by what they do", load: () => import("./search.ts") },
  tools: { summary: "list servers, or one server's tools", load: () => import("./tools.ts") },
  run: { summary: "run a TypeScript file as one sandboxed task", load: () => import("./run.ts") },
  skills: {
    summary: "list, show, run or remove saved skills",
    load: () => import("./skills.ts"),
  },
  doctor: {
    summary: "check Deno, the config, each server and the sandbox",
    load: () => import("./doctor.ts"),
  },
  serve: {
    summary: "run the daemon: an MCP server over stdio or HTTP",
    load: () => import("./serve.ts"),
  },
  stop: {
    summary: "stop the running daemons (SIGTERM through their PID files)",
    load: () => import("./stop.ts"),
  },
  approvals: {
    summary: "answer a daemon's approval questions as an operator",
    load: () => import("./approvals.ts"),
  },
  auth: {
    summary: "sign in to a remote server (OAuth), list or remove sign-ins",
    load: () => import("./auth.ts"),
  },
  audit: {
    summary: "verify the audit trail's hash chain (a file or the state store)",
    load: () => import("./audit.ts"),
  },
  state: {
    summary: "migrate the PostgreSQL state store, or export its skills as folders",
    load: () => import("./state.ts"),
  },
  bench: { summary: "run a benchmark script from bench/", load: () => import("./bench.ts") },
};

/** The overview `mcpx --help` prints. */
export function overview(): string {
  const names = Object.keys(COMMANDS);
  const mcpx = mcpxCommand();
  const width = Math.max(...names.map((n) => n.length));
  return [
    "mcpx: code execution with MCP. Agents write code; MCP servers become typed modules; code runs in a sandbox.",
    "",
    `Usage: ${mcpx} <command> [flags]`,
    "",
    "Commands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    "",
    `Run "${mcpx} <command> --help" for a command's flags. Start with "${mcpx} init", then "${mcpx} doctor".`,
    "Install it as the command mcpx: deno install -g -A -n mcpx --config <checkout>/deno.json <checkout>/cli.ts",
  ].join("\n");
}

/**
 * Runs one `mcpx` command.
 *
 * @param args The command line after `mcpx`.
 * @returns The exit code: 0 on success, 1 when the work failed, 2 on a usage mistake.
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    const guess = closestName(name, Object.keys(COMMANDS));
    console.error(
      guess === undefined
        ? `Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(", ")}.`
        : `Unknown command "${name}". Did you mean "${guess}"?`,
    );
    console.error(`Run "${mcpxCommand()} --help" for what each does.`);
    return 2;
  }
  try {
    return await (await command.load()).main(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`mcpx ${name}: ${error.message}`);
      console.error(`Run "${mcpxCommand()} ${name} --help" for its flags.`);
      return 2;
    }
    console.error(`mcpx ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
