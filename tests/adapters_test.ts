/**
 * The agent SDK adapters against recorded model responses: each tool call is run on a real orchestrator with real
 * server-memory, and the message to send back is checked as the next request would carry it.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MCPOrchestrator } from "../runtime/mod.ts";
import {
  anthropicTools,
  type AnthropicToolUse,
  handleAnthropicToolUse,
  handleOpenAIToolCall,
  type OpenAIToolCall,
  openAITools,
  runAgentTool,
  vercelAITools,
} from "../runtime/adapters/mod.ts";
import { npmServer } from "./helpers/servers.ts";

const FIXTURES = new URL("./fixtures/adapters/", import.meta.url);

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES)));
}

Deno.test("adapters run recorded Anthropic and OpenAI tool calls on a real orchestrator", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "adapters-" });
  await using orch = new MCPOrchestrator({
    config: {
      servers: {
        memory: npmServer("server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }),
      },
    },
    serversDir: join(dir, "servers"),
    stateDir: dir,
  });
  await orch.initialize();

  await t.step("the definitions carry the daemon's texts and JSON Schemas", () => {
    const anthropic = anthropicTools();
    const openai = openAITools();
    assert.deepEqual(anthropic.map((tool) => tool.name), ["search_tools", "execute_code"]);
    assert.equal(anthropic[1]!.input_schema.type, "object");
    assert.deepEqual(anthropic[1]!.input_schema.required, ["code"]);
    assert.deepEqual(openai[0]!.function.parameters, anthropic[0]!.input_schema);
    assert.equal(openai[1]!.function.description, anthropic[1]!.description);
  });

  await t.step("a recorded Messages API response: search, code, and a refused call", async () => {
    const message = await fixture<{ content: (AnthropicToolUse | { type: "text" })[] }>(
      "anthropic_message.json",
    );
    const uses = message.content.filter((b): b is AnthropicToolUse => b.type === "tool_use");
    const results = [];
    for (const use of uses) results.push(await handleAnthropicToolUse(orch, use));
    const [search, run, refused] = results;
    assert.equal(search!.tool_use_id, "toolu_01A09q90qw90lq917835lq9");
    assert.match(search!.content, /^memory\.create_entities/);
    assert.equal(search!.is_error, undefined);
    assert.deepEqual(JSON.parse(run!.content.split("\n")[0]!), ["Adapter Ada"]);
    assert.match(run!.content, /logs:\nfound 1/);
    assert.equal(refused!.is_error, true);
    assert.match(refused!.content, /filesystem is not defined|not_allowed/);
  });

  await t.step(
    "a recorded Chat Completions response: search, code, and malformed arguments",
    async () => {
      const completion = await fixture<
        { choices: { message: { tool_calls: OpenAIToolCall[] } }[] }
      >("openai_completion.json");
      const messages = [];
      for (const call of completion.choices[0]!.message.tool_calls) {
        messages.push(await handleOpenAIToolCall(orch, call));
      }
      const [search, run, bad] = messages;
      assert.equal(search!.role, "tool");
      assert.equal(search!.tool_call_id, "call_Jd7FZp1qOdHvTQa4KmcR3Xeb");
      assert.match(search!.content, /memory\.read_graph/);
      assert.equal(run!.content, "1");
      assert.match(bad!.content, /^Invalid arguments for execute_code: "code": /);
    },
  );

  await t.step("the Vercel AI shape runs the same calls", async () => {
    const tools = vercelAITools(orch);
    assert.equal(await tools.execute_code.execute({ code: "return 6 * 7;" }), "42");
    assert.match(await tools.search_tools.execute({ query: "" }), /^memory \(9 tools\)/);
  });

  await t.step(
    "two calls with one id at once, and an id the orchestrator would refuse, both run",
    async () => {
      const slow = (id: string): OpenAIToolCall => ({
        id,
        type: "function",
        function: {
          name: "execute_code",
          arguments: JSON.stringify({
            code: "await new Promise((r) => setTimeout(r, 100)); return 7;",
          }),
        },
      });
      const [a, b] = await Promise.all([
        handleOpenAIToolCall(orch, slow("call_same")),
        handleOpenAIToolCall(orch, slow("call_same")),
      ]);
      assert.deepEqual([a!.content, b!.content], ["7", "7"]);
      const long = "x".repeat(10_000);
      const [c, d] = await Promise.all([
        handleAnthropicToolUse(orch, {
          type: "tool_use",
          id: long,
          name: "execute_code",
          input: { code: "return 8;" },
        }),
        handleAnthropicToolUse(orch, {
          type: "tool_use",
          id: long,
          name: "execute_code",
          input: { code: "return 9;" },
        }),
      ]);
      assert.deepEqual([c!.content, d!.content, c!.tool_use_id], ["8", "9", long]);
      const tools = vercelAITools(orch);
      const both = await Promise.all([
        tools.execute_code.execute({ code: "return 1;" }),
        tools.execute_code.execute({ code: "return 2;" }),
      ]);
      assert.deepEqual(both, ["1", "2"]);
    },
  );

  await t.step(
    "a task id the caller chose and that is taken is an error result, not a throw",
    async () => {
      const wait = "await new Promise((r) => setTimeout(r, 200)); return 1;";
      const [first, second] = await Promise.all([
        runAgentTool(orch, { name: "execute_code", input: { code: wait } }, { taskId: "fixed" }),
        runAgentTool(orch, { name: "execute_code", input: { code: "return 2;" } }, {
          taskId: "fixed",
        }),
      ]);
      assert.equal(first!.text, "1");
      assert.equal(second!.isError, true);
      assert.match(second!.text, /^Cannot run execute_code: .*fixed/);
    },
  );
});
