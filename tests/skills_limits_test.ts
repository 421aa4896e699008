/**
 * The orchestrator's skill limits and the placeholder refusal, as its options set them.
 */

import assert from "node:assert/strict";
import { startOrchestrator } from "./helpers/orchestrator_fixture.ts";

Deno.test("saveSkill() refuses privacy placeholders, of the built-in kinds and the configured ones, privacy on or off", async () => {
  await using f = await startOrchestrator({
    servers: "none",
    pii: { enabled: false, patterns: [{ kind: "EMPLOYEE_ID", pattern: "EMP-\\d{6}" }] },
  });
  await assert.rejects(
    f.orch.saveSkill("mail", { description: "Mails Ann", code: 'return "[EMAIL_1]";' }),
    /Cannot save skill "mail": "code" holds the privacy placeholder \[EMAIL_1\] at line 1/,
  );
  await assert.rejects(
    f.orch.saveSkill("badge", { description: "Badge of [EMPLOYEE_ID_2]", code: "return 1;" }),
    /"description" holds the privacy placeholder \[EMPLOYEE_ID_2\]/,
  );
  assert.deepEqual(f.orch.listSkills(), []);
});

Deno.test("the orchestrator's skillMaxVersions and skillMaxCodeBytes reach the skill store", async () => {
  await using f = await startOrchestrator({
    servers: "none",
    skillMaxVersions: 2,
    skillMaxCodeBytes: 100,
  });
  for (let i = 1; i <= 4; i++) {
    await f.orch.saveSkill("count", { description: `Version ${i}`, code: `return ${i};` });
  }
  assert.deepEqual((await f.orch.loadSkill("count")).versions, [3, 4]);
  await assert.rejects(
    f.orch.saveSkill("long", { description: "Long", code: `return "${"x".repeat(100)}";` }),
    /over the limit of 100 \(option maxCodeBytes, skillMaxCodeBytes in the orchestrator\)/,
  );
});
