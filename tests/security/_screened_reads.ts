/**
 * Escape suite, files: the programs that try to read a secret outside the task's read set and that the pattern
 * blocker refuses first, each with the rule that refuses it and how the sandbox contains it when the screen is off.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { assertFailedWith, assertNotCapable, type SecurityFixture } from "./_fixture.ts";
import type { TaskResult } from "../../runtime/mod.ts";

/** A JSON file holding the fixture's secret, so that a successful JSON import would leak it. */
export async function secretJson(f: SecurityFixture): Promise<string> {
  const path = join(f.dir, "secret", "secret.json");
  await Deno.writeTextFile(path, JSON.stringify({ secret: f.secret }));
  return path;
}

export interface ScreenedCase {
  name: string;
  /** The rule that refuses the program under the default policy. */
  rule: string;
  code(f: SecurityFixture, json: string): string;
  /** How the sandbox refuses it when the screen lets it through. */
  contained(result: TaskResult, f: SecurityFixture, json: string): void;
}

export const READ_DENIED = (path: string) =>
  new RegExp(`^Requires read access to "${path.replaceAll(".", "\\.")}"`);

export const SCREENED_READS: ScreenedCase[] = [
  {
    name: "import() of a file: URL (literal) of a JSON secret",
    rule: "dynamic-import",
    code: (_, json) =>
      `return (await import(${
        JSON.stringify(`file://${json}`)
      }, { with: { type: "json" } })).default;`,
    contained: (result, _, json) =>
      assertFailedWith(result, {
        name: "TypeError",
        code: "ERR_MODULE_NOT_FOUND",
        message: READ_DENIED(json),
      }),
  },
  {
    name: "import() of a computed file: URL",
    rule: "dynamic-import",
    code: (_, json) =>
      `const url = new URL(${
        JSON.stringify(json)
      }, "file:///").href;\nreturn (await import(url, { with: { type: "json" } })).default;`,
    contained: (result, _, json) =>
      assertFailedWith(result, {
        name: "TypeError",
        code: "ERR_MODULE_NOT_FOUND",
        message: READ_DENIED(json),
      }),
  },
  {
    name: "a static import of a file: URL",
    rule: "import-specifier",
    code: (_, json) =>
      `import secret from ${
        JSON.stringify(`file://${json}`)
      } with { type: "json" };\nreturn secret;`,
    // The code preparation refuses any static import that is not servers/... or skills/...
    contained: (result) =>
      assertFailedWith(result, {
        name: "SyntaxError",
        code: "syntax_error",
        message: /agent code may import only from "servers\/\.\.\." and "skills\/\.\.\."/,
      }),
  },
  {
    name: 'a static import that climbs out of servers/ ("servers/../")',
    rule: "import-specifier",
    code: () =>
      `import secret from "servers/../secret/secret.json" with { type: "json" };\nreturn secret;`,
    contained: (result) =>
      assertFailedWith(result, {
        name: "SyntaxError",
        code: "syntax_error",
        message:
          /cannot import "servers\/\.\.\/secret\/secret\.json": it leaves the servers\/ folder/,
      }),
  },
  {
    name: 'a static import that climbs out with percent-encoding ("servers/%2e%2e/")',
    rule: "import-specifier",
    code: () =>
      `import secret from "servers/%2e%2e/secret/secret.json" with { type: "json" };\nreturn secret;`,
    contained: (result) =>
      assertFailedWith(result, {
        name: "SyntaxError",
        code: "syntax_error",
        message: /it leaves the servers\/ folder/,
      }),
  },
  {
    name: "node:fs readFileSync",
    rule: "node-builtin",
    code: (f) =>
      `const fs = await import("node:fs");\nreturn fs.readFileSync(${
        JSON.stringify(f.secretFile)
      }, "utf8");`,
    contained: (result, f) => assertNotCapable(result, READ_DENIED(f.secretFile)),
  },
  {
    name: "node:fs/promises readFile",
    rule: "node-builtin",
    code: (f) =>
      `const fs = await import("node:fs/promises");\nreturn await fs.readFile(${
        JSON.stringify(f.secretFile)
      }, "utf8");`,
    contained: (result, f) => assertNotCapable(result, READ_DENIED(f.secretFile)),
  },
  {
    name: "a data: module whose static import names the secret",
    rule: "remote-import",
    code: (_, json) => {
      const src = `import s from "file://${json}" with { type: "json" }; export default s;`;
      const url = `data:text/javascript,${encodeURIComponent(src)}`;
      return `return (await import(${JSON.stringify(url)})).default;`;
    },
    // A module's static imports are checked against the Worker's own read permission, not the process's.
    contained: (result, _, json) =>
      assertFailedWith(result, {
        name: "TypeError",
        code: "ERR_MODULE_NOT_FOUND",
        message: READ_DENIED(json),
      }),
  },
  {
    name: "a nested Worker whose main module statically imports the secret",
    rule: "worker",
    code: (_, json) =>
      `const src = ${
        JSON.stringify(`import s from "file://${json}" with { type: "json" }; postMessage(s);`)
      };
const w = new Worker("data:text/javascript," + encodeURIComponent(src), { type: "module" });
const out = await new Promise((resolve) => {
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => { e.preventDefault(); resolve("error: " + e.message); };
});
w.terminate();
return out;`,
    // A nested Worker's main-module graph would load with its parent's (the agent Worker's) read permission; agent
    // code has no Worker constructor at all.
    contained: (result) => {
      assert.equal(result.status, "failed", JSON.stringify(result));
      assert.equal(result.error?.name, "ReferenceError");
      assert.equal(result.error?.message, "Worker is not defined");
    },
  },
];
