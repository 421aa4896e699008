/**
 * `mcpx approvals`: answer a daemon's approval questions from a terminal, as an operator (`"approver":
 * "operator"` in mcp-executor.json). It talks to `GET /approvals` and `POST /approvals/<id>` with a bearer token.
 *
 * @module
 */

import { LineReader } from "./_line_reader.ts";
import { paint, parseFlags, stringFlag, terminalSafe, UsageError } from "./_common.ts";

const HELP =
  `Usage: mcpx approvals [--url http://127.0.0.1:8787] [--token-file path] [--list] [--approve id | --deny id]

Answers the approval questions of a daemon whose mcp-executor.json has "approvals": { "approver": "operator" }.
Without --list, --approve or --deny it shows each pending call (server, tool, arguments, task, principal, rule) and
asks "Approve? [y/n/s]" (y approves, n refuses, s skips); it checks for new ones every second until Ctrl-C or the
end of input. Works in any terminal, tmux included.

The bearer token comes from the MCPX_TOKEN environment variable, or the first line of --token-file; it needs the
mcpx:approve scope. It is never a flag value, which other users see in ps.

Flags:
  --url <base>         the daemon's address (default $MCPX_URL, else http://127.0.0.1:8787)
  --token-file <path>  a file whose first line is the bearer token
  --list               print the pending approvals and exit
  --json               with --list: as JSON
  --approve <id>       approve one and exit
  --deny <id>          refuse one and exit
  --reason <text>      why (shown to the agent code when refused)
  -h, --help           this text`;

/** A pending approval as `GET /approvals` lists it. */
interface Pending {
  id: string;
  server: string;
  tool: string;
  args: unknown;
  taskId: string;
  session?: string;
  principal?: string;
  rule: string;
  askedAt: string;
}

/** The daemon's approvals API with one token. */
class ApprovalsApi {
  #base: string;
  #headers: Record<string, string>;

  constructor(base: string, token: string | undefined) {
    this.#base = base.replace(/\/+$/, "");
    this.#headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  async list(): Promise<Pending[]> {
    const response = await this.#fetch("/approvals", { headers: this.#headers });
    const body = await response.json() as { pending: Pending[] };
    return body.pending;
  }

  /** Answers one; `false` when it is no longer pending. */
  async answer(id: string, approve: boolean, reason?: string): Promise<boolean> {
    const response = await fetch(`${this.#base}/approvals/${encodeURIComponent(id)}`, {
      method: "POST",
      headers: { ...this.#headers, "content-type": "application/json" },
      body: JSON.stringify({ approve, ...(reason === undefined ? {} : { reason }) }),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return false;
    }
    await this.#check(response);
    await response.body?.cancel();
    return true;
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, init);
    } catch (error) {
      throw new Error(
        `Cannot reach the daemon at ${this.#base}: ${(error as Error).message}`,
      );
    }
    await this.#check(response);
    return response;
  }

  async #check(response: Response): Promise<void> {
    if (response.ok) return;
    const text = await response.text();
    const why = response.status === 401
      ? "the bearer token is missing or wrong (set MCPX_TOKEN or --token-file)"
      : response.status === 403
      ? "the token does not hold the scope mcpx:approve"
      : `HTTP ${response.status}: ${text.slice(0, 200)}`;
    throw new Error(`Cannot use the approvals of ${this.#base}: ${why}`);
  }
}

/**
 * A pending approval as the terminal shows it.
 *
 * @param p The approval.
 * @returns Lines of text, control characters replaced.
 */
function describe(p: Pending): string {
  let args = JSON.stringify(p.args ?? {}, null, 2) ?? "{}";
  if (args.length > 4_000) {
    args = `${args.slice(0, 4_000)}… (${args.length - 4_000} more characters)`;
  }
  // Text from the daemon must not move the cursor or recolour the terminal; only the heading's bold may.
  return [
    `${paint.bold(terminalSafe(`${p.server}.${p.tool}`))}  (rule ${terminalSafe(p.rule)})`,
    terminalSafe(
      `  task ${p.taskId}${p.session === undefined ? "" : `, session ${p.session}`}, principal ${
        p.principal ?? "(none)"
      }, asked ${p.askedAt}`,
    ),
    terminalSafe(`  id ${p.id}`),
    terminalSafe(`  arguments: ${args.replaceAll("\n", "\n  ")}`),
  ].join("\n");
}

async function readToken(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return Deno.env.get("MCPX_TOKEN")?.trim() || undefined;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read the token file "${file}": ${(error as Error).message}`);
  }
  const token = text.split("\n").map((l) => l.trim()).find((l) => l !== "");
  if (token === undefined) throw new UsageError(`Cannot use the token file "${file}": it is empty`);
  return token;
}

/**
 * Runs `mcpx approvals`.
 *
 * @param args The flags.
 * @returns 0 on success, 1 when the daemon refused or the approval was not pending.
 * @throws {UsageError} On conflicting flags or an unreadable token file.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    url: { type: "string" },
    "token-file": { type: "string" },
    list: { type: "boolean" },
    json: { type: "boolean" },
    approve: { type: "string" },
    deny: { type: "string" },
    reason: { type: "string" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[0]}"`);
  }
  const approveId = stringFlag(parsed, "approve");
  const denyId = stringFlag(parsed, "deny");
  if (approveId !== undefined && denyId !== undefined) {
    throw new UsageError("Give --approve or --deny, not both");
  }
  const api = new ApprovalsApi(
    stringFlag(parsed, "url") ?? Deno.env.get("MCPX_URL") ?? "http://127.0.0.1:8787",
    await readToken(stringFlag(parsed, "token-file")),
  );
  const reason = stringFlag(parsed, "reason");
  const id = approveId ?? denyId;
  if (id !== undefined) {
    const answered = await api.answer(id, approveId !== undefined, reason);
    if (!answered) {
      console.error(`Approval "${id}" is not pending (answered, withdrawn or unknown)`);
      return 1;
    }
    console.log(`${approveId !== undefined ? "Approved" : "Refused"} ${id}`);
    return 0;
  }
  if (parsed.values.list) {
    const pending = await api.list();
    if (parsed.values.json) console.log(JSON.stringify(pending, null, 2));
    else if (pending.length === 0) console.log("No tool call is waiting for approval.");
    else console.log(pending.map(describe).join("\n\n"));
    return 0;
  }
  return await interactive(api, reason);
}

async function interactive(api: ApprovalsApi, reason: string | undefined): Promise<number> {
  const lines = new LineReader();
  const skipped = new Set<string>();
  let idle = false;
  while (true) {
    const next = (await api.list()).find((p) => !skipped.has(p.id));
    if (next === undefined) {
      if (!idle) {
        console.log(paint.dim("No tool call is waiting; watching for new ones (Ctrl-C to stop)."));
      }
      idle = true;
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    idle = false;
    console.log(`\n${describe(next)}`);
    await Deno.stdout.write(new TextEncoder().encode("Approve? [y/n/s] "));
    const line = await lines.read();
    if (line === null) {
      console.log();
      return 0;
    }
    const choice = line.trim().toLowerCase();
    if (choice === "s" || choice === "skip") {
      skipped.add(next.id);
      continue;
    }
    if (!["y", "yes", "n", "no"].includes(choice)) {
      console.log("Answer y (approve), n (refuse) or s (skip).");
      continue;
    }
    const approve = choice.startsWith("y");
    const answered = await api.answer(next.id, approve, reason);
    console.log(
      answered
        ? approve ? paint.ok("Approved.") : paint.bad("Refused.")
        : "It is no longer pending (answered elsewhere, timed out, or its task ended).",
    );
  }
}
