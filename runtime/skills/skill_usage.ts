/**
 * The body of `SKILL.md`: what a reader (a model or a person) needs to use the skill, with an example call.
 *
 * @module
 */

import type { JsonSchema, SkillMetadata } from "./types.ts";

/**
 * Example arguments built from a params schema: each property's first example, its default, or a placeholder of its
 * type.
 *
 * @param params The skill's params schema.
 * @returns An object with one value per property.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exampleArgs } from "./skill_usage.ts";
 * const schema = { type: "object", properties: { domain: { type: "string", examples: ["example.org"] }, n: { type: "integer" } } };
 * assert.deepEqual(exampleArgs(schema), { domain: "example.org", n: 0 });
 * ```
 */
export function exampleArgs(params: JsonSchema): Record<string, unknown> {
  const properties = (params.properties ?? {}) as Record<string, JsonSchema>;
  const args: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(properties)) {
    if (Array.isArray(schema?.examples) && schema.examples.length > 0) {
      args[key] = schema.examples[0];
    } else if (schema?.default !== undefined) args[key] = schema.default;
    else args[key] = placeholder(schema?.type);
  }
  return args;
}

function placeholder(type: unknown): unknown {
  const first = Array.isArray(type) ? type[0] : type;
  switch (first) {
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return "...";
  }
}

function paramLines(params: JsonSchema): string[] {
  const properties = (params.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(params.required) ? params.required as string[] : []);
  return Object.entries(properties).map(([key, schema]) => {
    const type = Array.isArray(schema?.type)
      ? schema.type.join(" | ")
      : String(schema?.type ?? "any");
    const note = typeof schema?.description === "string" ? `: ${schema.description}` : "";
    return `- \`${key}\` (${type}${required.has(key) ? ", required" : ""})${note}`;
  });
}

/**
 * Writes the Markdown body of a skill's `SKILL.md`.
 *
 * @param metadata The skill's metadata.
 * @returns The body: title, description, how to run it (with example arguments), its parameters and tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSkillBody } from "./skill_usage.ts";
 * const body = renderSkillBody({
 *   name: "count-domain", description: "Counts people per email domain", version: 1, tags: [],
 *   params: { type: "object", properties: { domain: { type: "string" } } }, tools: ["memory.read_graph"],
 *   toolHashes: {}, skills: [], savedAt: "",
 * });
 * assert.ok(body.includes('import { run } from "skills/count-domain/skill.ts";'));
 * ```
 */
export function renderSkillBody(metadata: SkillMetadata): string {
  const args = JSON.stringify(exampleArgs(metadata.params));
  const lines = [
    `# ${metadata.name}`,
    "",
    metadata.description,
    "",
    "## Usage",
    "",
    "`skill.ts` beside this file is a TypeScript program for mcp-executor. Run it with",
    `\`orch.executeSkill("${metadata.name}", ${args})\`, or call it from a task or another skill:`,
    "",
    "```ts",
    `import { run } from "skills/${metadata.name}/skill.ts";`,
    `const result = await run(${args});`,
    "```",
    "",
  ];
  const params = paramLines(metadata.params);
  if (params.length > 0) lines.push("## Parameters", "", ...params, "");
  if (metadata.tools.length > 0) {
    lines.push("## Tools", "", ...metadata.tools.map((tool) => `- \`${tool}\``), "");
  }
  return lines.join("\n");
}
