/**
 * Escape suite, process and code loading: subprocesses, signals to the host, FFI, permission requests, nested
 * Workers, remote/data/blob/npm/jsr imports, eval and the Function constructor, Deno's internals. Each program runs
 * with the default blocker policy (refused by the screen, naming the rule) and with every rule allowed (contained by
 * the sandbox process and the Worker's empty permission set).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertBlocked,
  assertCaught,
  assertFailedWith,
  assertNotCapable,
  SCREEN_OFF,
  type SecurityFixture,
  startFixture,
} from "./_fixture.ts";
import type { TaskResult } from "../../runtime/mod.ts";

interface ScreenedCase {
  name: string;
  /** The rule that refuses the program under the default policy. */
  rule: string;
  code(f: SecurityFixture): string;
  /** How the sandbox contains it when the screen lets it through. */
  contained(result: TaskResult, f: SecurityFixture): void;
}

const readDenied = (f: SecurityFixture) =>
  new RegExp(`Requires read access to "${f.secretFile.replaceAll(".", "\\.")}"`);

/** A nested Worker from `url`; resolves to its first message or its error. */
function nestedWorker(url: string, options = `{ type: "module" }`): string {
  return `let w;
try { w = new Worker(${url}, ${options}); } catch (e) { return [e.name, e.message]; }
const out = await new Promise((resolve) => {
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => { e.preventDefault(); resolve(["error", e.message]); };
});
w.terminate();
return out;`;
}

/** Agent code has no `Worker`: the program's attempt to construct one throws a ReferenceError. */
function noWorker(result: TaskResult): void {
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  assert.deepEqual(result.data, ["ReferenceError", "Worker is not defined"]);
}

/** Worker source that tries to read the secret and posts what happened. */
const readInWorker = (f: SecurityFixture) =>
  `try { postMessage(await Deno.readTextFile(${
    JSON.stringify(f.secretFile)
  })); } catch (e) { postMessage([e.name, e.message]); }`;

const CASES: ScreenedCase[] = [
  {
    name: "Deno.Command with an absolute path (/bin/sh)",
    rule: "subprocess",
    code: (f) =>
      `const out = await new Deno.Command("/bin/sh", { args: ["-c", "cat ${f.secretFile}"] }).output();
return new TextDecoder().decode(out.stdout);`,
    contained: (result) => assertNotCapable(result, /^Requires run access to "\/bin\/sh"/),
  },
  {
    name: "node:child_process spawnSync",
    rule: "node-builtin",
    code: (f) =>
      `const cp = await import("node:child_process");
return String(cp.spawnSync("/bin/sh", ["-c", "cat ${f.secretFile}"]).stdout);`,
    // Node's child_process reads the environment before it spawns; either way the Worker may do neither.
    contained: (result) => assertNotCapable(result, /^Requires (env|run) access/),
  },
  {
    name: "Deno.kill of the host process (SIGKILL to the parent)",
    rule: "subprocess",
    code: () => `Deno.kill(Deno.ppid, "SIGKILL");\nreturn "the host is dead";`,
    contained: (result) => assertNotCapable(result, /^Requires run access/),
  },
  {
    name: "Deno.dlopen of libc",
    rule: "ffi",
    code: () =>
      `const lib = Deno.dlopen("/lib/x86_64-linux-gnu/libc.so.6", { getuid: { parameters: [], result: "u32" } });
return lib.symbols.getuid();`,
    contained: (result) =>
      assertNotCapable(result, /^Requires ffi access to "\/lib\/x86_64-linux-gnu\/libc\.so\.6"/),
  },
  {
    name: "Deno.permissions.request for read, then a read",
    rule: "deno-permissions",
    code: (f) =>
      `const status = await Deno.permissions.request({ name: "read", path: ${
        JSON.stringify(f.secretFile)
      } });
try { return [status.state, await Deno.readTextFile(${
        JSON.stringify(f.secretFile)
      })]; } catch (e) { return [status.state, e.name]; }`,
    // --no-prompt: a request is denied at once, and the read is still refused.
    contained: (result) => assert.deepEqual(result.data, ["denied", "NotCapable"]),
  },
  {
    name: "Deno.permissions.query of every permission",
    rule: "deno-permissions",
    code: (f) =>
      `const out = {};
for (const d of [{ name: "read", path: ${
        JSON.stringify(f.serversDir)
      } }, { name: "read", path: "/" }, { name: "write", path: "/tmp" },
  { name: "env" }, { name: "run" }, { name: "ffi" }, { name: "sys" }, { name: "net" }, { name: "import" }]) {
  out[d.name + (d.path === undefined ? "" : ":" + d.path)] = (await Deno.permissions.query(d)).state;
}
return out;`,
    // Only servers/ is granted. Everything else reads "prompt" (not "denied"), but --no-prompt refuses any use.
    contained: (result, f) =>
      assert.deepEqual(result.data, {
        [`read:${f.serversDir}`]: "granted",
        "read:/": "prompt",
        "write:/tmp": "prompt",
        env: "prompt",
        run: "prompt",
        ffi: "prompt",
        sys: "prompt",
        net: "prompt",
        import: "prompt",
      }),
  },
  {
    name: "a nested Worker from a data: URL that reads a host file",
    rule: "worker",
    code: (f) =>
      nestedWorker(JSON.stringify(`data:text/javascript,${encodeURIComponent(readInWorker(f))}`)),
    contained: noWorker,
  },
  {
    name: "a nested Worker from a blob: URL that reads a host file",
    rule: "worker",
    code: (f) =>
      nestedWorker(
        `URL.createObjectURL(new Blob([${
          JSON.stringify(readInWorker(f))
        }], { type: "text/javascript" }))`,
      ),
    contained: noWorker,
  },
  {
    name: 'a nested Worker asking for permissions: "inherit"',
    rule: "worker",
    code: (f) =>
      nestedWorker(
        JSON.stringify(`data:text/javascript,${encodeURIComponent(readInWorker(f))}`),
        `{ type: "module", deno: { permissions: "inherit" } }`,
      ),
    contained: noWorker,
  },
  {
    name: "a nested Worker asking for more permissions than its parent (read, env, run)",
    rule: "worker",
    code: () =>
      nestedWorker(
        JSON.stringify("data:text/javascript,postMessage(1)"),
        `{ type: "module", deno: { permissions: { read: true, env: true, run: true } } }`,
      ),
    contained: noWorker,
  },
  {
    name: "import() of an https: module",
    rule: "remote-import",
    code: () => `return await import("https://deno.land/std/path/mod.ts");`,
    contained: (result) =>
      assertFailedWith(result, {
        code: "ERR_MODULE_NOT_FOUND",
        message: /^Requires import access to "deno\.land:443"/,
      }),
  },
  {
    name: "import() of an npm: package",
    rule: "remote-import",
    code: () => `return (await import("npm:zod")).default;`,
    contained: (result) =>
      assertFailedWith(result, {
        code: "ERR_MODULE_NOT_FOUND",
        message: /npm specifiers were requested; but --no-npm is specified/,
      }),
  },
  {
    name: "import() of a jsr: package",
    rule: "remote-import",
    code: () => `return (await import("jsr:@std/path")).default;`,
    contained: (result) =>
      assertFailedWith(result, {
        code: "ERR_MODULE_NOT_FOUND",
        message: /Requires import access to "jsr\.io:443"/,
      }),
  },
  {
    name: "import() of a data: module that reads a host file",
    rule: "remote-import",
    code: (f) => {
      const src = `let r; try { r = await Deno.readTextFile(${
        JSON.stringify(f.secretFile)
      }); } catch (e) { r = [e.name, e.message]; } export default r;`;
      return `return (await import(${
        JSON.stringify(`data:text/javascript,${encodeURIComponent(src)}`)
      })).default;`;
    },
    // data: modules load (they need no permission) and run with the Worker's permissions: none.
    contained: (result, f) => assertCaught(result, "NotCapable", readDenied(f)),
  },
  {
    name: "import() of a blob: module that reads a host file",
    rule: "dynamic-import",
    code: (f) => {
      const src = `let r; try { r = await Deno.readTextFile(${
        JSON.stringify(f.secretFile)
      }); } catch (e) { r = [e.name, e.message]; } export default r;`;
      return `const url = URL.createObjectURL(new Blob([${
        JSON.stringify(src)
      }], { type: "text/javascript" }));
return (await import(url)).default;`;
    },
    contained: (result, f) => assertCaught(result, "NotCapable", readDenied(f)),
  },
  {
    name: "static imports of http:, data:, npm: and jsr: modules",
    rule: "remote-import",
    code: () =>
      `import a from "http://127.0.0.1:9/a.ts";
import b from "data:text/javascript,export default 1";
import c from "npm:zod";
import d from "jsr:@std/path";
return [a, b, c, d];`,
    contained: (result) =>
      assertFailedWith(result, {
        name: "SyntaxError",
        code: "syntax_error",
        message:
          /cannot import "http:\/\/127\.0\.0\.1:9\/a\.ts": agent code may import only from "servers\/\.\.\."/,
      }),
  },
  {
    name: "eval of code that reads a host file",
    rule: "eval",
    code: (f) =>
      `return eval(${JSON.stringify(`Deno.readTextFileSync(${JSON.stringify(f.secretFile)})`)});`,
    contained: (result, f) => assertNotCapable(result, readDenied(f)),
  },
  {
    name: "an indirect eval through globalThis",
    rule: "eval",
    code: (f) =>
      `const e = globalThis["ev" + "al"];\nreturn e(${
        JSON.stringify(`Deno.readTextFileSync(${JSON.stringify(f.secretFile)})`)
      });`,
    contained: (result, f) => assertNotCapable(result, readDenied(f)),
  },
  {
    name: "new Function",
    rule: "function-constructor",
    code: (f) =>
      `return await new Function(${
        JSON.stringify(`return Deno.readTextFile(${JSON.stringify(f.secretFile)})`)
      })();`,
    contained: (result, f) => assertNotCapable(result, readDenied(f)),
  },
  {
    name: "the AsyncFunction constructor through a .constructor chain",
    rule: "function-constructor",
    code: (f) =>
      `const AsyncFunction = (async () => {}).constructor;
return await AsyncFunction(${
        JSON.stringify(`return await Deno.readTextFile(${JSON.stringify(f.secretFile)})`)
      })();`,
    contained: (result, f) => assertNotCapable(result, readDenied(f)),
  },
  {
    name: "Deno's internals (Deno[Symbol.for('Deno.internal')], Deno.core, __bootstrap)",
    rule: "deno-internals",
    code: () =>
      `return [typeof Deno[Symbol.for("Deno.internal")], typeof Deno.core, typeof globalThis.__bootstrap];`,
    // None of them is reachable from a Worker.
    contained: (result) => assert.deepEqual(result.data, ["undefined", "undefined", "undefined"]),
  },
  {
    name: "WebAssembly",
    rule: "webassembly",
    code: () =>
      `const { instance } = await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
return Object.keys(instance.exports);`,
    // WebAssembly runs, with no imports from the host: nothing to contain beyond CPU and memory.
    contained: (result) => assert.deepEqual(result.data, []),
  },
];

Deno.test("escape suite: processes, FFI, permissions, Workers, remote code and eval", async (t) => {
  await using screened = await startFixture();
  await using open = await startFixture({ orchestrator: { blockerPolicy: SCREEN_OFF } });
  for (const c of CASES) {
    await t.step(`${c.name}: the blocker refuses it (rule "${c.rule}")`, async () => {
      assertBlocked(await screened.run(c.code(screened)), c.rule);
      await screened.probe();
    });
    await t.step(`${c.name}: with the screen off, the sandbox contains it`, async () => {
      c.contained(await open.run(c.code(open)), open);
      await open.probe();
    });
  }
});

Deno.test("escape suite: agent code that exits or closes its Worker ends only its task", async (t) => {
  await using f = await startFixture();
  await t.step("Deno.exit(3)", async () => {
    assertFailedWith(await f.run(`Deno.exit(3);`), {
      name: "ExitError",
      code: "exit",
      message: /^Agent code exited with code 3$/,
    });
    await f.probe();
  });
  await t.step("close()", async () => {
    const result = await f.run(`close();\nawait new Promise(() => {});`);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    await f.probe();
  });
  await t.step("reading stdin gets end of file at once (the process's stdin is null)", async () => {
    const result = await f.run(`return Deno.stdin.readSync(new Uint8Array(16));`);
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, null);
    await f.probe();
  });
  await t.step("an error thrown later from a timer", async () => {
    assertFailedWith(
      await f.run(
        `setTimeout(() => { throw new Error("late"); }, 10);\nawait new Promise(() => {});`,
      ),
      { name: "Error", message: /^late$/ },
    );
    await f.probe();
  });
});

Deno.test("escape suite: nothing carries over from one task to the next (maxTasksPerProcess 1: one process per task)", async () => {
  await using f = await startFixture({ orchestrator: { maxTasksPerProcess: 1 } });
  const first = await f.run(`globalThis.leftBehind = "from task A";
Object.prototype.polluted = "from task A";
return Deno.pid;`);
  const second = await f.run(
    `return [Deno.pid, typeof globalThis.leftBehind, typeof ({}).polluted];`,
  );
  const [pid, left, polluted] = second.data as [number, string, string];
  assert.notEqual(pid, first.data, "a fresh process");
  assert.equal(left, "undefined");
  assert.equal(polluted, "undefined");
});

Deno.test("escape suite: known gaps of the screen (computed global keys pass with a warning) are contained", async (t) => {
  await using f = await startFixture();
  await t.step("eval reached through a key computed at run time", async () => {
    const result = await f.run(`const key = [..."lave"].reverse().join("");
const run = globalThis[key];
return run(${JSON.stringify(`Deno.readTextFileSync(${JSON.stringify(f.secretFile)})`)});`);
    assert.ok(
      result.warnings?.some((w) => w.startsWith("dynamic-global")),
      JSON.stringify(result.warnings),
    );
    assertNotCapable(result, readDenied(f));
    await f.probe();
  });
  await t.step(
    "Worker looked for by scanning the global object's descriptors: there is none",
    async () => {
      const result = await f.run(`const d = Object.getOwnPropertyDescriptors(globalThis);
const k = Object.keys(d).find((k) => k.length === 6 && k.startsWith("Wor"));
const key = [..."rekroW"].reverse().join("");
return [k === undefined, typeof globalThis[key], key in self];`);
      assert.deepEqual(result.data, [true, "undefined", false], JSON.stringify(result.error));
      await f.probe();
    },
  );
});
