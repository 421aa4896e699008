import assert from "node:assert/strict";
import { taskResultContent } from "./task_result_content.ts";

const stats = {
  duration: 3,
  tokensUsed: 9,
  tokensDirect: 90,
  tokensSaved: 0.9,
  memoryUsed: 0,
  toolsCalled: [],
};

Deno.test("taskResultContent says type errors briefly: a hint when refused, once under warnings when run", () => {
  const refused = taskResultContent({
    id: "t",
    status: "failed",
    logs: [],
    error: {
      name: "TypeError",
      code: "type_error",
      message:
        "Task \"t\" was not run: its code has 1 type error (fix them and run it again):\n3:5 Property 'x'",
    },
    stats,
  });
  const text = refused.content[0]?.type === "text" ? refused.content[0].text : "";
  assert.match(
    text,
    /^Task failed \(type_error\): .*\n3:5 Property 'x'\nFix the type errors \(line:column\)/,
  );
  assert.equal(refused.isError, true);

  const warned = taskResultContent({
    id: "t",
    status: "completed",
    data: 1,
    logs: ["[mcp-executor] type error at 3:5 Property 'x'", "hello"],
    warnings: ["type error at 3:5 Property 'x'"],
    stats,
  });
  const warnedText = warned.content[0]?.type === "text" ? warned.content[0].text : "";
  assert.equal(
    warnedText,
    "1\nwarnings (the code ran; fix its type errors next time):\ntype error at 3:5 Property 'x'\nlogs:\nhello",
  );
  // structuredContent keeps the logs as they are.
  assert.deepEqual((warned.structuredContent as { logs: string[] }).logs.length, 2);
});
