import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileSignInStore } from "../runtime/connections/auth/mod.ts";
import { actAsBrowser, startOAuthServer } from "../tests/helpers/oauth_server.ts";

const AUTH = fileURLToPath(new URL("./auth.ts", import.meta.url));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", AUTH, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("auth <server> prints the URL, takes the browser's redirect and stores the sign-in; --list and --logout", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "alice" });
  const config = join(dir, "mcp.json");
  const tokenFile = join(dir, "tokens.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      mcpServers: { linear: { type: "http", url: server.url }, local: { command: "true" } },
    }),
  );
  const common = ["--config", config, "--sign-in-file", tokenFile];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", AUTH, "linear", ...common, "--no-browser"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  // Read until the URL is printed, then be the browser.
  while (!/Waiting for the browser/.test(stdout)) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const url = stdout.match(/^ {2}(http\S+)$/m)?.[1];
  assert.ok(url !== undefined, stdout);
  const redirect = stdout.match(/come back to (http:\/\/127\.0\.0\.1:\d+\/callback)/)?.[1]!;
  await actAsBrowser({ url: new URL(url), redirectUrl: redirect });
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    stdout += chunk.value;
  }
  const status = await child.status;
  assert.equal(status.code, 0, stdout + (await stderr));
  const port = new URL(redirect).port;
  assert.equal(
    stdout.replace(url, "<authorization URL>"),
    `Signing in to "linear" (${server.url}).
Open this URL in a browser to sign in:

  <authorization URL>

Waiting for the browser to come back to http://127.0.0.1:${port}/callback (up to 5 minutes)...
Signed in to "linear": 1 tool. The sign-in is stored in ${tokenFile}.
`,
  );
  assert.equal(new URL(url).searchParams.get("code_challenge_method"), "S256");
  assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);

  const listed = await run(["--list", "--sign-in-file", tokenFile]);
  assert.equal(listed.code, 0);
  const oldName = await run(["--list", "--token-file", tokenFile]);
  assert.equal(oldName.stdout, listed.stdout);
  assert.match(oldName.stderr, /"--token-file" is deprecated here: use "--sign-in-file"/);
  assert.match(
    listed.stdout,
    new RegExp(`^  default  linear  ${server.url}  \\(signed in, refreshes, expires `, "m"),
  );
  for (const secret of server.secrets) assert.ok(!listed.stdout.includes(secret));

  const out = await run(["--logout", "linear", "--sign-in-file", tokenFile]);
  assert.equal(out.stdout, `Signed out of "linear": its sign-in was removed from ${tokenFile}.\n`);
  assert.equal(
    (await run(["--list", "--sign-in-file", tokenFile])).stdout,
    `No stored sign-ins in ${tokenFile}.\n`,
  );

  const stdio = await run(["local", ...common]);
  assert.equal(stdio.code, 1);
  assert.match(stdio.stderr, /Cannot sign in to "local": it is a stdio server/);
  const unknown = await run(["nope", ...common]);
  assert.match(
    unknown.stderr,
    /Cannot sign in to "nope": .* has no such server \(it has: linear, local\)/,
  );
  assert.equal((await run([])).code, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("auth <server> opens the browser through xdg-open when there is one", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "alice" });
  const config = join(dir, "mcp.json");
  await Deno.writeTextFile(config, JSON.stringify({ mcpServers: { linear: { url: server.url } } }));
  // A stand-in opener on the PATH that records the URL it was asked to open.
  const bin = join(dir, "bin");
  const opened = join(dir, "opened.txt");
  await Deno.mkdir(bin);
  const opener = join(bin, Deno.build.os === "darwin" ? "open" : "xdg-open");
  await Deno.writeTextFile(opener, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", AUTH, "linear", "--config", config, "--sign-in-file", join(dir, "t.json")],
    env: { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}` },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let url = "";
  for (let i = 0; i < 200 && url === ""; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    url = await Deno.readTextFile(opened).catch(() => "");
  }
  assert.match(url, /\/authorize\?/);
  const redirect = new URL(url).searchParams.get("redirect_uri")!;
  await actAsBrowser({ url: new URL(url), redirectUrl: redirect });
  assert.equal((await child.status).code, 0);
  const text = await stdout;
  assert.ok(text.includes(`\n  ${url}\n\n(A browser was opened.)\nWaiting for the browser`), text);
  await Deno.remove(dir, { recursive: true });
});

/** Runs `auth <args>` and is the browser of the person signing in, as `account`. */
async function signInAs(args: string[], account: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", AUTH, ...args, "--no-browser"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!/Waiting for the browser/.test(stdout)) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const url = stdout.match(/^ {2}(http\S+)$/m)?.[1];
  if (url === undefined) assert.fail(stdout + (await stderr));
  await actAsBrowser({ url: new URL(url), redirectUrl: "" }, { account });
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    stdout += chunk.value;
  }
  assert.equal((await child.status).code, 0, stdout + (await stderr));
  return stdout.replace(url, "<authorization URL>");
}

Deno.test("auth <server> --principal signs in for that principal only; --list shows whose each sign-in is; --logout --principal", async () => {
  const dir = await Deno.makeTempDir();
  await using server = startOAuthServer({ account: "nobody" });
  const config = join(dir, "mcp.json");
  const tokenFile = join(dir, "tokens.json");
  await Deno.writeTextFile(config, JSON.stringify({ mcpServers: { linear: { url: server.url } } }));
  const common = ["--config", config, "--sign-in-file", tokenFile];
  const alice = await signInAs(["linear", "--principal", "alice", ...common], "alice");
  assert.match(alice, /^Signing in to "linear" \(\S+\) as principal "alice"\.$/m);
  assert.match(alice, /^Signed in to "linear" as principal "alice": 1 tool\. /m);
  await signInAs(["linear", ...common], "owner");
  const store = new FileSignInStore(tokenFile);
  const aliceToken = (await store.get({ principal: "alice", server: "linear" }, server.url))?.tokens
    ?.access_token;
  const ownToken = (await store.get("linear", server.url))?.tokens?.access_token;
  assert.equal(server.accountOf(aliceToken ?? ""), "alice");
  assert.equal(
    server.accountOf(ownToken ?? ""),
    "owner",
    "without --principal the sign-in is the default principal's",
  );

  const listed = await run(["--list", "--sign-in-file", tokenFile]);
  const lines = listed.stdout.split("\n").filter((line) => line.startsWith("  "));
  assert.deepEqual(lines.map((line) => line.split("  ").slice(1, 4)), [
    ["default", "linear", server.url],
    ["alice", "linear", server.url],
  ]);
  for (const secret of server.secrets) assert.ok(!listed.stdout.includes(secret));
  const onlyAlice = await run(["--list", "--principal", "alice", "--sign-in-file", tokenFile]);
  assert.equal(onlyAlice.stdout.split("\n").filter((line) => line.startsWith("  ")).length, 1);

  const out = await run([
    "--logout",
    "linear",
    "--principal",
    "alice",
    "--sign-in-file",
    tokenFile,
  ]);
  assert.equal(
    out.stdout,
    `Signed out of "linear" as principal "alice": its sign-in was removed from ${tokenFile}.\n`,
  );
  assert.equal(await store.get({ principal: "alice", server: "linear" }, server.url), undefined);
  assert.equal(
    (await store.get("linear", server.url))?.tokens?.access_token,
    ownToken,
    "the default one is kept",
  );
  const bad = await run(["linear", "--principal", "", ...common]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid principal ""/);
  await Deno.remove(dir, { recursive: true });
});
