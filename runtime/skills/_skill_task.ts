/**
 * The task that runs a skill: it imports the skill's `run` and calls it with the arguments.
 *
 * @module
 */

import type { AgentTask } from "../types.ts";
import type { ExecuteSkillOptions } from "./skill_manager_options.ts";
import type { LoadedSkill } from "./types.ts";
import { pythonSkillSource } from "./python_skill.ts";

/**
 * Builds the task of one run of a skill.
 *
 * @param skill The loaded version.
 * @param options The arguments, the tools it needs, whether the version is the current one, and the run's options.
 * @returns The task.
 */
export function skillTask(
  skill: LoadedSkill,
  options: ExecuteSkillOptions & { args: unknown; tools: string[]; current: boolean },
): AgentTask {
  const { name, version } = skill.metadata;
  const python = pythonSkillSource(skill.files["skill.ts"]);
  // The sandbox resolves `skills/<name>/` for the task's principal as the manager's lookup did: private first.
  const specifier = options.current
    ? `skills/${name}/skill.ts`
    : `skills/${name}/versions/${version}/skill.ts`;
  return {
    id: options.id ?? `skill-${name}-${crypto.randomUUID().slice(0, 8)}`,
    description: `skill ${name} v${version}`,
    // A Python skill (issue 21) runs its own body, this version's, with args bound.
    code: python === undefined
      ? `import { run } from ${JSON.stringify(specifier)};\nreturn await run(JSON.parse(${
        JSON.stringify(JSON.stringify(options.args ?? {}))
      }));`
      : `import json\nfrom _mcpx import run_skill\nawait run_skill(${JSON.stringify(name)}, ${
        JSON.stringify(python)
      }, json.loads(${JSON.stringify(JSON.stringify(options.args ?? {}))}))`,
    ...(python === undefined ? {} : { language: "python" as const }),
    requiredTools: options.tools,
    status: "pending",
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.principal === undefined ? {} : { principal: options.principal }),
  };
}
