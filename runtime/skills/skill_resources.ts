/**
 * Skills as MCP resources, following the skills extension (`io.modelcontextprotocol/skills`, SEP-2640): each
 * skill's files under `skill://<name>/<file>`, and a discovery index at `skill://index.json`.
 *
 * @module
 */

import { join } from "node:path";
import { SKILL_NAME_RE } from "./skill_name.ts";
import type { SkillSummary } from "./types.ts";

/**
 * The discovery index's URI.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, SKILL_INDEX_URI } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const index = JSON.parse((await orch.skills.readResource(SKILL_INDEX_URI)).text);
 * assert.equal(index.skills[0].name, "add-two");
 * ```
 */
export const SKILL_INDEX_URI = "skill://index.json";

/** The files of a skill that are served, with their MIME types. */
const SERVED: Readonly<Record<string, string>> = {
  "SKILL.md": "text/markdown",
  "skill.ts": "text/x-typescript",
};

/**
 * A resource as `resources/list` gives it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillResource } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const resources: SkillResource[] = orch.skills.listResources();
 * assert.ok(resources.some((r) => r.uri === "skill://add-two/SKILL.md" && r.mimeType === "text/markdown"));
 * ```
 */
export interface SkillResource {
  /** `skill://index.json` or `skill://<name>/<file>`. */
  uri: string;
  /** A short name: `skills-index` or `<name>/<file>`. */
  name: string;
  /** The skill's description. */
  description?: string;
  /** `text/markdown`, `text/x-typescript` or `application/json`. */
  mimeType: string;
}

/**
 * A resource's content as `resources/read` gives it.
 *
 * @example
 * ```ts
 * import { MCPOrchestrator, type SkillResourceContent } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config: { servers: {} }, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * await orch.saveSkill("add-two", { description: "Adds two numbers", code: "return args.a + args.b;" });
 * const content: SkillResourceContent = await orch.skills.readResource("skill://add-two/skill.ts");
 * assert.match(content.text, /export async function run/);
 * ```
 */
export interface SkillResourceContent {
  /** The URI read. */
  uri: string;
  /** Its MIME type. */
  mimeType: string;
  /** The file's text. */
  text: string;
}

/**
 * The resources of the given skills: the index, then each skill's `SKILL.md` and `skill.ts`.
 *
 * @param skills The skills, as `listSkills()` reports them (broken ones included: their files are still readable).
 * @returns The resource list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listSkillResources } from "./skill_resources.ts";
 * const stats = { runs: 0, successes: 0, failures: {}, medianDurationMs: 0, toolsCalled: [] };
 * const list = listSkillResources([{
 *   name: "count-domain", description: "Counts", version: 1, tags: [], tools: [], health: "ok", changes: [], stats,
 * }]);
 * assert.deepEqual(list.map((r) => r.uri), [
 *   "skill://index.json", "skill://count-domain/SKILL.md", "skill://count-domain/skill.ts",
 * ]);
 * ```
 */
export function listSkillResources(skills: readonly SkillSummary[]): SkillResource[] {
  const resources: SkillResource[] = [{
    uri: SKILL_INDEX_URI,
    name: "skills-index",
    description: "Agent Skills discovery index of the saved skills",
    mimeType: "application/json",
  }];
  for (const skill of skills) {
    for (const [file, mimeType] of Object.entries(SERVED)) {
      const resource: SkillResource = {
        uri: `skill://${skill.name}/${file}`,
        name: `${skill.name}/${file}`,
        mimeType,
      };
      if (skill.description !== "") resource.description = skill.description;
      resources.push(resource);
    }
  }
  return resources;
}

/**
 * Reads one skill resource.
 *
 * @param skillsDir The skills folder, or the folder of each skill by name (`undefined` for one the reader does not
 *   see: a principal's private skills for another principal).
 * @param uri `skill://index.json` or `skill://<name>/SKILL.md` or `skill://<name>/skill.ts`.
 * @param skills The skills, for the index.
 * @returns The content.
 * @throws {TypeError} When the URI names no served file or no existing skill.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSkillResource } from "./skill_resources.ts";
 * const index = await readSkillResource("/nonexistent", "skill://index.json", []);
 * assert.deepEqual(JSON.parse(index.text).skills, []);
 * await assert.rejects(readSkillResource("/nonexistent", "skill://a/../../etc/passwd", []), TypeError);
 * ```
 */
export async function readSkillResource(
  skillsDir: string | ((name: string) => string | undefined),
  uri: string,
  skills: readonly SkillSummary[],
): Promise<SkillResourceContent> {
  if (uri === SKILL_INDEX_URI) {
    const index = {
      $schema: "https://schemas.agentskills.io/discovery/0.2.0/schema.json",
      skills: skills.filter((s) => s.description !== "").map((s) => ({
        name: s.name,
        type: "skill-md",
        description: s.description,
        url: `skill://${s.name}/SKILL.md`,
      })),
    };
    return { uri, mimeType: "application/json", text: JSON.stringify(index, null, 2) };
  }
  const match = /^skill:\/\/([^/]+)\/([^/]+)$/.exec(uri);
  const mimeType = match === null ? undefined : SERVED[match[2]!];
  if (match === null || mimeType === undefined || !SKILL_NAME_RE.test(match[1]!)) {
    throw new TypeError(
      `Unknown skill resource ${
        JSON.stringify(uri)
      }: expected skill://<name>/SKILL.md or skill://<name>/skill.ts`,
    );
  }
  const folder = typeof skillsDir === "string" ? join(skillsDir, match[1]!) : skillsDir(match[1]!);
  try {
    if (folder === undefined) throw new Deno.errors.NotFound();
    return { uri, mimeType, text: await Deno.readTextFile(join(folder, match[2]!)) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new TypeError(
        `Unknown skill resource ${JSON.stringify(uri)}: there is no skill "${match[1]}"`,
      );
    }
    throw error;
  }
}
