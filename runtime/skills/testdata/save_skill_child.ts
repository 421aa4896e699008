/**
 * A process that saves skills, for the tests that kill a save midway or run two saves at once.
 *
 * `deno run -A save_skill_child.ts <skillsDir> <name> loop`: saves new versions until killed, each with a fresh
 * token in its description and code, printing `saved <version> <token>` after each.
 * `deno run -A save_skill_child.ts <skillsDir> <name> once <token> <barrier>`: waits for the barrier file, saves once,
 * prints `{"version":n}` or `{"error":"..."}`.
 */

import { SkillStore } from "../skill_store.ts";

const [dir, name, mode, token = "", barrier = ""] = Deno.args;
// The padding (over the default code limit) makes a save slow enough to be killed midway; every version is kept.
const store = new SkillStore(dir!, { maxCodeBytes: 2 ** 20, maxVersions: 10_000 });
const context = { servers: [], serversDir: `${dir}/../servers`, currentTools: () => undefined };
// A long body makes each save write enough for a kill to land inside it.
const padding = Array.from({ length: 4000 }, (_, i) => `// padding line ${i} ${"x".repeat(60)}`)
  .join("\n");

function input(t: string) {
  return { description: `Returns token ${t}`, code: `${padding}\nreturn "${t}";` };
}

if (mode === "loop") {
  while (true) {
    const t = crypto.randomUUID();
    const saved = await store.save(name!, input(t), context);
    console.log(`saved ${saved.version} ${t}`);
  }
} else {
  while (true) {
    try {
      Deno.statSync(barrier);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  try {
    const saved = await store.save(name!, input(token), context);
    console.log(JSON.stringify({ version: saved.version }));
  } catch (error) {
    console.log(JSON.stringify({ error: (error as Error).message }));
  }
}
