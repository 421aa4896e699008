/**
 * A check of a skill folder against the Agent Skills rules, as the reference reader applies them.
 *
 * @module
 */

import { join } from "node:path";
import { isCollection, isMap, isScalar, parseDocument, visit } from "yaml";
import { FRONT_MATTER_FIELDS } from "../../runtime/skills/mod.ts";

/**
 * The Agent Skills rules as the reference reader (agentskills/skills-ref: `validate`, `parse_frontmatter`) applies
 * them: the text is split on the first two `---` anywhere, the front matter is parsed with StrictYAML (no flow-style
 * collections), only the spec's fields are allowed, `name` is 1-64 lowercase letters, digits and single hyphens equal
 * to the folder's name, `description` is 1-1,024 characters, `metadata` maps strings to strings, `allowed-tools` is a
 * string or a list of strings.
 */
export function agentSkillsErrors(folder: string, name: string): string[] {
  const content = Deno.readTextFileSync(join(folder, "SKILL.md"));
  if (!content.startsWith("---")) return ["SKILL.md must start with YAML frontmatter (---)"];
  const parts = content.split("---");
  if (parts.length < 3) return ["SKILL.md frontmatter not properly closed with ---"];
  const document = parseDocument(parts[1]!);
  if (document.errors.length > 0) return document.errors.map((e) => e.message);
  const errors: string[] = [];
  visit(document, {
    Node(_key, node) {
      if (isCollection(node) && node.flow) {
        errors.push("flow-style collections are not allowed (StrictYAML)");
      }
    },
  });
  const front = document.toJS() as Record<string, unknown>;
  if (!isMap(document.contents)) return ["frontmatter must be a mapping"];
  const extra = Object.keys(front).filter((key) => !FRONT_MATTER_FIELDS.includes(key));
  if (extra.length > 0) errors.push(`Unexpected fields in frontmatter: ${extra.join(", ")}`);
  const skillName = String(front.name ?? "").normalize("NFKC").trim();
  if (skillName === "" || skillName.length > 64) errors.push("name must be 1-64 characters");
  if (skillName !== skillName.toLowerCase()) errors.push("name must be lowercase");
  if (skillName.startsWith("-") || skillName.endsWith("-") || skillName.includes("--")) {
    errors.push("name hyphens");
  }
  if (![...skillName].every((c) => /[\p{L}\p{N}-]/u.test(c))) {
    errors.push("name has invalid characters");
  }
  if (skillName !== name) {
    errors.push(`Directory name '${name}' must match skill name '${skillName}'`);
  }
  const description = front.description;
  if (typeof description !== "string" || description.trim() === "" || description.length > 1024) {
    errors.push("description must be 1-1024 characters");
  }
  const tools = front["allowed-tools"];
  if (
    tools !== undefined && typeof tools !== "string" &&
    !(Array.isArray(tools) && tools.every((t) => typeof t === "string"))
  ) {
    errors.push("allowed-tools must be a string or a list of strings");
  }
  const metadata = document.get("metadata");
  if (metadata !== undefined) {
    if (!isMap(metadata)) errors.push("metadata must be a mapping");
    else {
      for (const pair of metadata.items) {
        if (!isScalar(pair.value) || typeof pair.value.value !== "string") {
          errors.push(`metadata.${String(pair.key)} must be a string`);
        }
      }
    }
  }
  return errors;
}
