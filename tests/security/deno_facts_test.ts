/**
 * Escape suite, the Deno facts the sandbox design rests on (see DESIGN.md). Agent code has no Worker constructor, so
 * facts about Workers are measured in a plain child Deno process started with the sandbox's kind of flags.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Runs a Deno program in a child process with the given flags; resolves to its stdout, parsed as JSON. */
async function runDeno(flags: string[], source: string): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "deno-fact-" });
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, source);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        "--no-lock",
        "--unstable-worker-options",
        ...flags,
        `${dir}/main.ts`,
      ],
      stdin: "null",
      stderr: "inherit",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Agent code gets no Worker constructor (see the nested Worker cases above), so these facts, which need a Worker,
// are measured in a plain Deno process started with the sandbox's kind of flags.
Deno.test("escape suite: the Deno facts the design rests on still hold (measured in a child Deno)", async (t) => {
  await t.step(
    "a Worker's static imports load with its parent's read permission, not its own",
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "deno-fact-lib-" });
      try {
        const lib = `${dir}/lib.ts`;
        await Deno.writeTextFile(lib, "export function callTool(): number { return 1; }\n");
        const src = `import { callTool } from "file://${lib}";
let own;
try { await Deno.readTextFile(${JSON.stringify(lib)}); own = "read"; } catch (e) { own = e.name; }
postMessage([typeof callTool, own]);`;
        const data = await runDeno(
          [`--allow-read=${dir}`],
          `const w = new Worker(${
            JSON.stringify(`data:text/javascript,${encodeURIComponent(src)}`)
          }, { type: "module", deno: { permissions: { read: false } } });
const out = await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); });
w.terminate();
console.log(JSON.stringify(out));`,
        );
        // The import of lib.ts succeeded under the parent's read permission, while the nested Worker itself may read
        // nothing: why agent code is never a Worker's main module.
        assert.deepEqual(data, ["function", "NotCapable"]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
  await t.step(
    "worker.terminate() does not stop a Worker in a busy loop: its thread spins on",
    async () => {
      const data = await runDeno(
        ["--allow-all"],
        `function ticks() {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
const w = new Worker("data:text/javascript,while (true) {}", { type: "module" });
await new Promise((r) => setTimeout(r, 200));
w.terminate();
await new Promise((r) => setTimeout(r, 300));
const before = ticks();
await new Promise((r) => setTimeout(r, 2000));
console.log(JSON.stringify(ticks() - before));
Deno.exit(0);`,
      );
      // An idle process spends about 0 ticks in 2 s; a spinning thread up to 200 (less on a loaded machine).
      assert.ok(Number(data) >= 5, `the terminated Worker's process used ${data} ticks in 2 s`);
    },
  );
});
