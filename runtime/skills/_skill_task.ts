/**
 * The task that runs a skill: it imports the skill's `run` and calls it with the arguments.
 *
 * @module
 */

import type { AgentTask } from "../types.ts";
import type { ExecuteSkillOptions } from "./skill_manager_options.ts";
import type { LoadedSkill } from "./types.ts";

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
  // The sandbox resolves `skills/<name>/` for the task's principal as the manager's lookup did: private first.
  const specifier = options.current
    ? `skills/${name}/skill.ts`
    : `skills/${name}/versions/${version}/skill.ts`;
  return {
    id: options.id ?? `skill-${name}-${crypto.randomUUID().slice(0, 8)}`,
    description: `skill ${name} v${version}`,
    code: `import { run } from ${JSON.stringify(specifier)};\nreturn await run(JSON.parse(${
      JSON.stringify(JSON.stringify(options.args ?? {}))
    }));`,
    requiredTools: options.tools,
    status: "pending",
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.principal === undefined ? {} : { principal: options.principal }),
  };
}
