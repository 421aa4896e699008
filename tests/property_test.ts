// Property-based tests: random and adversarial values thrown at the public surfaces. Each gets a result or a clear
// error; the host never throws anything else, never has an unhandled rejection, never hangs, and serves the next
// task. Run counts are kept modest for the suite's time; each property prints its seed when it fails.
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { ConfigError, MCPOrchestrator, parseConfig, type TaskResult } from "../runtime/mod.ts";
import { parseAllowlist } from "../runtime/orchestrator/mod.ts";
import type { AgentTask } from "../runtime/types.ts";
import { faultyServer } from "./helpers/servers.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";
import { within } from "./helpers/within.ts";

/** Run counts, reported by the suite's docs. */
export const RUNS = { config: 300, allowlist: 300, task: 100, toolResult: 40, cyclic: 60 } as const;

const STATUSES = ["completed", "failed", "timeout", "cancelled"];

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "",
    " ",
    ".",
    "..",
    "x".repeat(300),
    "faulty",
    "faulty.work",
    "faulty.",
    ".work",
    "__proto__",
    "constructor",
    "\u0000",
    "\ud800",
    "servers/../x",
    "/etc/passwd",
  ),
);
const anyValue = fc.oneof(
  fc.anything(),
  weirdString,
  fc.constantFrom(Number.NaN, -1, 0, 2 ** 31, Infinity, null, undefined, [], {}),
);

function assertWellFormed(result: TaskResult): void {
  assert.ok(STATUSES.includes(result.status), `status ${result.status}`);
  assert.equal(typeof result.id, "string");
  assert.ok(Array.isArray(result.logs));
  if (result.status !== "completed") {
    assert.ok(result.error !== undefined, "a task that did not complete says why");
    for (const field of ["name", "code", "message"] as const) {
      assert.equal(typeof result.error[field], "string");
      assert.notEqual(result.error[field], "", `error.${field} is empty`);
    }
  }
}

Deno.test("property: parseConfig() returns a config or throws a ConfigError for any document", () => {
  const serverEntry = fc.oneof(
    anyValue,
    fc.record({
      type: fc.oneof(fc.constantFrom("stdio", "http", "sse", "streamable-http"), anyValue),
      command: fc.oneof(weirdString, anyValue),
      args: fc.oneof(fc.array(weirdString), anyValue),
      env: fc.oneof(fc.dictionary(weirdString, weirdString), anyValue),
      url: fc.oneof(fc.webUrl(), weirdString, anyValue),
      headers: fc.oneof(fc.dictionary(weirdString, weirdString), anyValue),
      timeoutMs: anyValue,
      cwd: anyValue,
    }, { requiredKeys: [] }),
  );
  const document = fc.oneof(
    anyValue,
    fc.record({ mcpServers: fc.oneof(fc.dictionary(weirdString, serverEntry), anyValue) }),
    fc.record({ servers: fc.oneof(fc.dictionary(weirdString, serverEntry), anyValue) }),
  );
  fc.assert(
    fc.property(document, (doc) => {
      try {
        const config = parseConfig(doc, { env: {} });
        assert.equal(typeof config.servers, "object");
      } catch (error) {
        assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
        assert.match(error.message, /\S/);
      }
    }),
    { numRuns: RUNS.config },
  );
});

Deno.test("property: parseAllowlist() accepts requiredTools or throws a TypeError naming the entry", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(weirdString, anyValue), { maxLength: 6 }), (entries) => {
      try {
        const allow = parseAllowlist(entries as string[], ["faulty", "memory"]);
        for (const server of allow.keys()) assert.ok(["faulty", "memory"].includes(server));
      } catch (error) {
        assert.ok(error instanceof TypeError, `not a TypeError: ${error}`);
        assert.match(error.message, /requiredTools|server|tool/i);
      }
    }),
    { numRuns: RUNS.allowlist },
  );
});

async function withOrchestrator(fn: (orch: MCPOrchestrator) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "property-" });
  const orch = new MCPOrchestrator({
    config: { servers: { faulty: faultyServer() } },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
    taskTimeoutMs: 2_000,
    callTimeoutMs: 5_000,
  });
  try {
    await orch.initialize();
    await fn(orch);
    const probe = await orch.executeTask({
      id: "probe",
      description: "the host still serves",
      code: `return (await faulty.work({ mode: "ok" })).slice(0, 2);`,
      requiredTools: ["faulty"],
      status: "pending",
    });
    assert.equal(probe.data, "ok", JSON.stringify(probe.error));
    assert.equal(orch.getStats().activeTasks, 0);
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(
  "property: executeTask() with random and adversarial fields gives a result or a clear TypeError/RangeError",
  noUnhandledRejections(async () => {
    const code = fc.oneof(
      fc.string(),
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "return 1",
          "throw new Error('x')",
          "return await faulty.work({ mode: 'ok' })",
          "return await faulty.work({ mode: 'nope' })",
          "while (true) {}",
          "import x from 'https://example.com/x.ts'",
          "return (",
          "export const a = 1",
          "return Deno.readTextFileSync('/etc/passwd')",
          "return await new Promise(() => {})",
        ),
      },
      anyValue,
    );
    const task = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          id: fc.oneof(
            { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
            weirdString,
            anyValue,
          ),
          description: anyValue,
          code,
          requiredTools: fc.oneof(
            {
              weight: 6,
              arbitrary: fc.constantFrom([], ["faulty"], ["faulty.work"], [
                "faulty",
                "faulty.payload",
              ]),
            },
            fc.array(weirdString, { maxLength: 3 }),
            fc.array(fc.oneof(weirdString, anyValue), { maxLength: 4 }),
            anyValue,
          ),
          status: anyValue,
          timeoutMs: fc.oneof(
            { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_500 }) },
            fc.integer({ min: -5, max: 2_500 }),
            fc.double(),
            anyValue,
          ),
          workspace: fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            fc.constantFrom("w1", "w2"),
            weirdString,
            anyValue,
          ),
          permissions: fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            fc.record({
              read: fc.oneof(fc.boolean(), fc.array(weirdString, { maxLength: 2 })),
              net: fc.oneof(fc.boolean(), fc.array(weirdString, { maxLength: 2 })),
            }, { requiredKeys: [] }),
            anyValue,
          ),
        }, { requiredKeys: ["id", "code"] }),
      },
      anyValue,
    );
    const outcomes: Record<string, number> = {};
    await withOrchestrator(async (orch) => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(task, async (generated) => {
          const value = generated as { id?: unknown } | null;
          // Unique ids where the id is a usable string, so that runs do not meet each other.
          const input =
            typeof value === "object" && value !== null && typeof value.id === "string" &&
              value.id !== ""
              ? { ...value, id: `${n++}-${value.id}`.slice(0, 256) }
              : value;
          try {
            const result = await within(
              orch.executeTask(input as unknown as AgentTask),
              30_000,
              "executeTask",
            );
            assertWellFormed(result);
            outcomes[result.status === "completed" ? "completed" : result.error!.code] =
              (outcomes[result.status === "completed" ? "completed" : result.error!.code] ?? 0) + 1;
          } catch (error) {
            outcomes[(error as Error).name] = (outcomes[(error as Error).name] ?? 0) + 1;
            assert.ok(
              error instanceof TypeError || error instanceof RangeError,
              `not a TypeError or RangeError: ${error}`,
            );
            assert.match(error.message, /^Cannot run task/);
          }
        }),
        { numRuns: RUNS.task },
      );
    });
    console.log(`outcomes of ${RUNS.task} random tasks: ${JSON.stringify(outcomes)}`);
    // Outcomes only a run in the sandbox gives. ("completed" alone came out 1-5 times in 100 runs, and 0 in about
    // one run of twenty: too rare to require.)
    const ran = ["completed", "agent_error", "timeout", "tool_failed"]
      .reduce((sum, key) => sum + (outcomes[key] ?? 0), 0);
    assert.ok(ran > 0 && Object.keys(outcomes).length > 3, "the tasks reach the sandbox");
  }),
);

Deno.test(
  "property: any tool result from a real server (arbitrary JSON, lone surrogates, huge, deeply nested) is a value or a clear error",
  noUnhandledRejections(async () => {
    const payload = fc.oneof(
      fc.record({
        kind: fc.constant("json" as const),
        value: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })),
      }),
      fc.record({ kind: fc.constant("text" as const), text: fc.string({ unit: "binary" }) }),
      fc.record({
        kind: fc.constant("huge" as const),
        text: fc.string({ minLength: 1, maxLength: 8 }),
        repeat: fc.integer({ min: 1, max: 300_000 }),
      }),
      fc.record({ kind: fc.constant("deep" as const), nest: fc.integer({ min: 1, max: 50_000 }) }),
      fc.constant({ kind: "raw_utf8" as const }),
    );
    await withOrchestrator(async (orch) => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(payload, async (p) => {
          const call = p.kind === "raw_utf8"
            ? `faulty.work({ mode: "raw_utf8" })`
            : p.kind === "json"
            ? `faulty.payload({ text: ${
              JSON.stringify(JSON.stringify(p.value))
            }, structured: true })`
            : p.kind === "text"
            ? `faulty.payload({ text: ${JSON.stringify(p.text)} })`
            : p.kind === "huge"
            ? `faulty.payload({ text: ${JSON.stringify(p.text)}, repeat: ${p.repeat} })`
            : `faulty.payload({ text: "leaf", nest: ${p.nest} })`;
          const result = await within(
            orch.executeTask({
              id: `payload-${n++}`,
              description: "returns a tool result",
              code: `return await ${call};`,
              requiredTools: ["faulty"],
              status: "pending",
            }),
            60_000,
            `a ${p.kind} payload`,
          );
          assertWellFormed(result);
          if (p.kind === "json" && result.status === "completed" && result.dataTruncated !== true) {
            assert.equal(JSON.stringify(result.data), JSON.stringify(p.value));
          }
          if (p.kind === "raw_utf8") {
            assert.equal(result.status, "completed", JSON.stringify(result.error));
            assert.match(String(result.data), /^bad \ufffd+\( bytes$/);
          }
        }),
        { numRuns: RUNS.toolResult },
      );
    });
  }),
);

Deno.test(
  "property: tool results that look cyclic or reach for prototypes ($ref, [Circular], then, toJSON, __proto__) arrive as plain data",
  noUnhandledRejections(async () => {
    const key = fc.constantFrom(
      "$ref",
      "$id",
      "then",
      "toJSON",
      "valueOf",
      "toString",
      "__proto__",
      "constructor",
      "prototype",
      "parent",
      "self",
    );
    const leaf = fc.oneof(
      fc.constantFrom("#", "#/a", "#/self", "[Circular]", "[Circular *1]", "[object Object]"),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.dictionary(key, tie("tree"), { maxKeys: 4 }),
        fc.array(tie("tree"), { maxLength: 3 }),
      ),
    }));
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    await withOrchestrator(async (orch) => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 4 }), async (value) => {
          // As the server sends it: JSON text, where "__proto__" is an own key like any other. The SDK's schema check
          // (zod) drops a "__proto__" key at the top of structuredContent, without touching any prototype; deeper
          // ones arrive.
          const text = JSON.stringify(value);
          const expected = JSON.stringify(
            Object.fromEntries(Object.entries(value).filter(([k]) => k !== "__proto__")),
          );
          const result = await within(
            orch.executeTask({
              id: `cyclic-${n++}`,
              description: "returns a tool result that looks cyclic",
              code: `const r = await faulty.payload({ text: ${
                JSON.stringify(text)
              }, structured: true });
return { same: JSON.stringify(r) === ${
                JSON.stringify(expected)
              }, plain: Object.getPrototypeOf(r) === Object.prototype, r };`,
              requiredTools: ["faulty"],
              status: "pending",
            }),
            30_000,
            "a cyclic-looking payload",
          );
          assertWellFormed(result);
          assert.equal(result.status, "completed", JSON.stringify(result.error));
          const data = result.data as { same: boolean; plain: boolean; r: unknown };
          assert.equal(data.same, true, `agent code sees the result as sent: ${text}`);
          assert.equal(data.plain, true, "a plain object in agent code");
          assert.equal(JSON.stringify(data.r), expected, "the host returns it as sent");
          assert.equal(({} as Record<string, unknown>).polluted, undefined);
        }),
        { numRuns: RUNS.cyclic },
      );
    });
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
  }),
);
