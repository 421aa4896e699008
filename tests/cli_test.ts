/**
 * `mcpx` as a user runs it: a real `deno run cli.ts` process in a fresh folder, against the real reference servers.
 */

import assert from "node:assert/strict";
import { join } from "node:path";

import { CLI, mcpx } from "./helpers/mcpx.ts";

Deno.test("mcpx init in an empty folder, then mcpx run of a small file against the starter servers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-cli-" });
  try {
    const init = await mcpx(dir, "init");
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /Wrote .*mcp\.json/);
    const config = JSON.parse(await Deno.readTextFile(join(dir, "mcp.json")));
    assert.deepEqual(Object.keys(config.mcpServers), ["memory", "filesystem", "everything"]);
    assert.equal(config.mcpServers.memory.maxConcurrentCalls, 1);
    const again = await mcpx(dir, "init");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists: keep it, or pass --force/);

    // The "Next:" lines name a command that works from here (this test has deno on PATH, not mcpx).
    const next = /^ {2}(.+) doctor /m.exec(init.stdout)?.[1];
    assert.ok(next !== undefined, init.stdout);
    const help = await new Deno.Command("sh", { args: ["-c", `${next} --help`], cwd: dir })
      .output();
    assert.equal(help.code, 0, `${next} --help: ${new TextDecoder().decode(help.stderr)}`);
    assert.match(new TextDecoder().decode(help.stdout), /^Usage: .* <command> \[flags\]$/m);

    await Deno.writeTextFile(join(dir, "notes.txt"), "alpha\nbeta\n");
    // A task file as docs/task-files.md writes it: the globals referenced, the top-level return marked.
    const task = `/// <reference path="./servers/globals.d.ts" />
const { content: text } = await filesystem.readTextFile({ path: "notes.txt" });
console.log("read", text.length, "characters");
// @ts-ignore: agent code returns its result at top level
return text.trim().split("\\n").length;`;
    await Deno.writeTextFile(join(dir, "count.ts"), task);
    const run = await mcpx(dir, "run", "count.ts", "--tools", "filesystem", "--json");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.status, "completed");
    assert.equal(result.data, 2);
    assert.deepEqual(result.logs, ["read 11 characters"]);
    assert.deepEqual(result.stats.toolsCalled, ["filesystem.read_text_file"]);
    assert.ok(result.stats.tokensDirect > result.stats.tokensUsed);

    // The run generated servers/ beside mcp.json, globals.d.ts with it: the task file type-checks, a wrong call
    // does not.
    const check = async (file: string) =>
      await new Deno.Command(Deno.execPath(), { args: ["check", file], cwd: dir, stdin: "null" })
        .output();
    const good = await check("count.ts");
    assert.equal(good.code, 0, new TextDecoder().decode(good.stderr));
    await Deno.writeTextFile(join(dir, "wrong.ts"), task.replace("{ path:", "{ file:"));
    const wrong = await check("wrong.ts");
    assert.equal(wrong.code, 1);
    assert.match(
      new TextDecoder().decode(wrong.stderr),
      /'file' does not exist in type 'ReadTextFileInput'/,
    );

    await Deno.writeTextFile(
      join(dir, "fail.ts"),
      `await memory.readGraph();\nthrow new Error("no");`,
    );
    const failed = await mcpx(dir, "run", "fail.ts", "--tools", "filesystem");
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^failed/);
    assert.match(failed.stdout, /not_allowed|memory is not defined/);

    // A misspelled parameter: refused with --typecheck error, run with a warning by default ("warn").
    await Deno.writeTextFile(
      join(dir, "typo.ts"),
      `const { content } = await filesystem.readTextFile({ paht: "notes.txt" });\nreturn content;`,
    );
    const refused = await mcpx(
      dir,
      "run",
      "typo.ts",
      "--tools",
      "filesystem",
      "--typecheck",
      "error",
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /\(type_error\)/);
    assert.match(refused.stdout, /^1:\d+ .*'paht'/m);
    const warned = await mcpx(dir, "run", "typo.ts", "--tools", "filesystem", "--json");
    assert.match(
      JSON.parse(warned.stdout).logs[0],
      /^\[mcp-executor\] type error at 1:\d+ .*'paht'/,
    );
    const bad = await mcpx(dir, "run", "typo.ts", "--typecheck", "strict");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Invalid --typecheck "strict"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcpx gen writes the starter servers' modules; mcpx search ranks their tools, by meaning with --embed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-cli-" });
  try {
    assert.equal((await mcpx(dir, "init")).code, 0);
    const gen = await mcpx(dir, "gen", "--json");
    assert.equal(gen.code, 0, gen.stderr);
    const report = JSON.parse(gen.stdout) as {
      outDir: string;
      servers: { name: string; state: string; toolCount: number }[];
      written: string[];
      removed: string[];
    };
    assert.equal(report.outDir, join(await Deno.realPath(dir), "servers"));
    assert.deepEqual(report.servers.map((s) => [s.name, s.state]), [
      ["memory", "connected"],
      ["filesystem", "connected"],
      ["everything", "connected"],
    ]);
    for (
      const file of ["_client.ts", "memory/index.ts", "memory/_module.js", "memory/readGraph.ts"]
    ) {
      assert.ok(report.written.includes(file), file);
    }
    const again = JSON.parse((await mcpx(dir, "gen", "--json")).stdout) as typeof report;
    assert.deepEqual([again.written, again.removed], [[], []], "unchanged servers write nothing");
    const plain = await mcpx(dir, "search", "what is 3 plus 4", "--detail", "name");
    assert.equal(plain.code, 1, "no query word names the sum tool");
    assert.match(plain.stdout, /No matching tools/);
    const embedded = await mcpx(dir, "search", "what is 3 plus 4", "--detail", "name", "--embed");
    assert.equal(embedded.code, 0, embedded.stderr);
    assert.equal(embedded.stdout.split("\n")[0], "everything.get-sum");
    const json = await mcpx(dir, "search", "read a file", "--limit", "2", "--json");
    const hits = JSON.parse(json.stdout) as { name: string; importLine: string }[];
    assert.equal(hits.length, 2);
    assert.match(hits[0]!.name, /^filesystem\.read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcpx doctor names a broken server and exits 1; the working one still passes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-doctor-" });
  try {
    assert.equal((await mcpx(dir, "init")).code, 0);
    const config = JSON.parse(await Deno.readTextFile(join(dir, "mcp.json")));
    config.mcpServers = {
      memory: config.mcpServers.memory,
      broken: { command: "deno", args: ["eval", "console.error('missing API key'); Deno.exit(3)"] },
    };
    await Deno.writeTextFile(join(dir, "mcp.json"), JSON.stringify(config));
    const doctor = await mcpx(dir, "doctor");
    assert.equal(doctor.code, 1, doctor.stdout);
    assert.match(doctor.stdout, /ok {4}memory: 9 tools in \d+ ms/);
    assert.match(doctor.stdout, /fail {2}broken: .*missing API key/s);
    assert.match(doctor.stdout, /ok {4}sandbox refuses file access it was not given/);
    assert.match(doctor.stdout, /1 check\(s\) failed/);
    const json = await mcpx(dir, "doctor", "--json");
    assert.equal(json.code, 1);
    const checks = JSON.parse(json.stdout) as Array<{ check: string; ok: boolean; detail: string }>;
    assert.deepEqual(
      checks.map((c) => [c.check, c.ok]),
      [["deno", true], ["config", true], ["server memory", true], ["server broken", false], [
        "sandbox run",
        true,
      ], ["sandbox refusal", true]],
    );
    assert.match(checks[3]!.detail, /missing API key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcpx explains itself and refuses mistakes with exit code 2", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-usage-" });
  try {
    await t.step("--help lists every command", async () => {
      const help = await mcpx(dir, "--help");
      assert.equal(help.code, 0);
      for (
        const command of [
          "init",
          "gen",
          "search",
          "tools",
          "run",
          "doctor",
          "serve",
          "stop",
          "bench",
        ]
      ) {
        assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
      }
    });
    for (
      const command of ["init", "gen", "search", "tools", "run", "doctor", "serve", "stop", "bench"]
    ) {
      await t.step(`${command} --help`, async () => {
        const help = await mcpx(dir, command, "--help");
        assert.equal(help.code, 0);
        assert.match(help.stdout, new RegExp(`^Usage: mcpx ${command}`));
      });
    }
    await t.step("an unknown command", async () => {
      const bad = await mcpx(dir, "frobnicate");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /Unknown command "frobnicate"/);
    });
    await t.step("a mistyped command is matched to the closest", async () => {
      const bad = await mcpx(dir, "serch");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /Unknown command "serch"\. Did you mean "search"\?/);
    });
    await t.step("hints say mcpx once it is installed on the PATH", async () => {
      const bin = join(dir, "bin");
      await Deno.mkdir(bin);
      await Deno.writeTextFile(join(bin, "mcpx"), "#!/bin/sh\n", { mode: 0o755 });
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, "--help"],
        cwd: dir,
        env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
      }).output();
      assert.match(new TextDecoder().decode(out.stdout), /^Usage: mcpx <command> \[flags\]$/m);
    });
    await t.step("an unknown flag", async () => {
      const bad = await mcpx(dir, "run", "x.ts", "--nope");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--nope/);
      // The hint names a command that works here: this Deno running cli.ts (no mcpx on this PATH).
      assert.match(bad.stderr, /Run "(deno|npx -y deno@[\d.]+) run -A \S*cli\.ts run --help"/);
    });
    await t.step("no mcp.json says how to make one", async () => {
      const bad = await mcpx(dir, "tools");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /run "(deno|npx -y deno@[\d.]+) run -A \S*cli\.ts init"/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcpx doctor --concurrency probes only the servers named, and leaves the store as it found it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpx-doctor-" });
  try {
    assert.equal((await mcpx(dir, "init")).code, 0);
    const seed =
      '{"type":"entity","name":"Existing","entityType":"person","observations":["keep me"]}';
    await Deno.writeTextFile(join(dir, "memory.jsonl"), seed);
    const run = await mcpx(
      dir,
      "doctor",
      "--json",
      "--concurrency",
      "memory",
      "--concurrency",
      "nosuch",
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const checks = JSON.parse(run.stdout) as { check: string; ok: boolean; detail: string }[];
    const probes = checks.filter((c) => c.check.startsWith("concurrency"));
    assert.deepEqual(probes.map((c) => [c.check, c.ok]), [
      ["concurrency memory", true],
      ["concurrency nosuch", false],
    ]);
    // The starter entry sets the limit, so the server passes whatever it did with the parallel writes.
    assert.match(probes[0]!.detail, /20 parallel create_entities: \d+ failed, \d+ kept/);
    assert.match(probes[1]!.detail, /server "nosuch" is not configured/);
    // Its own entities deleted, the user's kept.
    assert.equal((await Deno.readTextFile(join(dir, "memory.jsonl"))).trim(), seed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
