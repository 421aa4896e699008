/**
 * Escape suite, environment and network: hostile programs that look for the host's environment variables or try to
 * open connections (TCP, TLS, WebSocket, DNS, listening sockets, Unix sockets, remote imports), and checks of the
 * sandbox process itself from the outside: its environment and its command line, read from /proc.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertBlocked,
  assertCaught,
  assertNotCapable,
  RUNTIME_DIR,
  SCREEN_OFF,
  SECRET_ENV,
  startFixture,
  waitFor,
} from "./_fixture.ts";

/** A TCP listener on 127.0.0.1 that counts the connections it accepts: a sandbox must never reach it. */
function startWitness(): { port: number; accepted(): number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        conn.close();
      }
    } catch {
      // Closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: () => accepted,
    async close() {
      listener.close();
      await loop;
    },
  };
}

Deno.test("escape suite: the host's environment never reaches agent code", async (t) => {
  await using screened = await startFixture();
  await using open = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  assert.equal(Deno.env.get(SECRET_ENV), screened.secret, "the test process holds the secret");

  await t.step("Deno.env.get of the host's secret variable", async () => {
    const result = await screened.run(`return Deno.env.get(${JSON.stringify(SECRET_ENV)});`);
    assertNotCapable(result, new RegExp(`^Requires env access to "${SECRET_ENV}"`));
    await screened.probe();
  });
  await t.step("Deno.env.toObject", async () => {
    const result = await screened.run(`return Deno.env.toObject();`);
    assertNotCapable(result, /^Requires env access, run again with the --allow-env flag/);
    await screened.probe();
  });
  await t.step("the process global's env (no blocker rule covers it)", async () => {
    const result = await screened.run(
      `return globalThis.process.env[${JSON.stringify(SECRET_ENV)}];`,
    );
    assertNotCapable(result, new RegExp(`^Requires env access to "${SECRET_ENV}"`));
    await screened.probe();
  });
  const nodeProcess = `const { default: process } = await import("node:process");
return Object.keys(process.env);`;
  await t.step('node:process env: the blocker refuses it (rule "node-builtin")', async () => {
    assertBlocked(await screened.run(nodeProcess), "node-builtin");
    await screened.probe();
  });
  await t.step("node:process env: with the screen off, the sandbox refuses it", async () => {
    assertNotCapable(await open.run(nodeProcess), /^Requires env access, run again/);
    await open.probe();
  });
  await t.step(
    "the sandbox process runs with a cleared environment: only DENO_DIR and NO_COLOR, even if env were granted",
    async () => {
      assert.ok(await waitFor(() => screened.sandboxPids().length > 0), "an idle sandbox process");
      for (const pid of screened.sandboxPids()) {
        const environ = (await Deno.readTextFile(`/proc/${pid}/environ`)).split("\0").filter((
          entry,
        ) => entry !== "");
        assert.deepEqual(environ.map((entry) => entry.split("=")[0]).sort(), [
          "DENO_DIR",
          "NO_COLOR",
        ]);
        assert.ok(!environ.join("\n").includes(screened.secret));
        assert.equal(
          environ.find((e) => e.startsWith("DENO_DIR=")),
          `DENO_DIR=${join(screened.stateDir, "deno_dir")}`,
        );
      }
    },
  );
});

Deno.test("escape suite: the sandbox process's command line grants nothing beyond its own files", async () => {
  await using f = await startFixture();
  assert.ok(await waitFor(() => f.sandboxPids().length > 0), "an idle sandbox process");
  const [pid] = f.sandboxPids();
  const args = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0").slice(1, -1);
  const socketArg = args.find((arg) => arg.startsWith("--allow-write="))!;
  const socketPath = socketArg.slice("--allow-write=".length);
  assert.match(socketPath, new RegExp(`^${f.stateDir}/sockets/[^/,]+/c\\.sock$`));
  assert.deepEqual(args.slice(0, 8), [
    "run",
    "--no-prompt",
    "--cached-only",
    "--no-config",
    "--no-npm",
    "--no-remote",
    "--unstable-worker-options",
    "--v8-flags=--max-old-space-size=64",
  ]);
  assert.deepEqual(args.slice(8, 12), [
    `--allow-read=${RUNTIME_DIR},${join(RUNTIME_DIR, "..", "wire")},${f.serversDir},${
      join(f.dir, "skills")
    },${socketPath}`,
    `--allow-write=${socketPath}`,
    `--allow-net=unix:${socketPath}`,
    `${RUNTIME_DIR}/bootstrap.ts`,
  ]);
  for (
    const flag of [
      "-A",
      "--allow-all",
      "--allow-env",
      "--allow-run",
      "--allow-ffi",
      "--allow-sys",
      "--allow-import",
    ]
  ) {
    assert.ok(
      !args.some((arg) => arg === flag || arg.startsWith(`${flag}=`)),
      `${flag} is not granted`,
    );
  }
  // The control socket's folder is removed as soon as the child has connected: nothing is left to find.
  assert.deepEqual([...Deno.readDirSync(join(f.stateDir, "sockets"))], []);
  assert.equal((await Deno.stat(join(f.stateDir, "sockets"))).mode! & 0o777, 0o700);
});

Deno.test("escape suite: network access is refused and nothing reaches a listening host port", async (t) => {
  await using screened = await startFixture();
  await using open = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  const witness = startWitness();
  const target = `127.0.0.1:${witness.port}`;
  const netDenied = new RegExp(`^Requires net access to "${target.replaceAll(".", "\\.")}"`);
  try {
    const cases: Array<[string, string, RegExp]> = [
      ["fetch", `return await (await fetch("http://${target}/")).text();`, netDenied],
      [
        "Deno.connect (TCP)",
        `return await Deno.connect({ hostname: "127.0.0.1", port: ${witness.port} });`,
        netDenied,
      ],
      [
        "Deno.connectTls",
        `return await Deno.connectTls({ hostname: "127.0.0.1", port: ${witness.port} });`,
        netDenied,
      ],
      [
        "WebSocket",
        `const ws = new WebSocket("ws://${target}/");\nreturn await new Promise((r) => ws.onopen = r);`,
        netDenied,
      ],
      [
        "Deno.listen",
        `return Deno.listen({ hostname: "0.0.0.0", port: 0 });`,
        /^Requires net access to "0\.0\.0\.0:0"/,
      ],
      [
        "Deno.resolveDns",
        `return await Deno.resolveDns("example.com", "A");`,
        /^Requires net access to /,
      ],
      [
        "fetch to the internet",
        `return await (await fetch("https://example.com/")).text();`,
        /^Requires net access to "example\.com(:443)?"/,
      ],
    ];
    for (const [name, code, message] of cases) {
      await t.step(`${name}: no blocker rule, the Worker has no net permission`, async () => {
        assertNotCapable(await screened.run(code), message);
        await screened.probe();
      });
    }
    const remoteImport = `return await import("http://${target}/mod.ts");`;
    await t.step(
      'import() of an http: module: the blocker refuses it (rule "remote-import")',
      async () => {
        assertBlocked(await screened.run(remoteImport), "remote-import");
        await screened.probe();
      },
    );
    await t.step(
      "import() of an http: module: with the screen off, the sandbox refuses it",
      async () => {
        const result = await open.run(remoteImport);
        assert.equal(result.error?.code, "ERR_MODULE_NOT_FOUND", JSON.stringify(result.error));
        assert.match(
          result.error?.message ?? "",
          new RegExp(`^Requires import access to "${target.replaceAll(".", "\\.")}"`),
        );
        await open.probe();
      },
    );
    await t.step(
      "Deno.connect to a Unix socket of the host (like the control socket)",
      async () => {
        const path = join(screened.stateDir, "sockets", "host.sock");
        const listener = Deno.listen({ transport: "unix", path });
        try {
          const result = await screened.run(
            `try { return await Deno.connect({ transport: "unix", path: ${
              JSON.stringify(path)
            } }); } catch (e) { return [e.name, e.message]; }`,
          );
          assertCaught(
            result,
            "NotCapable",
            new RegExp(`^Requires (read|net) access to "(unix:)?${path}"`),
          );
        } finally {
          listener.close();
          await Deno.remove(path).catch(() => {});
        }
        await screened.probe();
      },
    );
    assert.equal(witness.accepted(), 0, "no sandbox ever connected to the host's port");
  } finally {
    await witness.close();
  }
});

Deno.test("escape suite: what agent code CAN learn without any permission (documented, not protected)", async () => {
  await using f = await startFixture({ servers: ["memory"] });
  const result = await f.run(
    `let stack = "";
// A getter the bridge's own code calls: its stack shows the host paths of the runtime and servers/ modules.
try { await memory.readGraph({ get x() { stack = new Error().stack; return 1; } }); } catch { /* refused */ }
return { execPath: Deno.execPath(), pid: Deno.pid, ppid: Deno.ppid, stack };`,
    { tools: ["memory"] },
  );
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const data = result.data as { execPath: string; pid: number; ppid: number; stack: string };
  assert.equal(data.execPath, Deno.execPath());
  assert.equal(data.ppid, Deno.pid, "the sandbox's parent is the host process");
  assert.ok(data.pid > 0);
  assert.ok(data.stack.includes(`file://${RUNTIME_DIR}/worker.ts`), data.stack);
  assert.ok(data.stack.includes(`file://${f.serversDir}/memory/_module.js`), data.stack);
});

Deno.test({
  name:
    "escape suite: Deno.cwd() of a task without a workspace does not reveal the host's state folder",
  async fn() {
    await using f = await startFixture();
    const result = await f.run(`return Deno.cwd();`);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.ok(!String(result.data).includes(f.stateDir), `Deno.cwd() is ${result.data}`);
  },
});
