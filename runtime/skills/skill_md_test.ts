import assert from "node:assert/strict";
import { join } from "node:path";
import { agentSkillsErrors } from "../../tests/helpers/agent_skills.ts";
import { parseSkillMd, splitFrontMatter } from "./skill_md.ts";
import { SkillStore } from "./skill_store.ts";

Deno.test("saved skills pass the Agent Skills reference reader's rules, whatever their text holds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skill-md-" });
  try {
    const store = new SkillStore(dir);
    const context = {
      servers: [],
      serversDir: join(dir, "servers"),
      currentTools: () => undefined,
    };
    const skills: Array<[string, Record<string, unknown>]> = [
      ["plain", { description: "Counts contacts per email domain" }],
      ["tricky-text", {
        description:
          'Quotes "like this", colons: here, a # hash, - dashes -- and {braces} [brackets] & * ! | > % @ `',
        tags: ["crm", "déjà-vu", "100%"],
      }],
      ["long-description", { description: "x".repeat(1024) }],
      ["unicode", {
        description: "Zählt Kontakte je Domäne; 連絡先をドメインごとに数える\nsecond line",
      }],
      ["schema-with-dashes", {
        description: "Takes a separator",
        params: {
          type: "object",
          properties: { sep: { type: "string", default: "---", description: "--- or ===\n---" } },
        },
      }],
    ];
    for (const [name, input] of skills) {
      await store.save(name, { code: "return args;", ...input } as never, context);
      assert.deepEqual(agentSkillsErrors(join(dir, name), name), [], name);
      const parsed =
        parseSkillMd(Deno.readTextFileSync(join(dir, name, "SKILL.md")), name).metadata;
      assert.equal(parsed.description, input.description);
      assert.deepEqual(parsed.params, input.params ?? { type: "object" });
      assert.deepEqual(parsed.tags, input.tags ?? []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseSkillMd() names what is wrong with a hand-written SKILL.md", () => {
  const md = (front: string) => `---\n${front}\n---\n# body\n`;
  const good = 'name: a\ndescription: d\nmetadata:\n  version: "1"';
  assert.equal(parseSkillMd(md(good), "a").metadata.version, 1);
  assert.throws(() => parseSkillMd("# no front matter", "a"), /must start with YAML front matter/);
  assert.throws(() => parseSkillMd("---\nname: a\n", "a"), /not closed/);
  assert.throws(() => parseSkillMd(md("name: [a"), "a"), /Invalid YAML/);
  assert.throws(() => parseSkillMd(md(good), "b"), /does not match its folder "b"/);
  assert.throws(
    () => parseSkillMd(md(`${good}\nauthor: me`), "a"),
    /Unexpected front matter fields: author/,
  );
  assert.throws(
    () => parseSkillMd(md("name: a\ndescription: d"), "a"),
    /"metadata" must be a mapping/,
  );
  assert.throws(
    () => parseSkillMd(md(`${good}\n  params: "{not json"`), "a"),
    /"metadata.params" is not valid JSON/,
  );
  assert.deepEqual(splitFrontMatter("---\r\nname: a\r\n---\r\nbody"), {
    yaml: "name: a\r\n",
    body: "body",
  });
});
