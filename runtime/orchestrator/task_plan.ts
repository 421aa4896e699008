/**
 * The checks a task passes before it is queued: its `requiredTools` name configured servers; the pattern blocker lets
 * its code through (parsed once here, the AST is kept for the sandbox); its workspace name is valid. Their outcome is a plan, or the error to report.
 *
 * @module
 */

import { resolve, sep } from "node:path";
import { type Allowlist, parseAllowlist } from "./allowlist.ts";
import { BlockedCodeError, type RuleAction, type RuleName, screenCode } from "../blocker/mod.ts";
import type { ConnectionManager } from "../connections/mod.ts";
import { type AgentProgram, parseAgentCode } from "../sandbox/mod.ts";
import type { AgentTask, TaskErrorInfo, WorkerPermissions } from "../types.ts";

/** How a task that passed its checks is run. */
export interface TaskPlan {
  allow: Allowlist;
  /** The Worker's permissions, the workspace included. */
  permissions?: WorkerPermissions;
  /** The workspace folder, which is also the process's working folder. */
  cwd?: string;
  /** The blocker's warnings, as `rule at line:column: reason`. */
  warnings: string[];
  /** The code's AST, parsed once for the blocker and the sandbox's code preparation. */
  program?: AgentProgram;
}

/** What {@linkcode planTask} needs to know. */
export interface PlanContext {
  connections: ConnectionManager;
  blockerPolicy?: Partial<Record<RuleName, RuleAction>>;
  /** Maps a workspace name to its folder; throws a TypeError for an invalid name. */
  workspacePath(name: string): string;
}

/**
 * Checks a task and plans its run.
 *
 * @param task The task.
 * @param context The connections, the blocker policy and the workspace resolver.
 * @returns The plan, or `{ error }` saying why the task cannot run.
 */
export function planTask(
  task: AgentTask,
  context: PlanContext,
): TaskPlan | { error: TaskErrorInfo } {
  const { connections } = context;
  let allow: Allowlist;
  try {
    allow = parseAllowlist(task.requiredTools, connections.names);
  } catch (error) {
    return {
      error: { name: "TypeError", code: "unknown_server", message: (error as Error).message },
    };
  }
  let program: AgentProgram | undefined;
  const python = task.language === "python";
  try {
    if (!python) program = parseAgentCode(task.code);
  } catch {
    // The blocker parses it again and reports where it fails, as a "syntax" finding.
  }
  // The blocker reads TypeScript; Python code has no pattern screen (see SECURITY.md, "Python agent code").
  const screen = python ? { ok: true as const, findings: [] } : screenCode(task.code, {
    ...(context.blockerPolicy === undefined ? {} : { policy: context.blockerPolicy }),
    ...(program === undefined ? {} : { program }),
  });
  if (!screen.ok) {
    const blocked = new BlockedCodeError(screen.findings);
    return { error: { name: blocked.name, code: blocked.code, message: blocked.message } };
  }
  const plan: TaskPlan = {
    allow,
    warnings: screen.findings.map((f) => `${f.rule} at ${f.line}:${f.column}: ${f.reason}`),
  };
  const reach = reachesFile(task.permissions, connections.signInFile);
  if (reach !== undefined) {
    return {
      error: {
        name: "TypeError",
        code: "invalid_permissions",
        message:
          `Cannot run task "${task.id}": its permissions name "${reach}", which holds the OAuth sign-in file`,
      },
    };
  }
  if (program !== undefined) plan.program = program;
  if (task.permissions !== undefined) plan.permissions = task.permissions;
  if (task.workspace !== undefined) {
    let cwd: string;
    try {
      cwd = context.workspacePath(task.workspace);
    } catch (error) {
      return {
        error: {
          name: "TypeError",
          code: "invalid_workspace",
          message: `Cannot run task "${task.id}": ${(error as Error).message}`,
        },
      };
    }
    plan.cwd = cwd;
    plan.permissions = {
      ...task.permissions,
      read: [...(task.permissions?.read ?? []), cwd],
      write: [...(task.permissions?.write ?? []), cwd],
    };
  }
  return plan;
}

/** The first read or write path of `permissions` that is `file` or a folder above it. */
function reachesFile(
  permissions: WorkerPermissions | undefined,
  file: string | undefined,
): string | undefined {
  if (file === undefined || permissions === undefined) return undefined;
  const targets = [resolve(file), realPath(file)];
  const under = (target: string, granted: string) =>
    target === granted || target.startsWith(granted.endsWith(sep) ? granted : granted + sep);
  return [...(permissions.read ?? []), ...(permissions.write ?? [])].find((path) =>
    targets.some((target) => under(target, resolve(path)) || under(target, realPath(path)))
  );
}

/** The path with its symlinks resolved, as far as it exists (a granted symlink must not hide the file). */
function realPath(path: string): string {
  const full = resolve(path);
  try {
    return Deno.realPathSync(full);
  } catch {
    const parent = resolve(full, "..");
    return parent === full ? full : resolve(realPath(parent), full.slice(parent.length + 1));
  }
}
