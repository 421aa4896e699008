import assert from "node:assert/strict";
import { sandboxCommand } from "./sandbox_command.ts";

const BASE = {
  runtimeDir: "/app/runtime/sandbox_runtime",
  socketPath: "/state/sockets/s1/c.sock",
  denoDir: "/state/deno_dir",
  heapMb: 128,
  preload: [],
};

Deno.test("sandboxCommand() starts deno with the narrow flags and only DENO_DIR and NO_COLOR", () => {
  const { args, env } = sandboxCommand({ ...BASE, permissions: { read: ["/app/servers"] } });
  assert.deepEqual(args.slice(0, 12), [
    "run",
    "--no-prompt",
    "--cached-only",
    "--no-config",
    "--no-npm",
    "--no-remote",
    "--unstable-worker-options",
    "--v8-flags=--max-old-space-size=128",
    "--allow-read=/app/runtime/sandbox_runtime,/app/runtime/wire,/app/servers,/state/sockets/s1/c.sock",
    "--allow-write=/state/sockets/s1/c.sock",
    "--allow-net=unix:/state/sockets/s1/c.sock",
    "/app/runtime/sandbox_runtime/bootstrap.ts",
  ]);
  assert.equal(args[12], "/state/sockets/s1/c.sock");
  assert.deepEqual(JSON.parse(args[13]!), {
    permissions: { read: ["/app/servers"], write: false, net: false },
    preload: [],
  });
  assert.deepEqual(env, { DENO_DIR: "/state/deno_dir", NO_COLOR: "1" });
  assert.ok(
    !args.some((arg) =>
      arg === "-A" || arg.startsWith("--allow-all") || arg.startsWith("--allow-env")
    ),
  );
});

Deno.test("sandboxCommand() widens the process flags to cover the task's own permissions", () => {
  const { args } = sandboxCommand({
    ...BASE,
    permissions: {
      read: ["/app/servers", "/data"],
      write: ["/data/out"],
      net: ["example.com", "127.0.0.1:8080"],
    },
  });
  assert.ok(
    args.includes(
      "--allow-read=/app/runtime/sandbox_runtime,/app/runtime/wire,/app/servers,/data,/state/sockets/s1/c.sock",
    ),
  );
  assert.ok(args.includes("--allow-write=/data/out,/state/sockets/s1/c.sock"));
  assert.ok(args.includes("--allow-net=example.com,127.0.0.1:8080,unix:/state/sockets/s1/c.sock"));
  assert.deepEqual(JSON.parse(args.at(-1)!).permissions, {
    read: ["/app/servers", "/data"],
    write: ["/data/out"],
    net: ["example.com", "127.0.0.1:8080"],
  });
});

Deno.test("sandboxCommand() refuses paths and hosts that could widen a flag", async (t) => {
  const cases: Array<[string, object]> = [
    ["relative path", { read: ["data"] }],
    ["comma in a path", { read: ["/data,/etc"] }],
    ["newline in a path", { write: ["/data\n"] }],
    ["comma in a host", { net: ["a.com,b.com"] }],
    ["flag-like host", { net: ["--allow-all"] }],
  ];
  for (const [name, permissions] of cases) {
    await t.step(name, () => {
      assert.throws(() => sandboxCommand({ ...BASE, permissions }), TypeError);
    });
  }
  assert.throws(() => sandboxCommand({ ...BASE, heapMb: 1, permissions: {} }), RangeError);
});
