// Property-based test of the daemon's tool arguments: random and adversarial `arguments` for search_tools,
// execute_code, save_skill and run_skill (wrong types, missing fields, huge strings, deep nesting, unicode, lone
// surrogates, prototype-pollution keys) sent by a real SDK client to the real daemon server. The messages cross a
// JSON encoding on the way, as on a real transport, so `__proto__` arrives as an own key. Each call gets a result or
// a clear isError result or JSON-RPC error; the daemon has no unhandled rejection, never hangs, pollutes no
// prototype, and runs a normal execute_code afterwards.
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { ExecutorDaemon } from "../../runtime/daemon/mod.ts";
import { Client, InMemoryTransport, type JSONRPCMessage, McpError } from "../../runtime/sdk.ts";
import type { Transport } from "../../runtime/sdk.ts";
import { faultyServer } from "../helpers/servers.ts";
import { noUnhandledRejections } from "../helpers/no_unhandled.ts";
import { textOf } from "./_daemon.ts";
import { within } from "../helpers/within.ts";

/** Run count, reported by the suite's docs. */
export const DAEMON_ARGUMENT_RUNS = 250;

const TOOLS = ["search_tools", "execute_code", "save_skill", "run_skill"] as const;

/** Every message goes through JSON on its way, as it would over stdio or HTTP. */
function overJson(inner: Transport): Transport {
  const wrapped: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: (message, options) =>
      inner.send(JSON.parse(JSON.stringify(message)) as JSONRPCMessage, options),
  };
  inner.onmessage = (message, extra) => wrapped.onmessage?.(message, extra);
  inner.onclose = () => wrapped.onclose?.();
  inner.onerror = (error) => wrapped.onerror?.(error);
  return wrapped;
}

function nested(depth: number, leaf: unknown, key: string): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = key === "[]" ? [value] : { [key]: value };
  return value;
}

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "..",
    "../../etc",
    "__proto__",
    "constructor",
    "prototype",
    "\u0000",
    "\ud800",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "x".repeat(70),
    "x".repeat(2_000),
    "read the graph",
    "faulty",
    "faulty.work",
    "prop-skill",
  ),
);

const huge = fc.constantFrom("a".repeat(1_000_000), "\u{1F600}".repeat(200_000));
const deep = fc.constantFrom(
  nested(5_000, 1, "[]"),
  nested(5_000, "x", "a"),
  nested(200, { polluted: true }, "__proto__"),
);
const pollution = fc.constantFrom(
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  { prototype: { polluted: true } },
);
const anyValue = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  weirdString,
  pollution,
  fc.constantFrom(null, true, 0, -1, 1.5, 2 ** 31, 1e308, [], {}, [1, "a"]),
);
/** A field's value: mostly plausible, sometimes anything. */
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 12, arbitrary: plausible }, anyValue, huge, deep);
}

const code = fc.constantFrom(
  "return 1",
  "return args",
  "throw new Error('x')",
  "return await faulty.work({ mode: 'ok' })",
  "return (",
  "export const a = 1",
  "Object.prototype.polluted = true; return 1",
);

const argumentsFor: Record<(typeof TOOLS)[number], fc.Arbitrary<unknown>> = {
  search_tools: fc.record({
    query: field(weirdString),
    detail: field(fc.constantFrom("name", "description", "full")),
    limit: field(fc.integer({ min: -2, max: 25 })),
    server: field(fc.constantFrom("faulty", "nope")),
  }, { requiredKeys: ["query"] }),
  execute_code: fc.record({
    code: field(code),
    requiredTools: field(fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom([], ["faulty"], ["faulty.work"]) },
      fc.array(weirdString, { maxLength: 3 }),
    )),
    timeout: field(fc.integer({ min: -5, max: 3_000 })),
    workspace: field(fc.constantFrom("w1", "../w", "w 2")),
  }, { requiredKeys: ["code"] }),
  save_skill: fc.record({
    name: field(fc.constantFrom("prop-skill", "Bad Name", "a".repeat(65), "x")),
    description: field(weirdString),
    code: field(code),
    params: field(fc.constantFrom(
      { type: "object", properties: { x: { type: "number" } } },
      { type: "object", properties: { x: nested(3_000, { type: "number" }, "items") } },
      { $ref: "#" },
      { type: "nonsense" },
    )),
    tags: field(fc.array(weirdString, { maxLength: 4 })),
  }, { requiredKeys: ["name", "description", "code"] }),
  run_skill: fc.record({
    name: field(fc.constantFrom("prop-skill", "missing", "x")),
    args: field(fc.dictionary(weirdString, anyValue, { maxKeys: 4 })),
    version: field(fc.integer({ min: -1, max: 3 })),
  }, { requiredKeys: ["name"] }),
};

const call = fc.oneof(
  ...TOOLS.map((name) =>
    fc.record({
      name: fc.constant(name),
      arguments: fc.oneof({ weight: 6, arbitrary: argumentsFor[name] }, anyValue, huge, deep),
    })
  ),
);

Deno.test(
  "property: the daemon's four tools answer any arguments with a result, an isError result or a JSON-RPC error",
  noUnhandledRejections(async () => {
    const dir = await Deno.makeTempDir({ prefix: "daemon-property-" });
    const daemon = new ExecutorDaemon({
      orchestrator: {
        config: { servers: { faulty: faultyServer() } },
        serversDir: join(dir, "servers"),
        skillsDir: join(dir, "skills"),
        stateDir: join(dir, "state"),
        taskTimeoutMs: 5_000,
      },
    });
    const outcomes: Record<string, number> = {};
    const count = (key: string) => outcomes[key] = (outcomes[key] ?? 0) + 1;
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    try {
      await daemon.initialize();
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await daemon.openSession("prop").connect(overJson(serverSide));
      const client = new Client({ name: "property", version: "1" });
      await client.connect(overJson(clientSide));
      await fc.assert(
        fc.asyncProperty(call, async ({ name, arguments: args }) => {
          let result;
          try {
            result = await within(
              client.callTool({ name, arguments: args as Record<string, unknown> }),
              30_000,
              name,
            );
          } catch (error) {
            // A JSON-RPC error, for arguments that are not an object: it names the field and what it must be. (The
            // SDK's request check answers -32603 with zod's issue list where -32602 would fit better.)
            assert.ok(error instanceof McpError, `${name}: not an McpError: ${error}`);
            assert.match(error.message, /"arguments"[\s\S]*expected record/, error.message);
            count(`${name}:jsonrpc ${error.code}`);
            return;
          }
          const text = textOf(result);
          if (result.isError === true) {
            // Says what was wrong: the field (schema errors name the tool and the path) or the action.
            assert.match(
              text,
              /Invalid arguments for tool|Input validation error|^Cannot |^Task (failed|timeout|cancelled) \(\w+\): ./,
            );
            assert.doesNotMatch(text, /^(Cannot [^:]+): \1/, "the action is named once");
            count(`${name}:isError`);
          } else {
            assert.notEqual(text, "", `${name} answered with no text`);
            count(`${name}:ok`);
          }
          assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype");
        }),
        { numRuns: DAEMON_ARGUMENT_RUNS },
      );
      console.log(
        `outcomes of ${DAEMON_ARGUMENT_RUNS} random calls: ${JSON.stringify(outcomes)}`,
      );
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
      for (const name of TOOLS) {
        assert.ok(
          Object.keys(outcomes).some((k) => k.startsWith(`${name}:`)),
          `${name} was called`,
        );
      }
      const after = await client.callTool({
        name: "execute_code",
        arguments: { code: "return await faulty.work({ mode: 'ok' })" },
      });
      assert.match(textOf(after), /^"ok \d+"$/, "the daemon still runs code after the run");
      await client.close();
    } finally {
      await daemon.shutdown({ drainTimeoutMs: 0 });
      await Deno.remove(dir, { recursive: true });
    }
  }),
);
