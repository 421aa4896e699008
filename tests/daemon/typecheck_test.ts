/**
 * The daemon type-checks agent code before it runs: `"warn"` by default (the code runs, the text lists the errors
 * once under a short heading), `"error"` from `mcp-executor.json` (refused with a hint, nothing called). A real
 * daemon subprocess with server-memory behind it, driven by the SDK client over stdio.
 */

import assert from "node:assert/strict";
import { daemonDir, stdioDaemon, textOf } from "./_daemon.ts";

const TYPO = 'await memory.searchNodes({ qeury: "Ada" });\nreturn 1;';

Deno.test('daemon: type errors are warnings by default and refusals with typecheck "error"', async (t) => {
  await t.step("default (warn): the code runs and the text says so in a few words", async () => {
    await using dir = await daemonDir();
    await using daemon = await stdioDaemon(dir.config);
    const result = await daemon.client.callTool({
      name: "execute_code",
      arguments: { code: TYPO },
    });
    const text = textOf(result);
    assert.match(
      text,
      /warnings \(the code ran; fix its type errors next time\):\ntype error at 1:\d+ .*'qeury'/,
    );
    assert.equal(text.match(/'qeury'/g)?.length, 1, text);
    const structured = result.structuredContent as {
      warnings?: string[];
      stats: { toolsCalled: string[] };
    };
    assert.match(structured.warnings?.[0] ?? "", /^type error at 1:\d+/);
  });
  await t.step(
    'typecheck "error" in mcp-executor.json: refused with a hint, no call made',
    async () => {
      await using dir = await daemonDir({ typecheck: "error" });
      await using daemon = await stdioDaemon(dir.config);
      const result = await daemon.client.callTool({
        name: "execute_code",
        arguments: { code: TYPO },
      });
      assert.equal(result.isError, true);
      const text = textOf(result);
      assert.match(
        text,
        /^Task failed \(type_error\): .*\n1:\d+ .*'qeury'.*\nFix the type errors \(line:column\)/s,
      );
      const structured = result.structuredContent as { stats: { toolsCalled: string[] } };
      assert.deepEqual(structured.stats.toolsCalled, []);
    },
  );
});
