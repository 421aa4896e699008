import assert from "node:assert/strict";
import { ToolError } from "../wire/mod.ts";
import { parseJsonPath } from "./json_path.ts";
import { PrivacyVaults } from "./privacy_vaults.ts";
import { MAX_DEPTH } from "./with_placeholders.ts";

function toolError(code: string, message: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ToolError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

Deno.test("PrivacyVaults: one session, stable tokens across tasks; sessions share nothing", () => {
  using vaults = new PrivacyVaults({ enabled: true });
  const a1 = vaults.forTask({ id: "a1", session: "A" });
  assert.deepEqual(a1.resultWithPlaceholders("crm", "list", ["x@example.com", "y@example.com"]), [
    "[EMAIL_1]",
    "[EMAIL_2]",
  ]);
  a1.end();
  const a2 = vaults.forTask({ id: "a2", session: "A" });
  assert.equal(a2.resultWithPlaceholders("crm", "get", "y@example.com"), "[EMAIL_2]");
  const b = vaults.forTask({ id: "b", session: "B" });
  // B's first email is B's [EMAIL_1]: the same visible token, a different vault.
  assert.equal(b.resultWithPlaceholders("crm", "get", "y@example.com"), "[EMAIL_1]");
  assert.throws(
    () => b.restoreArgs("crm", "send", { to: "[EMAIL_2]" }),
    toolError("unknown_token", /\[EMAIL_2\]/),
  );
  assert.deepEqual(b.restoreArgs("crm", "send", { to: "[EMAIL_1]" }), { to: "y@example.com" });
  a2.end();
  b.end();
  assert.equal(vaults.sessions, 2);
});

Deno.test("PrivacyVaults: a task without a session has a vault of its own, cleared when it ends", () => {
  using vaults = new PrivacyVaults({ enabled: true });
  const t1 = vaults.forTask({ id: "t1" });
  assert.equal(t1.resultWithPlaceholders("crm", "get", "x@example.com"), "[EMAIL_1]");
  t1.end();
  assert.throws(
    () => t1.restoreArgs("crm", "send", "[EMAIL_1]"),
    toolError("unknown_token", /not issued/),
  );
  const t2 = vaults.forTask({ id: "t2" });
  assert.throws(
    () => t2.restoreArgs("crm", "send", "[EMAIL_1]"),
    toolError("unknown_token", /not issued/),
  );
  t2.end();
  assert.equal(vaults.sessions, 0);
});

Deno.test("PrivacyVaults drops a session's vault after ttlMs without use", async () => {
  using vaults = new PrivacyVaults({ enabled: true, ttlMs: 30 });
  const task = vaults.forTask({ id: "t", session: "S" });
  task.resultWithPlaceholders("crm", "get", "x@example.com");
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(vaults.sessions, 1, "a session with a running task is kept");
  task.end();
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(vaults.sessions, 0);
  const later = vaults.forTask({ id: "t2", session: "S" });
  assert.throws(
    () => later.restoreArgs("crm", "send", "[EMAIL_1]"),
    toolError("unknown_token", /not issued/),
  );
  later.end();
});

Deno.test("restoreArgs restores tokens in nested objects, arrays, keys and larger strings; numbers stay numbers", () => {
  using vaults = new PrivacyVaults({
    enabled: true,
    fields: [{ server: "crm", path: "$.rows[*].id", kind: "CUSTOMER" }],
  });
  const task = vaults.forTask({ id: "t" });
  const seen = task.resultWithPlaceholders("crm", "list", {
    rows: [{ id: 4711, mail: "ann@example.com" }],
  });
  assert.deepEqual(seen, { rows: [{ id: "[CUSTOMER_1]", mail: "[EMAIL_1]" }] });
  const sent = task.restoreArgs("mailer", "send", {
    customer: "[CUSTOMER_1]",
    to: ["[EMAIL_1]"],
    body: "Dear [EMAIL_1], your id is [CUSTOMER_1].",
    "[EMAIL_1]": { note: "[NOTE_1] is not a configured kind and stays" },
  });
  assert.deepEqual(sent, {
    customer: 4711,
    to: ["ann@example.com"],
    body: "Dear ann@example.com, your id is 4711.",
    "ann@example.com": { note: "[NOTE_1] is not a configured kind and stays" },
  });
  task.end();
});

Deno.test("data-flow rules: origin always allowed, rules per origin, defaultFlow, all origins must agree", async (t) => {
  using vaults = new PrivacyVaults({
    enabled: true,
    flows: [{ from: "crm", to: ["crm", "mailer"] }, { from: "hr", to: [] }],
  });
  const task = vaults.forTask({ id: "t" });
  task.resultWithPlaceholders("crm", "get", "ann@example.com");
  task.resultWithPlaceholders("wiki", "get", "bob@example.com");
  task.resultWithPlaceholders("hr", "get", "eve@example.com");
  await t.step("allowed by the rule", () => {
    assert.deepEqual(task.restoreArgs("mailer", "send", "[EMAIL_1]"), "ann@example.com");
  });
  await t.step("refused by the rule, naming it, the kind and origin, never the value", () => {
    assert.throws(
      () => task.restoreArgs("search", "query", { q: "about [EMAIL_1]" }),
      (error) => {
        toolError("data_flow", /\[EMAIL_1\] is a EMAIL from server "crm"/)(error);
        const message = (error as Error).message;
        assert.match(message, /flows\[0\] \(from "crm" to "crm", "mailer"\)/);
        assert.ok(!message.includes("ann@example.com"));
        return true;
      },
    );
  });
  await t.step("a server without a rule follows defaultFlow any", () => {
    assert.equal(task.restoreArgs("search", "query", "[EMAIL_2]"), "bob@example.com");
  });
  await t.step("an empty to list lets a value go back only to its origin", () => {
    assert.equal(task.restoreArgs("hr", "update", "[EMAIL_3]"), "eve@example.com");
    assert.throws(
      () => task.restoreArgs("mailer", "send", "[EMAIL_3]"),
      toolError("data_flow", /nowhere/),
    );
  });
  await t.step("a value seen from two servers needs both to agree", () => {
    task.resultWithPlaceholders("wiki", "get", "page by ann@example.com");
    assert.throws(
      () => task.restoreArgs("search", "q", "[EMAIL_1]"),
      toolError("data_flow", /"crm"/),
    );
  });
  task.end();
  using strict = new PrivacyVaults({ enabled: true, defaultFlow: "origin" });
  const s = strict.forTask({ id: "s" });
  s.resultWithPlaceholders("wiki", "get", "bob@example.com");
  assert.throws(
    () => s.restoreArgs("search", "q", "[EMAIL_1]"),
    toolError("data_flow", /defaultFlow "origin"/),
  );
  s.end();
});

Deno.test("resultWithPlaceholders walks structured results", async (t) => {
  using vaults = new PrivacyVaults({
    enabled: true,
    fields: [
      { server: "db", tool: "query", path: "$.rows[*].name", kind: "NAME" },
      { server: "db", path: "$..owner", kind: "NAME" },
    ],
  });
  const task = vaults.forTask({ id: "t" });
  await t.step("per-field rules by server, tool and path, including ..", () => {
    const out = task.resultWithPlaceholders("db", "query", {
      rows: [{ name: "Ann Lee", note: "met Ann Lee" }],
      meta: { deep: { owner: "Bob Roe" } },
    });
    // A value a rule found is known afterwards, so it is replaced in free text too.
    assert.deepEqual(out, {
      rows: [{ name: "[NAME_1]", note: "met [NAME_1]" }],
      meta: { deep: { owner: "[NAME_2]" } },
    });
    assert.deepEqual(task.resultWithPlaceholders("db", "other", { rows: [{ name: "Cy Doe" }] }), {
      rows: [{ name: "Cy Doe" }],
    });
  });
  await t.step(
    "text that holds JSON is walked as JSON and written back in its own indentation",
    () => {
      const text = JSON.stringify(
        { rows: [{ name: "Dee Fox", mail: "dee@example.com" }] },
        null,
        2,
      );
      const out = task.resultWithPlaceholders("db", "query", [text]) as string[];
      assert.deepEqual(JSON.parse(out[0]!), { rows: [{ name: "[NAME_3]", mail: "[EMAIL_1]" }] });
      assert.match(out[0]!, /\n {2}"rows"/);
    },
  );
  await t.step("secrets in key-like fields, object keys, base64 left alone", () => {
    const out = task.resultWithPlaceholders("api", "get", {
      apiKey: "Zx8kP2qLm9Rt4Vw7Yb",
      "dee@example.com": 1,
      image: { type: "image", data: "ZGVlQGV4YW1wbGUuY29t", mimeType: "image/png" },
    });
    assert.deepEqual(out, {
      apiKey: "[SECRET_1]",
      "[EMAIL_1]": 1,
      image: { type: "image", data: "ZGVlQGV4YW1wbGUuY29t", mimeType: "image/png" },
    });
  });
  await t.step("an own __proto__ key stays a key", () => {
    const out = task.resultWithPlaceholders(
      "api",
      "get",
      JSON.parse('{"__proto__": {"x": "dee@example.com"}}'),
    );
    assert.deepEqual(Object.keys(out as object), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });
  await t.step(
    "a result nested deeper than MAX_DEPTH is refused, not passed on unscanned",
    async () => {
      let deep: unknown = "dee@example.com";
      for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
      await assert.rejects(
        task.call({ server: "api", tool: "get", args: {} }, () => Promise.resolve(deep)),
        toolError("privacy_scan", /nested deeper/),
      );
    },
  );
  await t.step("an error from the call is re-tokenized", async () => {
    await assert.rejects(
      task.call(
        { server: "api", tool: "get", args: { q: "[EMAIL_1]" } },
        (args) => Promise.reject(new Error(`no such user ${(args as { q: string }).q}`)),
      ),
      toolError("tool_failed", /^no such user \[EMAIL_1\]$/),
    );
  });
  task.end();
});

Deno.test("PrivacyVaults refuses bad options, naming the field", () => {
  assert.throws(
    () =>
      new PrivacyVaults({ enabled: true, fields: [{ server: "a", path: "$.x[?(@)]", kind: "N" }] }),
    /pii\.fields\[0\]\.path/,
  );
  assert.throws(
    () => new PrivacyVaults({ enabled: true, flows: [{ from: "a" }] } as never),
    /pii\.flows\[0\]\.to/,
  );
  assert.throws(
    () => new PrivacyVaults({ enabled: true, patterns: [{ kind: "lower", pattern: "x" }] }),
    /pii\.patterns\[0\]\.kind/,
  );
  assert.throws(() => new PrivacyVaults({ enabled: true, nope: 1 } as never), /pii/);
  assert.equal(parseJsonPath("$['a b'][0]").steps.length, 2);
});

Deno.test("resultWithPlaceholders: a short or wordless value a rule selects is not looked for in other text", () => {
  using vaults = new PrivacyVaults({
    enabled: true,
    fields: [{ server: "db", path: "$.rows[*].name", kind: "NAME" }],
  });
  const task = vaults.forTask({ id: "t" });
  const out = task.resultWithPlaceholders("db", "query", {
    rows: [{ name: "-", note: "a - b" }, { name: "Al", note: "Al and Cal" }, {
      name: " ",
      note: "x y",
    }],
  });
  assert.deepEqual(out, {
    rows: [
      { name: "[NAME_1]", note: "a - b" },
      { name: "[NAME_2]", note: "Al and Cal" },
      { name: "[NAME_3]", note: "x y" },
    ],
  });
  task.end();
});
