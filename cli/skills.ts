/**
 * `mcpx skills list|show|run|rm`: the saved skills beside the config.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { removeSkill } from "../runtime/mod.ts";
import {
  CONFIG_FLAG,
  configPath,
  mcpxCommand,
  numberFlag,
  paint,
  parseFlags,
  stringFlag,
  table,
  UsageError,
} from "./_common.ts";
import { openOrchestrator, openTaskOrchestrator } from "./_orchestrator.ts";
import { PostgresStateStore } from "../runtime/state/mod.ts";
import { formatResult } from "./run.ts";

const HELP = `Usage: mcpx skills <list|show|run|rm> [name] [flags]

  list                 every skill: version, health against the servers' current tools, runs, description
  show <name>          its SKILL.md and skill.ts (--version n for an older one)
  run <name>           runs it as a sandboxed task; --args '{"k":"v"}' are checked against its params
  rm <name>            removes it with every version (--force when other skills import it)

Skills live in the skills/ folder beside the config (--dir to use another). run reads mcp-executor.json beside
the config (approvals, pii, audit) and asks on this terminal before a call whose rule is "ask"; without a
terminal on stdin such a call is refused.

Flags:
  --args <json>        the arguments of run (default {})
  --version <n>        the version for show and run (default the current one)
  --force              rm even when other skills import it
  --state-url <url>    rm: also remove the shared skill's rows from this PostgreSQL state store, so every
                       replica removes its copy (without it, a replica's next catch-up writes the folder back)
  --dir <path>         the skills folder
  --json               as JSON
  -c, --config <path>  the mcp.json (default ./mcp.json)
  -h, --help           this text`;

/**
 * Runs `mcpx skills`.
 *
 * @param args The subcommand, a skill name and flags.
 * @returns 0 on success; 1 when the skill is missing, broken or its run failed.
 * @throws {UsageError} On an unknown subcommand, a missing name or `--args` that is not a JSON object.
 */
export async function main(args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    ...CONFIG_FLAG,
    args: { type: "string" },
    version: { type: "string" },
    force: { type: "boolean" },
    dir: { type: "string" },
    json: { type: "boolean" },
    "state-url": { type: "string" },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const [sub, name] = parsed.positionals;
  if (sub === undefined) throw new UsageError("Give a subcommand: list, show, run or rm");
  if (!["list", "show", "run", "rm"].includes(sub)) {
    throw new UsageError(`Unknown subcommand "${sub}": use list, show, run or rm`);
  }
  if (sub !== "list" && name === undefined) {
    throw new UsageError(
      `Give the skill's name, e.g. ${mcpxCommand()} skills ${sub} count-entities`,
    );
  }
  const config = await configPath(parsed);
  const dir = stringFlag(parsed, "dir") ?? join(dirname(config), "skills");
  const json = parsed.values.json === true;
  if (sub === "rm") {
    const versions = await removeSkill(dir, name!, { force: parsed.values.force === true });
    const url = stringFlag(parsed, "state-url");
    if (url !== undefined) {
      await using store = await PostgresStateStore.open(url, { max: 1, migrate: false });
      await store.skills.remove("", name!);
    }
    if (json) console.log(JSON.stringify({ removed: name, versions }));
    else console.log(`Removed skill "${name}" (${versions.length} version(s)).`);
    return 0;
  }
  const version = numberFlag(parsed, "version");
  // run reads mcp-executor.json (approvals, pii, audit) and asks on the terminal, like mcpx run.
  await using opened = sub === "run"
    ? await openTaskOrchestrator(config, { skillsDir: dir, poolSize: 1 })
    : await openOrchestrator(config, { skillsDir: dir, poolSize: 0 }).then((orch) => ({
      orch,
      [Symbol.asyncDispose]: () => orch[Symbol.asyncDispose](),
    }));
  const { orch } = opened;
  if (sub === "list") {
    const skills = orch.listSkills();
    if (json) console.log(JSON.stringify(skills, null, 2));
    else if (skills.length === 0) {
      console.log(
        `No skills in ${dir}. Save one with orch.saveSkill() or the daemon's save_skill tool.`,
      );
    } else {
      console.log(table(
        ["skill", "version", "health", "runs", "description"],
        skills.map((s) => [
          s.name,
          String(s.version),
          s.health === "ok" ? paint.ok(s.health) : paint.bad(s.health),
          String(s.stats.runs),
          s.description.split("\n")[0]!.slice(0, 70),
        ]),
      ));
    }
    return skills.every((s) => s.health !== "broken") ? 0 : 1;
  }
  if (sub === "show") {
    const skill = await orch.loadSkill(name!, version === undefined ? {} : { version });
    if (json) console.log(JSON.stringify(skill, null, 2));
    else {
      console.log(paint.dim(`${skill.dir} (versions: ${skill.versions.join(", ")})`));
      console.log(skill.files["SKILL.md"]);
      console.log(skill.files["skill.ts"]);
    }
    return 0;
  }
  let skillArgs: unknown = {};
  const text = stringFlag(parsed, "args");
  if (text !== undefined) {
    try {
      skillArgs = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--args is not JSON: ${error instanceof Error ? error.message : error}`);
    }
  }
  const result = await orch.executeSkill(
    name!,
    skillArgs,
    version === undefined ? {} : { version },
  );
  if (json) console.log(JSON.stringify(result, null, 2));
  else console.log(formatResult(result));
  return result.status === "completed" ? 0 : 1;
}
