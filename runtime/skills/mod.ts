/**
 * Skills: working programs saved, found, composed, versioned, and kept working when servers change.
 *
 * A skill is a folder in Agent Skills format (`skills/<name>/SKILL.md` with YAML front matter) holding a TypeScript
 * program (`skill.ts`) that exports `run(args)`. {@linkcode SkillManager} is what `MCPOrchestrator` and the daemon
 * use; {@linkcode SkillStore} is the folder on disk.
 *
 * @example
 * ```ts ignore
 * await orch.saveSkill("count-people", { description: "Counts the people in the graph", code });
 * orch.searchSkills("how many persons");
 * await orch.executeSkill("count-people", {});
 * ```
 *
 * @module
 */

export { SkillManager } from "./skill_manager.ts";
export { SkillSpaces, type VisibleSkill } from "./skill_spaces.ts";
export { SkillMirror } from "./skill_mirror.ts";
export { exportSkillRows } from "./export_skill_rows.ts";
export { principalFolders, principalFromFolders } from "./principal_folder.ts";
export type {
  BreakingChangePolicy,
  ExecuteSkillOptions,
  SaveSkillFromTaskOptions,
  SaveSkillOptions,
  SkillHost,
  SkillManagerOptions,
  SkillReadOptions,
} from "./skill_manager_options.ts";
export { SkillStore } from "./skill_store.ts";
export { removeSkill, type RemoveSkillOptions } from "./remove_skill.ts";
export type { CachedRecord, SaveContext, SkillRecord, SkillStoreOptions } from "./skill_store.ts";
export { SKILL_STORE_DEFAULTS } from "./skill_store.ts";
export { skillHitLine, SkillIndex } from "./skill_index.ts";
export type { SkillSearchHit } from "./skill_index.ts";
export { listSkillResources, readSkillResource, SKILL_INDEX_URI } from "./skill_resources.ts";
export type { SkillResource, SkillResourceContent } from "./skill_resources.ts";
export { checkSkillName, SKILL_NAME_RE } from "./skill_name.ts";
export { FRONT_MATTER_FIELDS, parseSkillMd, renderSkillMd, splitFrontMatter } from "./skill_md.ts";
export { analyzeSkillCode, renderSkillModule } from "./skill_code.ts";
export type { SkillServer } from "./skill_code.ts";
export { compareTool, compareTools } from "./tool_changes.ts";
export type {
  JsonSchema,
  LoadedSkill,
  RecordedTool,
  SaveSkillInput,
  SkillHealth,
  SkillMetadata,
  SkillStats,
  SkillSummary,
  ToolChange,
} from "./types.ts";
export { pythonSkillSource, resolvePythonSkills } from "./python_skill.ts";
