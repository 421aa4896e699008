/**
 * A host process for the output-flood test: runs hostile programs that flood the sandbox's stdout and stderr (and
 * console), then prints one JSON line with the results. The test that starts it checks that none of the flood
 * reached this process's own stdout or stderr.
 *
 * Run as `deno run -A tests/security/_flood_host.ts <marker>`.
 *
 * @module
 */

import { SCREEN_OFF, startFixture } from "./_fixture.ts";

if (import.meta.main) {
  const marker = Deno.args[0] ?? "FLOODMARK";
  const line = JSON.stringify(`${marker} `.repeat(64) + "\n");
  const programs = {
    stdout: `const b = new TextEncoder().encode(${line});
for (let i = 0; i < 4000; i++) Deno.stdout.writeSync(b);
return "done";`,
    stderr: `const b = new TextEncoder().encode(${line});
for (let i = 0; i < 4000; i++) Deno.stderr.writeSync(b);
return "done";`,
    nodeFd: `const fs = await import("node:fs");
for (let i = 0; i < 2000; i++) { fs.writeSync(1, ${line}); fs.writeSync(2, ${line}); }
return "done";`,
    forever: `const b = new TextEncoder().encode(${line});
while (true) { Deno.stdout.writeSync(b); Deno.stderr.writeSync(b); }`,
  };
  const summary: Record<string, { status: string; data: unknown; logs: number; error?: string }> =
    {};
  {
    await using f = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
    for (const [name, code] of Object.entries(programs)) {
      const result = await f.run(code, { timeoutMs: name === "forever" ? 500 : 5_000 });
      summary[name] = { status: result.status, data: result.data, logs: result.logs.length };
      if (result.error !== undefined) summary[name].error = result.error.code;
    }
    await f.probe();
  }
  console.log(JSON.stringify(summary));
}
