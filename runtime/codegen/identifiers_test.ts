import assert from "node:assert/strict";
import {
  assignFunctionNames,
  assignServerIdentifiers,
  isIdentifier,
  toFunctionName,
  toolFilePath,
  toServerDirName,
  toServerIdentifier,
  toTypeName,
  uniqueNames,
} from "./identifiers.ts";

Deno.test("toFunctionName() gives camelCase identifiers for every kind of tool name", async (t) => {
  const cases: Array<[string, string]> = [
    ["read_graph", "readGraph"],
    ["get-sum", "getSum"],
    ["my.tool name", "myToolName"],
    ["sequentialthinking", "sequentialthinking"],
    ["API-post-search", "apiPostSearch"],
    ["GET_USER", "getUser"],
    ["ReadGraph", "readGraph"],
    ["URLFetch", "urlFetch"],
    ["getURL", "getURL"],
    ["list_PRs", "listPRs"],
    ["browser_navigate_back", "browserNavigateBack"],
    ["__private__tool", "privateTool"],
    ["3d-render", "_3dRender"],
    ["42", "_42"],
    ["delete", "delete_"],
    ["default", "default_"],
    ["class", "class_"],
    ["import", "import_"],
    ["await", "await_"],
    ["eval", "eval_"],
    ["undefined", "undefined_"],
    ["index", "index_"],
    ["café-crème", "cafeCreme"],
    ["名前", "名前"],
    ["ツール_一覧", "ツール一覧"],
    ["", "tool"],
    ["🙂", "tool"],
    ["--", "tool"],
    ["a$b", "aB"],
  ];
  for (const [name, expected] of cases) {
    await t.step(`${JSON.stringify(name)} -> ${expected}`, () => {
      const actual = toFunctionName(name);
      assert.equal(actual, expected);
      assert.ok(isIdentifier(actual));
    });
  }
});

Deno.test("toTypeName() gives PascalCase type names", async (t) => {
  const cases: Array<[string, string]> = [
    ["read_graph", "ReadGraph"],
    ["createEntities", "CreateEntities"],
    ["blockObjectRequest", "BlockObjectRequest"],
    ["with/slash", "WithSlash"],
    ["_3dRender", "_3dRender"],
    ["", "Type"],
    ["名前", "名前"],
  ];
  for (const [name, expected] of cases) {
    await t.step(
      `${JSON.stringify(name)} -> ${expected}`,
      () => assert.equal(toTypeName(name), expected),
    );
  }
});

Deno.test("toServerIdentifier() gives snake_case-safe namespace identifiers", async (t) => {
  const cases: Array<[string, string]> = [
    ["memory", "memory"],
    ["sequential-thinking", "sequential_thinking"],
    ["my.server Name", "my_server_Name"],
    ["GitHub", "GitHub"],
    ["2fa", "_2fa"],
    ["delete", "delete_"],
    ["console", "console_"],
    ["fetch", "fetch_"],
    ["Deno", "Deno_"],
    ["", "server"],
  ];
  for (const [name, expected] of cases) {
    await t.step(`${JSON.stringify(name)} -> ${expected}`, () => {
      assert.equal(toServerIdentifier(name), expected);
      assert.ok(isIdentifier(expected));
    });
  }
});

Deno.test("toServerDirName() keeps safe names and neutralizes path tricks", async (t) => {
  const cases: Array<[string, string]> = [
    ["memory", "memory"],
    ["sequential-thinking", "sequential-thinking"],
    ["kitchen sink", "kitchen_sink"],
    ["../etc", "_etc"],
    ["a/b\\c", "a_b_c"],
    [".hidden", "hidden"],
    ["..", "server"],
    ["", "server"],
  ];
  for (const [name, expected] of cases) {
    await t.step(
      `${JSON.stringify(name)} -> ${expected}`,
      () => assert.equal(toServerDirName(name), expected),
    );
  }
});

Deno.test("assignFunctionNames() suffixes colliding names in tools/list order", () => {
  assert.deepEqual(assignFunctionNames(["get-sum", "get_sum", "GetSum", "getSum2"]), [
    "getSum",
    "getSum2",
    "getSum3",
    "getSum22",
  ]);
  assert.deepEqual(assignFunctionNames(["", "🙂", "tool"]), ["tool", "tool2", "tool3"]);
  assert.deepEqual(assignFunctionNames(["delete", "delete_"]), ["delete_", "delete_2"]);
});

Deno.test("uniqueNames() compares names ignoring case so that file names cannot collide", () => {
  assert.deepEqual(uniqueNames(["getURL", "getUrl"]), ["getURL", "getUrl2"]);
  assert.deepEqual(uniqueNames(["index"], ["Index"]), ["index2"]);
});

Deno.test("assignServerIdentifiers() suffixes servers that map to one identifier", () => {
  assert.deepEqual(assignServerIdentifiers(["my-server", "my.server", "my_server"]), [
    "my_server",
    "my_server2",
    "my_server3",
  ]);
});

Deno.test("toolFilePath() puts a tool's file in its server folder", () => {
  assert.equal(
    toolFilePath("sequential-thinking", "sequentialthinking"),
    "sequential-thinking/sequentialthinking.ts",
  );
});
