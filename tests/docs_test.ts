/**
 * The docs hold together: README.md stays a landing page (at most 250 lines), every `docs/<topic>.md` opens with a
 * title and a three-line summary, and every relative link and `#anchor` in README.md, SECURITY.md and docs/*.md
 * resolves to a file that exists and a heading it has. A reader with only Node.js can run every command: a page
 * that shows a `deno ...` or `mcpx ...` command says first, in one fixed line, how to get that command.
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

/** The Deno version CI pins (`.ci/run`), the one `npx -y deno@<version>` in the docs must name. */
const DENO_VERSION = /^DENO_VERSION=(\S+)$/m.exec(Deno.readTextFileSync(join(ROOT, ".ci/run")))
  ?.[1];

/** The line a page gives before its first `deno ...` command. */
const DENO_STEP =
  `Commands on this page call \`deno\`; with only Node.js, install it first: \`npm install -g deno@${DENO_VERSION}\` (or write \`npx -y deno@${DENO_VERSION}\` in place of \`deno\`).`;

/** The line a page gives before its first `mcpx ...` command, linking docs/service.md's install step. */
function mcpxStep(file: string): string {
  const service = relative(dirname(file), join(ROOT, "docs", "service.md"));
  return `Commands here that call \`mcpx\` need it [installed](${service}#the-mcpx-command); without it, write \`npx -y deno@${DENO_VERSION} run -A <checkout>/cli.ts\` in place of \`mcpx\`.`;
}

/** A line that installs `mcpx` itself (docs/service.md) also gives the mcpx step. */
const MCPX_INSTALL = /\bdeno install -g -A (-f )?-n mcpx --config /;

const SHELL_FENCES = new Set(["sh", "bash", "shell", "console", "zsh"]);

interface Command {
  line: number;
  command: string;
  /** What the reader needs before it: `deno`, `mcpx`, or a pinned `npx -y deno@<version>`. */
  needs: "deno" | "mcpx" | "pin";
}

/** The word a command starts with, after a `$ ` prompt and `NAME=value` assignments, or after `-- ` (`claude mcp add x -- deno run ...`). */
function commandNeeds(text: string): Command["needs"] | undefined {
  const rest = text.replace(/^\$\s+/, "").replace(/^([A-Z_][A-Z0-9_]*=\S*\s+)+/, "");
  for (const candidate of [rest, ...[...rest.matchAll(/\s--\s+(\S.*)$/g)].map((m) => m[1]!)]) {
    if (/^deno\s+\S/.test(candidate)) return "deno";
    if (/^mcpx\s+\S/.test(candidate)) return "mcpx";
    const npx = /^npx\s+(-y\s+)?deno(@(\S+))?\s/.exec(candidate);
    if (npx && npx[3] !== DENO_VERSION && !/^<[^>]+>$/.test(npx[3] ?? "") || npx && !npx[1]) {
      return "pin";
    }
  }
  return undefined;
}

/**
 * The commands a reader types: lines of ```sh (bash, shell, console) blocks, and inline code outside blocks, that
 * start with `deno ` or `mcpx ` (or run Deno through `npx`). A bare `deno <subcommand>` in inline code (`its own
 * \`deno run\` process`) names a Deno subcommand and is not one.
 */
function commands(text: string): Command[] {
  const found: Command[] = [];
  let fence: string | undefined;
  let shell = false;
  text.split("\n").forEach((line, index) => {
    const m = /^\s*(`{3,}|~{3,})\s*(\S*)/.exec(line);
    if (fence === undefined && m) {
      fence = m[1]!;
      shell = SHELL_FENCES.has(m[2]!);
      return;
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence)) fence = undefined;
      else if (shell) {
        const command = line.trim().replace(/\s+#.*$/, "");
        const needs = commandNeeds(command);
        if (needs) found.push({ line: index + 1, command, needs });
      }
      return;
    }
    for (const span of line.matchAll(/(`+)(.+?)\1/g)) {
      const command = span[2]!.trim();
      if (/^deno [a-z]+$/.test(command)) continue;
      const needs = commandNeeds(command);
      if (needs) found.push({ line: index + 1, command, needs });
    }
  });
  return found;
}

/** The last line of a docs/*.md summary (title, blank line, three lines); 0 for README.md and SECURITY.md. */
function summaryEnd(file: string, lines: string[]): number {
  if (!file.includes("/docs/")) return 0;
  const end = lines.indexOf("", 2);
  return end === -1 ? 0 : end;
}

/** A pattern of the sentence that matches it however `deno fmt` wraps the paragraph. */
function sentence(text: string): RegExp {
  return new RegExp(
    text.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+"),
  );
}

/** The line on which the first match of `pattern` ends; Infinity when there is none. */
function lineOf(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? text.slice(0, m.index + m[0].length).split("\n").length : Infinity;
}

/** What is wrong with a page's commands: each names the file, the line, the command and what to add. */
function commandProblems(file: string, text: string): string[] {
  const name = relative(ROOT, file);
  const lines = text.split("\n");
  const steps = {
    deno: lineOf(text, sentence(DENO_STEP)),
    mcpx: Math.min(lineOf(text, sentence(mcpxStep(file))), lineOf(text, MCPX_INSTALL)),
  };
  const summary = summaryEnd(file, lines);
  const problems: string[] = [];
  for (const { line, command, needs } of commands(text)) {
    if (needs === "pin") {
      problems.push(
        `${name}:${line}: \`${command}\` runs an unpinned Deno: write \`npx -y deno@${DENO_VERSION} ...\``,
      );
      continue;
    }
    // The summary under the title cannot hold the step; the step then comes right after it.
    const step = steps[needs];
    if (step < line || (line <= summary && step !== Infinity)) continue;
    const add = needs === "deno" ? DENO_STEP : mcpxStep(file);
    problems.push(
      `${name}:${line}: \`${command}\` needs \`${needs}\`, and the page does not say how to get it before this line: ` +
        `add, above it, the line "${add}"` +
        (needs === "deno"
          ? ` (or, for a page with one or two commands, write \`npx -y deno@${DENO_VERSION} ...\`)`
          : ""),
    );
  }
  return problems;
}

Deno.test("a page says how to get `deno` and `mcpx` before its first command that needs them", () => {
  assert.ok(DENO_VERSION, ".ci/run no longer sets DENO_VERSION=<version>");
  const problems: string[] = [];
  let checked = 0;
  for (const file of docFiles()) {
    const text = Deno.readTextFileSync(file);
    checked += commands(text).length;
    problems.push(...commandProblems(file, text));
  }
  assert.ok(checked > 50, `only ${checked} commands found: the command pattern no longer matches`);
  assert.deepEqual(problems, []);
});

Deno.test("commands() finds what a reader types, and commandProblems() names the file, line and what to add", () => {
  const page = [
    "# Title",
    "",
    "Run `deno task demo` to see it,",
    "in a `deno run` process (a subcommand named, not a command),",
    "and `deno.json` is a file.",
    "",
    "```sh",
    "$ deno run -A bench/x.ts   # a comment",
    "MCPX_TEST_PG_URL=postgres://x mcpx state migrate",
    "claude mcp add x -- deno run -A cli.ts serve",
    "npx deno task demo",
    "echo deno run",
    "```",
    "",
    "```text",
    "deno run output",
    "```",
  ].join("\n");
  assert.deepEqual(commands(page), [
    { line: 3, command: "deno task demo", needs: "deno" },
    { line: 8, command: "$ deno run -A bench/x.ts", needs: "deno" },
    { line: 9, command: "MCPX_TEST_PG_URL=postgres://x mcpx state migrate", needs: "mcpx" },
    { line: 10, command: "claude mcp add x -- deno run -A cli.ts serve", needs: "deno" },
    { line: 11, command: "npx deno task demo", needs: "pin" },
  ]);
  const file = join(ROOT, "docs", "x.md");
  const problems = commandProblems(file, page);
  assert.equal(problems.length, 5);
  assert.match(
    problems[0]!,
    /^docs\/x\.md:3: `deno task demo` needs `deno`.*add, above it, the line "Commands on this page call `deno`/,
  );
  assert.match(problems[2]!, /^docs\/x\.md:9: .*\[installed\]\(service\.md#the-mcpx-command\)/);
  assert.match(problems[4]!, /^docs\/x\.md:11: `npx deno task demo` runs an unpinned Deno/);
  // With both steps under the summary, only the unpinned npx is left; the summary's command counts as after them.
  const fixed = page.replace("\n\n```sh", `\n\n${DENO_STEP}\n${mcpxStep(file)}\n\n\`\`\`sh`);
  assert.deepEqual(commandProblems(file, fixed).map((p) => p.split(":")[1]), ["14"]);
  // deno fmt may wrap the step over lines; it counts where it ends.
  const wrapped = fixed.replace(
    DENO_STEP,
    DENO_STEP.replace(" install it first: ", " install it\nfirst: "),
  );
  assert.deepEqual(commandProblems(file, wrapped).map((p) => p.split(":")[1]), ["15"]);
  // A step below a command does not count.
  const late = `# Title\n\nSummary one\ntwo\nthree\n\nRun \`deno task demo\`.\n\n${DENO_STEP}\n`;
  assert.deepEqual(commandProblems(file, late).map((p) => p.split(":")[1]), ["7"]);
});
