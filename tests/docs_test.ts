/**
 * The docs hold together: README.md stays a landing page (at most 250 lines), every `docs/<topic>.md` opens with a
 * title and a three-line summary, and every relative link and `#anchor` in README.md, SECURITY.md and docs/*.md
 * resolves to a file that exists and a heading it has.
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README_MAX_LINES = 250;

function docFiles(): string[] {
  const docs = [...Deno.readDirSync(join(ROOT, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join(ROOT, "docs", e.name))
    .sort();
  return [join(ROOT, "README.md"), join(ROOT, "SECURITY.md"), ...docs];
}

/** The text without fenced code blocks (their lines become empty, so line numbers stay). */
function withoutCode(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && m) {
      fence = m[1]!;
      return "";
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence)) fence = undefined;
      return "";
    }
    return line;
  });
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, each space a hyphen; repeats get `-1`, `-2`. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const line of withoutCode(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    // Links keep their text; HTML tags go, except inside inline code, where `<server>` is text.
    const plain = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").split("`")
      .map((part, i) => i % 2 === 1 ? part : part.replace(/<[^>]+>/g, "")).join("");
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return found;
}

Deno.test(`README.md is a landing page of at most ${README_MAX_LINES} lines`, () => {
  const lines = Deno.readTextFileSync(join(ROOT, "README.md")).trimEnd().split("\n").length;
  assert.ok(
    lines <= README_MAX_LINES,
    `README.md has ${lines} lines: move detail into a docs/<topic>.md and link it from README's map`,
  );
});

Deno.test("every docs/*.md opens with a title and a three-line summary, and README links it", () => {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const problems: string[] = [];
  for (const file of docFiles().filter((f) => f.includes("/docs/"))) {
    const name = relative(ROOT, file);
    const lines = Deno.readTextFileSync(file).split("\n");
    if (!/^# \S/.test(lines[0] ?? "") || lines[1] !== "") {
      problems.push(`${name}: does not start with "# Title" and a blank line`);
      continue;
    }
    const end = lines.indexOf("", 2);
    const summary = lines.slice(2, end === -1 ? undefined : end);
    if (summary.length !== 3 || summary.some((l) => /^(#|```|\||- |\* |<)/.test(l))) {
      problems.push(
        `${name}: the summary under the title is ${summary.length} lines, not a 3-line paragraph`,
      );
    }
    if (!readme.includes(`](${name})`)) problems.push(`${name}: README's map does not link it`);
  }
  assert.deepEqual(problems, []);
});

Deno.test("every relative link and #anchor in README.md, SECURITY.md and docs/*.md resolves", () => {
  const broken: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchors(Deno.readTextFileSync(path)));
    return anchorCache.get(path)!;
  };
  let checked = 0;
  for (const file of docFiles()) {
    withoutCode(Deno.readTextFileSync(file)).forEach((line, index) => {
      // Inline code may show link syntax without being a link.
      const text = line.replace(/`[^`]*`/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        checked++;
        const where = `${relative(ROOT, file)}:${index + 1}: ${target}`;
        const [path, anchor] = target.split("#", 2) as [string, string | undefined];
        const resolved = path === "" ? file : join(dirname(file), decodeURIComponent(path));
        if (!resolved.startsWith(ROOT)) {
          broken.push(`${where} (outside the repository)`);
          continue;
        }
        try {
          Deno.statSync(resolved);
        } catch {
          broken.push(`${where} (no such file)`);
          continue;
        }
        if (anchor !== undefined) {
          if (!resolved.endsWith(".md")) {
            broken.push(`${where} (an anchor into a file that is not Markdown)`);
          } else if (!anchorsOf(resolved).has(anchor)) {
            broken.push(`${where} (no heading with that anchor)`);
          }
        }
      }
    });
  }
  assert.ok(checked > 50, `only ${checked} links found: the link pattern no longer matches`);
  assert.deepEqual(broken, []);
});

Deno.test("anchors() gives GitHub's anchors", () => {
  const found = anchors(
    "# Title\n## Checking a server: `mcpx doctor --concurrency <server>`\n```sh\n# not a heading\n```\n## Title\n",
  );
  assert.deepEqual([...found], [
    "title",
    "checking-a-server-mcpx-doctor---concurrency-server",
    "title-1",
  ]);
});
