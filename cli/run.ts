/**
 * `mcpx run <file.ts>`: runs one file as a sandboxed task and prints its result, logs and token figures.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import type { TaskResult } from "../runtime/mod.ts";
import {
  CONFIG_FLAG,
  configPath,
  mcpxCommand,
  numberFlag,
  paint,
  parseFlags,
  stringFlag,
  UsageError,
} from "./_common.ts";
import { openTaskOrchestrator } from "./_orchestrator.ts";

const HELP =
  `Usage: mcpx run <file.ts|file.py> [--tools memory,filesystem] [--workspace name] [--timeout ms]
                 [--typecheck off|warn|error] [--json]

Runs the file as the body of one task: top-level await and a top-level "return value" work, every server it may
call is in scope as a namespace (memory.readGraph(), filesystem.readTextFile({ path })). Prints the status, the
returned data, the logs and the token figures. The exit code is 0 when the task completed, 1 otherwise.
A .py file runs as Python (memory.read_graph(); the value of its last expression is the result; docs/python.md).

Settings come from mcp-executor.json beside the config, as for mcpx serve: approval rules and approvalTimeoutMs,
pii, audit, typecheck. A call whose rule is "ask" is put to you on this terminal (y approves, anything else refuses); when
stdin is not a terminal no one can answer, and the call is refused with a message that says so.

Flags:
  --tools <list>       servers or server.tool names the code may call, comma-separated
                       (default: every connected server)
  --workspace <name>   a folder that keeps files between runs; the code's cwd
  --timeout <ms>       the task's deadline (default 30000)
  --typecheck <mode>   type errors before the run: "error" refuses the code, "warn" runs it and lists
                       them first, "off" skips the check (default: mcp-executor.json's, else warn)
  --json               the whole result as JSON
  -c, --config <path>  the mcp.json (default ./mcp.json)
  -h, --help           this text`;

/**
 * Runs `mcpx run`.
 *
 * @param args The file and flags.
 * @returns 0 when the task completed, 1 when it did not.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    ...CONFIG_FLAG,
    tools: { type: "string" },
    workspace: { type: "string" },
    timeout: { type: "string" },
    typecheck: { type: "string" },
    json: { type: "boolean" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const file = parsed.positionals[0];
  if (file === undefined) {
    throw new UsageError(`Give the file to run, e.g. ${mcpxCommand()} run task.ts`);
  }
  let code: string;
  try {
    code = await Deno.readTextFile(resolve(file));
  } catch (error) {
    throw new UsageError(
      `Cannot read "${file}": ${error instanceof Error ? error.message : error}`,
    );
  }
  const timeoutMs = numberFlag(parsed, "timeout");
  const workspace = stringFlag(parsed, "workspace");
  const typecheck = stringFlag(parsed, "typecheck");
  if (typecheck !== undefined && !["off", "warn", "error"].includes(typecheck)) {
    throw new UsageError(
      `Invalid --typecheck ${JSON.stringify(typecheck)}: use off, warn or error`,
    );
  }
  await using opened = await openTaskOrchestrator(
    await configPath(parsed),
    typecheck === undefined ? {} : { typecheck: typecheck as "off" | "warn" | "error" },
  );
  const { orch } = opened;
  const tools =
    stringFlag(parsed, "tools")?.split(",").map((t) => t.trim()).filter((t) => t !== "") ??
      orch.getStats().servers.filter((s) => s.state === "connected").map((s) => s.name);
  const result = await orch.executeTask({
    id: basename(file),
    description: `mcpx run ${file}`,
    code,
    requiredTools: tools,
    status: "pending",
    ...(file.endsWith(".py") ? { language: "python" as const } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(workspace === undefined ? {} : { workspace }),
  });
  if (parsed.values.json) console.log(JSON.stringify(result, null, 2));
  else console.log(formatResult(result));
  return result.status === "completed" ? 0 : 1;
}

/**
 * The human-readable report of a task result.
 *
 * @param result The result.
 * @returns Status, data, logs, error and the token figures.
 */
export function formatResult(result: TaskResult): string {
  const lines: string[] = [];
  const status = result.status === "completed" ? paint.ok(result.status) : paint.bad(result.status);
  lines.push(`${status} in ${result.stats.duration.toFixed(0)} ms`);
  if (result.logs.length > 0) {
    lines.push(paint.bold("logs:"), ...result.logs.map((l) => `  ${l}`));
  }
  if (result.error !== undefined) {
    lines.push(
      `${paint.bad("error:")} ${result.error.name} (${result.error.code}): ${result.error.message}`,
    );
  }
  if (result.data !== undefined) {
    lines.push(paint.bold("data:"), JSON.stringify(result.data, null, 2));
  }
  const s = result.stats;
  lines.push(
    paint.dim(
      `tools called: ${s.toolsCalled.length === 0 ? "none" : s.toolsCalled.join(", ")}\n` +
        `tokens: ${s.tokensUsed} reach the model; classic tool calling: ${s.tokensDirect} ` +
        `(${(s.tokensSaved * 100).toFixed(1)} % saved)`,
    ),
  );
  return lines.join("\n");
}
