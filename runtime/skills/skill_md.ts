/**
 * `SKILL.md`: YAML front matter as Agent Skills (agentskills.io) defines it, and a short usage text.
 *
 * The front matter keeps to what the reference reader (`skills-ref`, which parses with StrictYAML) accepts: only the
 * fields the spec lists, no flow-style collections, `metadata` as a map of strings, and no `---` inside it. The
 * skill's own data lives under `metadata`: `version`, `tags` and `tools` as space-separated words, `params` and
 * `tool-hashes` as JSON text, and `author` (the principal that saved a shared skill, when not the default one).
 *
 * @module
 */

import { parse, stringify, YAMLError } from "yaml";
import { checkSkillName } from "./skill_name.ts";
import type { JsonSchema, SkillMetadata } from "./types.ts";

/** The front matter fields Agent Skills allows. */
export const FRONT_MATTER_FIELDS: readonly string[] = [
  "name",
  "description",
  "license",
  "allowed-tools",
  "metadata",
  "compatibility",
];

/**
 * Splits a Markdown file into its YAML front matter and its body.
 *
 * @param text The file's text.
 * @returns The YAML text between the `---` lines and the body after them.
 * @throws {SyntaxError} When the text does not start with a `---` line or the front matter is not closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitFrontMatter } from "./skill_md.ts";
 * assert.deepEqual(splitFrontMatter("---\nname: x\n---\nbody\n"), { yaml: "name: x\n", body: "body\n" });
 * ```
 */
export function splitFrontMatter(text: string): { yaml: string; body: string } {
  const source = text.replace(/^\uFEFF/, "");
  const open = /^---[ \t]*\r?\n/.exec(source);
  if (open === null) throw new SyntaxError("SKILL.md must start with YAML front matter (---)");
  const rest = source.slice(open[0].length);
  const close = /^---[ \t]*(?:\r?\n|$)/m.exec(rest);
  if (close === null) throw new SyntaxError("SKILL.md front matter is not closed with ---");
  return { yaml: rest.slice(0, close.index), body: rest.slice(close.index + close[0].length) };
}

/** `---` would end the front matter for a reader that splits on it: escape it inside JSON strings. */
function jsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll("--", "-\\u002d");
}

function words(list: readonly string[]): string {
  return list.join(" ");
}

/**
 * Writes a skill's `SKILL.md`.
 *
 * @param metadata The skill's metadata.
 * @param body The Markdown after the front matter.
 * @returns The file's text.
 * @throws {TypeError} When the description holds `---`, which would end the front matter for other readers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSkillMd, renderSkillMd } from "./skill_md.ts";
 * const metadata = {
 *   name: "count-domain", description: "Counts people per email domain", version: 1, tags: ["crm"],
 *   params: { type: "object" }, tools: ["memory.read_graph"], toolHashes: {}, skills: [], savedAt: "2026-01-01T00:00:00.000Z",
 * };
 * assert.deepEqual(parseSkillMd(renderSkillMd(metadata, "# count-domain\n"), "count-domain").metadata, metadata);
 * ```
 */
export function renderSkillMd(metadata: SkillMetadata, body: string): string {
  if (metadata.description.includes("---")) {
    throw new TypeError('Invalid skill description: it must not contain "---"');
  }
  const front: Record<string, unknown> = {
    name: metadata.name,
    description: metadata.description,
  };
  if (metadata.tools.length > 0) front["allowed-tools"] = words(metadata.tools);
  const meta: Record<string, string> = {
    generator: "mcp-executor",
    version: String(metadata.version),
    "saved-at": metadata.savedAt,
    tags: words(metadata.tags),
    tools: words(metadata.tools),
    skills: words(metadata.skills),
    params: jsonText(metadata.params),
    "tool-hashes": jsonText(metadata.toolHashes),
  };
  if (metadata.author !== undefined) meta.author = metadata.author;
  front.metadata = meta;
  const yaml = stringify(front, { lineWidth: 0, collectionStyle: "block" });
  return `---\n${yaml}---\n${body}`;
}

/**
 * Reads a skill's `SKILL.md` and checks it against the Agent Skills rules and this store's metadata.
 *
 * @param text The file's text.
 * @param folderName The name of the folder it is in, which must equal the skill's name.
 * @returns The metadata and the body.
 * @throws {SyntaxError} When the front matter is missing or is not valid YAML.
 * @throws {TypeError} When a field is missing or invalid; the message names it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSkillMd } from "./skill_md.ts";
 * const text = '---\nname: hello\ndescription: Says hello\nmetadata:\n  version: "2"\n---\n# hello\n';
 * assert.equal(parseSkillMd(text, "hello").metadata.version, 2);
 * assert.throws(() => parseSkillMd(text, "other"), /does not match its folder/);
 * ```
 */
export function parseSkillMd(
  text: string,
  folderName: string,
): { metadata: SkillMetadata; body: string } {
  const { yaml, body } = splitFrontMatter(text);
  let front: unknown;
  try {
    front = parse(yaml, { uniqueKeys: true });
  } catch (error) {
    // Only YAML errors are the file's fault (the parser reads LOG_TOKENS from the environment, which needs --allow-env).
    if (!(error instanceof YAMLError)) throw error;
    throw new SyntaxError(`Invalid YAML in SKILL.md front matter: ${error.message}`);
  }
  if (front === null || typeof front !== "object" || Array.isArray(front)) {
    throw new TypeError("SKILL.md front matter must be a YAML mapping");
  }
  const fields = front as Record<string, unknown>;
  const extra = Object.keys(fields).filter((key) => !FRONT_MATTER_FIELDS.includes(key));
  if (extra.length > 0) throw new TypeError(`Unexpected front matter fields: ${extra.join(", ")}`);
  checkSkillName(fields.name);
  if (fields.name !== folderName) {
    throw new TypeError(`Skill name "${fields.name}" does not match its folder "${folderName}"`);
  }
  const description = fields.description;
  if (typeof description !== "string" || description.trim() === "" || description.length > 1024) {
    throw new TypeError('Field "description" must be a string of 1 to 1,024 characters');
  }
  const meta = fields.metadata;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    throw new TypeError('Field "metadata" must be a mapping');
  }
  const m = meta as Record<string, unknown>;
  const version = Number(m.version);
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError('Field "metadata.version" must be a whole number of at least 1');
  }
  return {
    metadata: {
      name: fields.name,
      description,
      version,
      tags: wordList(m.tags),
      params: jsonField(m.params, "params") as JsonSchema,
      tools: wordList(m.tools),
      toolHashes: jsonField(m["tool-hashes"], "tool-hashes") as Record<string, string>,
      skills: wordList(m.skills),
      savedAt: typeof m["saved-at"] === "string" ? m["saved-at"] : "",
      ...(typeof m.author === "string" && m.author !== "" ? { author: m.author } : {}),
    },
    body,
  };
}

function wordList(value: unknown): string[] {
  return typeof value === "string" ? value.split(/\s+/).filter((w) => w !== "") : [];
}

function jsonField(value: unknown, key: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch (error) {
    throw new SyntaxError(`Field "metadata.${key}" is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new TypeError(`Field "metadata.${key}" must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
