import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  countJsonTokens,
  countJsonTokensAsync,
  countTokens,
  countTokensAsync,
  getTokenizerName,
  MAX_EXACT_CHARS,
  o200kTokenizer,
  setTokenizer,
} from "./tokens.ts";

Deno.test("countTokens() returns the pinned o200k_base counts for known texts", async (t) => {
  // Computed once with o200k_base (js-tiktoken 1.0.21 and gpt-tokenizer 4.0.0 agree) and pinned: a change means the
  // encoding changed.
  const cases: [string, number][] = [
    ["hello world", 2],
    ["Hello, world!", 4],
    ["The quick brown fox jumps over the lazy dog.", 10],
    ["こんにちは世界", 2],
    ['import { readFile } from "servers/filesystem/index.ts";', 13],
    ["   ", 1],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => assert.equal(countTokens(text), expected));
  }
});

Deno.test("countTokens() returns 0 when the text is empty", () => {
  assert.equal(countTokens(""), 0);
});

Deno.test("countTokens() returns the same count when called again", () => {
  const text = "Create multiple new entities in the knowledge graph. ".repeat(20);
  const first = countTokens(text);
  assert.ok(first > 0);
  for (let i = 0; i < 5; i++) assert.equal(countTokens(text), first);
});

Deno.test("countTokens() counts special-token text as ordinary text", () => {
  assert.equal(countTokens("<|endoftext|>"), 7);
});

Deno.test("countTokens() throws a TypeError when the text is not a string", () => {
  assert.throws(() => countTokens(42 as unknown as string), {
    name: "TypeError",
    message: "Cannot count tokens: expected a string, got number",
  });
});

Deno.test("countJsonTokens() counts the compact JSON of a value", async (t) => {
  await t.step("object", () => {
    assert.equal(countJsonTokens({ name: "read_file" }), countTokens('{"name":"read_file"}'));
    assert.equal(countJsonTokens({ name: "read_file" }), 6);
  });
  await t.step("array", () => assert.equal(countJsonTokens([1, 2, 3]), 7));
  await t.step("null", () => assert.equal(countJsonTokens(null), 1));
  await t.step("undefined", () => assert.equal(countJsonTokens(undefined), 0));
  await t.step("function", () => assert.equal(countJsonTokens(() => 1), 0));
});

Deno.test("setTokenizer() swaps the tokenizer and returns the previous one", () => {
  assert.equal(getTokenizerName(), "o200k_base");
  const previous = setTokenizer({ name: "chars", count: (text) => text.length });
  try {
    assert.equal(previous, o200kTokenizer);
    assert.equal(getTokenizerName(), "chars");
    assert.equal(countTokens("hello world"), 11);
    assert.equal(countJsonTokens({ a: 1 }), 7);
  } finally {
    setTokenizer(previous);
  }
  assert.equal(getTokenizerName(), "o200k_base");
  assert.equal(countTokens("hello world"), 2);
});

Deno.test("setTokenizer() throws a TypeError when the tokenizer has no count function", () => {
  assert.throws(() => setTokenizer({ name: "broken" } as never), {
    name: "TypeError",
    message: "Cannot set tokenizer: expected an object with a name and a count function",
  });
  assert.equal(getTokenizerName(), "o200k_base");
});

Deno.test("countTokens() works when the network is denied and only the cache is used", async () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const dir = await Deno.makeTempDir({ prefix: "tokens-offline-" });
  try {
    const script = join(dir, "count.ts");
    const tokens = new URL("./tokens.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { countTokens } from "${tokens}";\nconsole.log(countTokens("hello world"));\n`,
    );
    // Only the tokenizer's own mapping, resolved from Deno's package cache: what is checked is that counting needs
    // nothing beyond the installed package (the ranks ship inside it), not the rest of the project's graph.
    const project = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
    const imports = Object.fromEntries(
      Object.entries(project.imports as Record<string, string>).filter(([k]) =>
        k.startsWith("gpt-tokenizer")
      ),
    );
    const config = join(dir, "deno.json");
    await Deno.writeTextFile(config, JSON.stringify({ imports, nodeModulesDir: "none" }));
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        config,
        "--cached-only",
        "--no-lock",
        "--deny-net",
        `--allow-read=${root},${dir}`,
        script,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.equal(new TextDecoder().decode(output.stdout).trim(), "2");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("countTokensAsync() gives exactly what countTokens() gives, on long texts of every shape", async (t) => {
  const rows = Array.from(
    { length: 3_000 },
    (_, i) => `${i},customer-${i % 97},EMEA,${(i * 7.31).toFixed(2)},paid`,
  );
  const records = Array.from(
    { length: 1_500 },
    (_, i) => ({ id: i, name: `Élodie ${i}`, tags: ["a/b", "c'd"] }),
  );
  const cases: [string, string][] = [
    ["CSV", `id,customer,region,amount,status\n${rows.join("\n")}`],
    ["compact JSON", JSON.stringify(records)],
    ["pretty JSON", JSON.stringify(records, null, 2)],
    [
      "prose with blank lines",
      Array.from({ length: 800 }, (_, i) => `Paragraph ${i}: it's done.\n\n`).join(""),
    ],
    [
      "paths and slashes",
      Array.from({ length: 2_000 }, (_, i) => `/srv/data/${i}/file.txt\n/`).join(""),
    ],
    ["digits", "1234567890".repeat(3_000)],
    ["unicode", "日本語のテキスト、絵文字😀と混在。\n".repeat(1_500)],
  ];
  for (const [name, text] of cases) {
    await t.step(name, async () => {
      // Tiny pieces on a slice (each piece waits for a timer), the real sizes on the whole text.
      const slice = text.slice(0, 3_000);
      assert.equal(
        await countTokensAsync(slice, { chunkChars: 64 }),
        countTokens(slice),
        "chunkChars 64",
      );
      for (const chunkChars of [2_000, 8_192]) {
        assert.equal(
          await countTokensAsync(text, { chunkChars }),
          countTokens(text),
          `chunkChars ${chunkChars}`,
        );
      }
    });
  }
  await t.step("JSON values", async () => {
    assert.equal(await countJsonTokensAsync(records), countJsonTokens(records));
    assert.equal(await countJsonTokensAsync(undefined), 0);
  });
});

Deno.test("countTokens() stays cheap and close on text built to be slow to count", async (t) => {
  await t.step("a long run with no place to cut is cut every 4,096 characters", () => {
    // o200k_base encodes "xxxxxxxx" as one token: 200,000 "x" are 25,000 tokens; each cut may add one.
    const count = countTokens("x".repeat(200_000));
    assert.ok(Math.abs(count - 25_000) <= 50, `counted ${count}`);
  });
  await t.step("base64 is counted exactly", () => {
    const bytes = Uint8Array.from({ length: 30_000 }, (_, i) => (i * 7919) % 256);
    const b64 = btoa(String.fromCharCode(...bytes));
    assert.equal(countTokens(b64), o200kTokenizer.count(b64));
  });
  await t.step(
    "text over MAX_EXACT_CHARS is extrapolated from its first million characters",
    async () => {
      const line = "2024-05-01,customer-17,EMEA,1234.50,paid\n";
      const text = line.repeat(Math.ceil(1_500_000 / line.length));
      const exactPart = countTokens(text.slice(0, MAX_EXACT_CHARS));
      const expected = Math.round(exactPart * (text.length / MAX_EXACT_CHARS));
      assert.equal(countTokens(text), expected);
      assert.equal(await countTokensAsync(text), expected);
      const truth = o200kTokenizer.count(text);
      assert.ok(Math.abs(expected - truth) / truth < 0.01, `${expected} vs ${truth}`);
    },
  );
});
