import assert from "node:assert/strict";
import type { Tool } from "../sdk.ts";
import { defaultFunctionName, defaultRenderSignature, defaultServerDir } from "./fallbacks.ts";

Deno.test("defaultFunctionName() returns a camelCase identifier", async (t) => {
  const cases: [string, string][] = [
    ["create_pull_request", "createPullRequest"],
    ["get-sum", "getSum"],
    ["API-get-user", "apiGetUser"],
    ["sequentialthinking", "sequentialthinking"],
    ["browser_take_screenshot", "browserTakeScreenshot"],
    ["export", "export_"],
    ["delete", "delete_"],
    ["2fa_check", "_2faCheck"],
    ["!!!", "_"],
  ];
  for (const [name, expected] of cases) {
    await t.step(name, () => assert.equal(defaultFunctionName("s", name), expected));
  }
});

Deno.test("defaultServerDir() replaces characters unsafe in a folder name", () => {
  assert.equal(defaultServerDir("google-maps"), "google-maps");
  assert.equal(defaultServerDir("my server/v2"), "my-server-v2");
});

Deno.test("defaultRenderSignature() lists the top-level parameters with simple types", async (t) => {
  const cases: [Tool["inputSchema"], string][] = [
    [{ type: "object" }, "function doIt(): Promise<unknown>;"],
    [
      {
        type: "object",
        properties: { path: { type: "string" }, head: { type: "integer" } },
        required: ["path"],
      },
      "function doIt(input: { path: string; head?: number }): Promise<unknown>;",
    ],
    [
      { type: "object", properties: { flag: { type: "boolean" } } },
      "function doIt(input?: { flag?: boolean }): Promise<unknown>;",
    ],
    [
      {
        type: "object",
        properties: {
          mode: { type: "string", enum: ["a", "b"] },
          tags: { type: "array", items: { type: "string" } },
          kinds: { type: "array", items: { enum: ["x", "y"] } },
          meta: { type: "object" },
          "odd-name": {},
        },
        required: ["mode"],
      },
      'function doIt(input: { mode: "a" | "b"; tags?: string[]; kinds?: ("x" | "y")[]; meta?: Record<string, unknown>; "odd-name"?: unknown }): Promise<unknown>;',
    ],
  ];
  for (const [inputSchema, expected] of cases) {
    await t.step(expected, () => {
      assert.equal(defaultRenderSignature("s", { name: "do_it", inputSchema }), expected);
    });
  }
});
