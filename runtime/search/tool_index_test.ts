import assert from "node:assert/strict";
import type { Tool } from "../sdk.ts";
import { formatHits } from "./format_hits.ts";
import { ToolIndex } from "./tool_index.ts";
import { loadRecordedServers, toEntries } from "../../tests/helpers/search_corpus.ts";

const recorded = await loadRecordedServers();
const corpus = ToolIndex.from(toEntries(recorded));

function tool(name: string, description: string, properties: Record<string, object> = {}): Tool {
  return { name, description, inputSchema: { type: "object", properties } };
}

function firstHit(index: ToolIndex, query: string): string | undefined {
  return index.search(query, { detail: "name", limit: 1 })[0]?.name;
}

Deno.test("ToolIndex.from() indexes every recorded fixture", () => {
  const total = recorded.reduce((sum, server) => sum + server.tools.length, 0);
  assert.ok(recorded.length >= 9, `expected at least 9 recorded servers, got ${recorded.length}`);
  assert.ok(total >= 300, `expected at least 300 recorded tools, got ${total}`);
  assert.equal(corpus.size, total);
  assert.deepEqual(
    corpus.listServers(),
    recorded.map(({ key, tools }) => ({ name: key, toolCount: tools.length })),
  );
});

Deno.test("search() ranks the expected tool first for what an agent would type", async (t) => {
  // Queries are phrased as an agent would ask, not copied from tool names; each expectation is the one tool of
  // the whole recorded corpus that does what the query asks.
  const cases: [query: string, expected: string][] = [
    ["create entities in knowledge graph", "memory.create_entities"],
    ["add relation", "memory.create_relations"],
    ["add observations to an entity", "memory.add_observations"],
    ["show me the knowledge graph", "memory.read_graph"],
    ["search for nodes in graph", "memory.search_nodes"],
    // read_file says "DEPRECATED: Use read_text_file instead", so its replacement must come first.
    ["read file", "filesystem.read_text_file"],
    ["read several files at once", "filesystem.read_multiple_files"],
    ["write a file", "filesystem.write_file"],
    ["edit lines in a file", "filesystem.edit_file"],
    ["list directory", "filesystem.list_directory"],
    ["what directories can I access", "filesystem.list_allowed_directories"],
    ["move or rename a file", "filesystem.move_file"],
    ["find files matching pattern", "filesystem.search_files"],
    ["get file info size and permissions", "filesystem.get_file_info"],
    ["sum two numbers", "everything.get-sum"],
    ["compress a file with gzip", "everything.gzip-file-as-resource"],
    ["think step by step", "sequential-thinking.sequentialthinking"],
    ["create pull request", "github.create_pull_request"],
    ["list open pull requests", "github.list_pull_requests"],
    ["list issues", "github.list_issues"],
    ["open a new issue on github", "github.create_issue"],
    ["comment on issue", "github.add_issue_comment"],
    ["merge a pull request", "github.merge_pull_request"],
    ["approve pull request with review", "github.create_pull_request_review"],
    ["fork a repository", "github.fork_repository"],
    ["list commits on a branch", "github.list_commits"],
    ["get contents of a file in a repo", "github.get_file_contents"],
    ["take a screenshot of the page", "playwright.browser_take_screenshot"],
    ["press a key on the keyboard", "playwright.browser_press_key"],
    ["go back to previous page", "playwright.browser_navigate_back"],
    ["run sql query", "supabase.execute_sql"],
    ["deploy edge function", "supabase.deploy_edge_function"],
    ["list tables in database", "supabase.list_tables"],
    ["send slack message", "slack.slack_post_message"],
    ["reply in a thread", "slack.slack_reply_to_thread"],
    ["crawl a website", "firecrawl.firecrawl_crawl"],
    ["get pod logs", "kubernetes.kubectl_logs"],
    ["install helm chart", "kubernetes.install_helm_chart"],
    ["insert documents into mongodb collection", "mongodb.insert-many"],
    ["directions between two places", "google-maps.maps_directions"],
    ["delete a notion block", "notion.API-delete-a-block"],
    ["get my circleci build failure logs", "circleci.get_build_failure_logs"],
  ];
  for (const [query, expected] of cases) {
    await t.step(
      `"${query}" -> ${expected}`,
      () => assert.equal(firstHit(corpus, query), expected),
    );
  }
});

Deno.test("search() still ranks the expected tool first when the query has typos or prefixes", async (t) => {
  const cases: [query: string, expected: string][] = [
    ["craete entitie", "memory.create_entities"],
    ["serch nodes", "memory.search_nodes"],
    ["screenshoot", "playwright.browser_take_screenshot"],
    ["dir tree", "filesystem.directory_tree"],
    ["pull req merge", "github.merge_pull_request"],
    ["helm instal", "kubernetes.install_helm_chart"],
  ];
  for (const [query, expected] of cases) {
    await t.step(
      `"${query}" -> ${expected}`,
      () => assert.equal(firstHit(corpus, query), expected),
    );
  }
});

Deno.test("search() splits query identifiers like tool names", async (t) => {
  for (
    const query of [
      "create_pull_request",
      "createPullRequest",
      "create-pull-request",
      "github.create_pull_request",
    ]
  ) {
    await t.step(query, () => assert.equal(firstHit(corpus, query), "github.create_pull_request"));
  }
});

Deno.test("search() returns stable text at each detail level for a fixed query", async (t) => {
  const query = "create pull request";
  await t.step("name", () => {
    const hits = corpus.search(query, { detail: "name", limit: 3 });
    assert.deepEqual(Object.keys(hits[0]!), ["server", "tool", "name", "score"]);
    assert.equal(
      formatHits(hits, "name"),
      [
        "github.create_pull_request",
        "github.create_pull_request_review",
        "gitlab.create_merge_request",
      ].join("\n"),
    );
  });
  await t.step("description", () => {
    const hits = corpus.search(query, { limit: 3 });
    assert.deepEqual(hits[0], {
      server: "github",
      tool: "create_pull_request",
      name: "github.create_pull_request",
      score: hits[0]!.score,
      description: "Create a new pull request in a GitHub repository",
      functionName: "createPullRequest",
      importLine: 'import { createPullRequest } from "servers/github/index.ts";',
    });
    assert.equal(
      formatHits(hits, "description"),
      [
        'import { createPullRequest } from "servers/github/index.ts"; // github.create_pull_request: Create a new pull request in a GitHub repository',
        'import { createPullRequestReview } from "servers/github/index.ts"; // github.create_pull_request_review: Create a review on a pull request',
        'import { createMergeRequest } from "servers/gitlab/index.ts"; // gitlab.create_merge_request: Create a new merge request in a GitLab project',
      ].join("\n"),
    );
  });
  await t.step("full", () => {
    const hits = corpus.search(query, { detail: "full", limit: 2 });
    assert.equal(
      formatHits(hits, "full"),
      [
        "// github.create_pull_request: Create a new pull request in a GitHub repository",
        'import { createPullRequest } from "servers/github/index.ts";',
        "function createPullRequest(input: { owner: string; repo: string; title: string; body?: string; head: string; base: string; draft?: boolean; maintainer_can_modify?: boolean }): Promise<unknown>;",
        "",
        "// github.create_pull_request_review: Create a review on a pull request",
        'import { createPullRequestReview } from "servers/github/index.ts";',
        'function createPullRequestReview(input: { owner: string; repo: string; pull_number: number; commit_id?: string; body: string; event: "APPROVE" | "REQUEST_CHANGES" | "COMMENT"; comments?: unknown[] }): Promise<unknown>;',
      ].join("\n"),
    );
  });
});

Deno.test("search() returns the same hits when called again", () => {
  const first = corpus.search("list issues", { detail: "full" });
  assert.deepEqual(corpus.search("list issues", { detail: "full" }), first);
});

Deno.test("search() returns only the listed servers' tools when servers is given", () => {
  const hits = corpus.search("create issue", { detail: "name", servers: ["gitlab", "sentry"] });
  assert.ok(hits.length > 0);
  assert.ok(
    hits.every((hit) => hit.server === "gitlab" || hit.server === "sentry"),
    JSON.stringify(hits),
  );
  assert.equal(hits[0]?.name, "gitlab.create_issue");
  assert.deepEqual(corpus.search("create issue", { servers: [] }), []);
  assert.deepEqual(corpus.search("create issue", { servers: ["no-such-server"] }), []);
});

Deno.test("search() returns at most limit hits, best first", async (t) => {
  await t.step("default limit is 10", () => assert.equal(corpus.search("list").length, 10));
  for (const limit of [1, 3, 25]) {
    await t.step(`limit ${limit}`, () => {
      const hits = corpus.search("list", { limit });
      assert.equal(hits.length, limit);
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
    });
  }
});

Deno.test("search() returns no hits when no query word matches", async (t) => {
  for (const query of ["", "   ", "the of and", "zzqxj"]) {
    await t.step(JSON.stringify(query), () => assert.deepEqual(corpus.search(query), []));
  }
});

Deno.test("search() throws when the options are invalid", async (t) => {
  await t.step("limit 0", () =>
    assert.throws(() => corpus.search("x", { limit: 0 }), {
      name: "RangeError",
      message: "Cannot search tools: limit must be a positive integer, got 0",
    }));
  await t.step(
    "limit 1.5",
    () => assert.throws(() => corpus.search("x", { limit: 1.5 }), RangeError),
  );
  await t.step(
    "unknown detail",
    () =>
      assert.throws(() => corpus.search("x", { detail: "all" as never }), {
        name: "TypeError",
        message:
          'Cannot search tools: unknown detail "all" (expected "name", "description" or "full")',
      }),
  );
  await t.step("query not a string", () =>
    assert.throws(() => corpus.search(42 as never), {
      name: "TypeError",
      message: "Cannot search tools: query must be a string, got number",
    }));
});

Deno.test("setServerTools() replaces a server's old tools", () => {
  const index = new ToolIndex();
  index.setServerTools("notes", [
    tool("archive_note", "Archive a note so it no longer shows in lists"),
    tool("create_note", "Create a new note"),
  ]);
  assert.equal(firstHit(index, "archive note"), "notes.archive_note");
  index.setServerTools("notes", [
    tool("create_note", "Create a new note"),
    tool("pin_note", "Pin a note to the top"),
  ]);
  assert.equal(index.size, 2);
  assert.equal(firstHit(index, "pin note"), "notes.pin_note");
  assert.ok(index.search("archive").every((hit) => hit.tool !== "archive_note"));
  assert.equal(index.getTool("notes", "archive_note"), undefined);
  assert.deepEqual(index.listTools("notes").map((t) => t.name), ["create_note", "pin_note"]);
});

Deno.test("setServerTools() keeps the last tool when a name repeats", () => {
  const index = new ToolIndex();
  index.setServerTools("s", [tool("echo", "Old echo"), tool("echo", "New echo")]);
  assert.equal(index.size, 1);
  assert.equal(index.getTool("s", "echo")?.description, "New echo");
  assert.equal(index.search("old").length, 0);
});

Deno.test("setServerTools() throws a TypeError when the server or a tool has no name", async (t) => {
  const index = new ToolIndex();
  await t.step("empty server", () =>
    assert.throws(() => index.setServerTools("", []), {
      name: "TypeError",
      message: "Cannot index tools: server name must be a non-empty string",
    }));
  await t.step(
    "tool without name",
    () =>
      assert.throws(
        () => index.setServerTools("s", [tool("ok", "x"), { inputSchema: {} } as never]),
        {
          name: "TypeError",
          message: 'Cannot index tools of server "s": tool at index 1 has no name',
        },
      ),
  );
  assert.equal(index.size, 0);
});

Deno.test("removeServer() removes a server and reports whether it was indexed", () => {
  const index = ToolIndex.from(
    toEntries(recorded.filter((s) => s.key === "memory" || s.key === "github")),
  );
  assert.equal(index.removeServer("memory"), true);
  assert.equal(index.removeServer("memory"), false);
  assert.deepEqual(index.listServers().map((s) => s.name), ["github"]);
  assert.ok(index.search("knowledge graph entities").every((hit) => hit.server === "github"));
});

Deno.test("listTools() lists a server's tools in listing order", () => {
  const tools = corpus.listTools("memory");
  assert.deepEqual(tools[0], {
    name: "create_entities",
    functionName: "createEntities",
    description: "Create multiple new entities in the knowledge graph",
  });
  assert.deepEqual(
    tools.map((t) => t.name),
    recorded.find((s) => s.key === "memory")!.tools.map((t) => t.name),
  );
  assert.deepEqual(corpus.listTools("no-such-server"), []);
});

Deno.test("search() ranks a deprecated tool below its replacement", () => {
  const index = new ToolIndex();
  index.setServerTools("fs", [
    tool("read", "Read a file. Deprecated: use read_text instead."),
    tool("read_text", "Read a text file."),
  ]);
  assert.deepEqual(index.search("read", { detail: "name" }).map((hit) => hit.tool), [
    "read_text",
    "read",
  ]);
});

Deno.test("ToolIndex uses the codegen hooks when they are given", () => {
  const calls: string[] = [];
  const index = new ToolIndex({
    functionName: (server, name) => `${server}_${name}`.toUpperCase(),
    serverDir: (server) => `dir-${server}`,
    renderSignature: (server, t) => {
      calls.push(`${server}.${t.name}`);
      return `declare function x(): void; // ${t.name}`;
    },
  });
  index.setServerTools("mem", [tool("read_graph", "Read the graph")]);
  const [hit] = index.search("graph", { detail: "full" });
  assert.equal(hit?.functionName, "MEM_READ_GRAPH");
  assert.equal(hit?.importLine, 'import { MEM_READ_GRAPH } from "servers/dir-mem/index.ts";');
  assert.equal(hit?.signature, "declare function x(): void; // read_graph");
  index.search("graph", { detail: "full" });
  assert.deepEqual(calls, ["mem.read_graph"], "the signature is rendered once and cached");
});
