/**
 * Python agent code inside the sandbox Worker: loads Pyodide (from the host's memory snapshot when there is one),
 * writes the bound servers' generated `__init__.py` modules into the interpreter's in-memory file system, mounts the
 * task's granted folders, and runs the code as a module body with top-level `await`.
 *
 * The interpreter lives in the task's Worker, so everything it does goes through that Worker's permission set: the
 * files it opens (a mounted folder reads through Deno's `node:fs`, which checks them), the network, the
 * environment. Tool calls go through the same bridge functions as TypeScript's, and the host checks every message.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

import { PRELUDE_PY, SERVERS_INIT_PY } from "./_prelude.ts";
import type { PythonInit, PythonTask } from "../../wire/mod.ts";

export type { PythonInit, PythonTask };

/** The bridge functions the runner hands to Python (the Worker's own). */
export interface PythonHandlers {
  callTool(server: string, tool: string, args: unknown): Promise<unknown>;
  log(level: "log" | "error", text: string): void;
  progress(done: unknown, total?: unknown, message?: unknown): void;
}

interface PyProxy {
  destroy(): void;
}

interface PyModule extends PyProxy {
  [name: string]: unknown;
  run(source: string, namespace: PyProxy, maxBytes: number): Promise<string>;
  import_module(name: string): PyProxy;
}

interface Pyodide {
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string): void;
    chdir(path: string): void;
    analyzePath(path: string): { exists: boolean };
  };
  registerJsModule(name: string, module: object): void;
  pyimport(name: string): PyModule;
  globals: { get(name: string): unknown };
  toPy(value: unknown): PyProxy;
  mountNodeFS(emscriptenPath: string, hostPath: string): void;
  runPython(code: string): unknown;
}

interface CatalogGlobal {
  search(query: unknown, options: { limit?: unknown; server?: unknown }): Promise<unknown>;
  list(server?: unknown): Promise<unknown>;
}

type LoadPyodide = (options: Record<string, unknown>) => Promise<Pyodide>;

let loading: Promise<Pyodide> | undefined;
let handlers: PythonHandlers | undefined;

/**
 * Starts loading the interpreter (once); the Worker calls it at init when its process serves Python, so that a
 * pooled process holds a ready interpreter.
 *
 * @param init Where Pyodide and its snapshot are.
 * @returns Resolves when the interpreter is ready.
 */
export function loadPython(init: PythonInit): Promise<void> {
  loading ??= startInterpreter(init);
  return loading.then(() => {});
}

/**
 * Runs one Python task. Resolves to its result as JSON data; rejects with an Error whose name, code, server, tool
 * and stack describe the Python exception (a `ToolError` keeps its code, server and tool).
 *
 * @param message The `run` message: the agent's Python code, its servers, mounts and working folder, and the
 *   largest message the host accepts (a larger result fails in Python, before it is copied out).
 * @param bridge The Worker's bridge functions.
 * @returns The value of the code's last expression, as JSON data.
 */
export async function runPython(
  message: { source: string; python?: PythonTask; maxMessageBytes: number },
  bridge: PythonHandlers,
): Promise<unknown> {
  const { source, maxMessageBytes } = message;
  const task: PythonTask = message.python ?? { servers: [], mounts: [] };
  if (loading === undefined) {
    throw new Error("Cannot run Python: this sandbox process was not started for Python tasks");
  }
  handlers = bridge;
  const py = await loading;
  for (const path of task.mounts) {
    if (py.FS.analyzePath(path).exists) continue;
    py.FS.mkdirTree(path);
    py.mountNodeFS(path, path);
  }
  if (task.cwd !== undefined) py.FS.chdir(task.cwd);
  const namespace = py.toPy({ __name__: "__main__" }) as PyProxy & {
    set(key: string, value: unknown): void;
  };
  py.FS.mkdirTree("/mcpx/servers");
  py.FS.writeFile("/mcpx/servers/__init__.py", SERVERS_INIT_PY);
  for (const server of task.servers) {
    const text = await Deno.readTextFile(`${server.dir}/__init__.py`).catch((error) => {
      throw new Error(
        `Cannot load the Python module of server "${server.identifier}": ${(error as Error).name}`,
      );
    });
    py.FS.mkdirTree(`/mcpx/servers/${server.identifier}`);
    py.FS.writeFile(`/mcpx/servers/${server.identifier}/__init__.py`, text);
  }
  py.FS.mkdirTree("/mcpx/skills");
  py.FS.writeFile(
    "/mcpx/skills/__init__.py",
    '"""Saved Python skills: from skills.<name> import run."""\n',
  );
  for (const [module, skillSource] of Object.entries(task.skills ?? {})) {
    const name = JSON.stringify(module.replaceAll("_", "-"));
    py.FS.mkdirTree(`/mcpx/skills/${module}`);
    py.FS.writeFile(
      `/mcpx/skills/${module}/__init__.py`,
      `from _mcpx import skill_function\n\nrun = skill_function(${name}, ${
        JSON.stringify(skillSource)
      })\n`,
    );
  }
  const mcpx = py.pyimport("_mcpx");
  const builtins = py.pyimport("builtins");
  for (const name of ["ToolError", "progress", "tools"]) builtins[name] = mcpx[name];
  const importlib = py.pyimport("importlib");
  const bound = py.toPy({}) as PyProxy & { set(key: string, value: unknown): void };
  for (const server of task.servers) {
    const module = importlib.import_module(`servers.${server.identifier}`);
    namespace.set(server.identifier, module);
    bound.set(server.identifier, module);
  }
  (mcpx.bind_servers as (namespaces: PyProxy) => void)(bound);
  bound.destroy();
  const text = String(await mcpx.run(source, namespace, maxMessageBytes));
  namespace.destroy();
  const answer = JSON.parse(text) as {
    ok: boolean;
    value?: unknown;
    error?: Record<string, string>;
  };
  if (answer.ok) return answer.value;
  throw toJsError(answer.error ?? {});
}

async function startInterpreter(init: PythonInit): Promise<Pyodide> {
  const dir = init.pyodideDir.replace(/\/+$/, "");
  // A computed specifier: checked against this Worker's own read permission (the pyodide folder).
  const url = new URL(`file://${encodeURI(dir)}/pyodide.mjs`).href;
  const { loadPyodide } = await import(url) as { loadPyodide: LoadPyodide };
  const options: Record<string, unknown> = {
    indexURL: `${dir}/`,
    stdout: (text: string) => handlers?.log("log", text),
    stderr: (text: string) => handlers?.log("error", text),
  };
  if (init.snapshotPath !== undefined) {
    options._loadSnapshot = await Deno.readFile(init.snapshotPath);
  }
  const py = await loadPyodide(options);
  py.registerJsModule("_mcpx_js", {
    call: (server: string, tool: string, argsJson: string) =>
      envelope(() => handlers!.callTool(server, tool, JSON.parse(argsJson))),
    // Through the \`tools\` global, which checks the fields as it does for TypeScript.
    catalog: (op: "search" | "list", fieldsJson: string) =>
      envelope(() => {
        const fields = JSON.parse(fieldsJson) as {
          query?: unknown;
          limit?: unknown;
          server?: unknown;
        };
        const catalog = (globalThis as unknown as { tools: CatalogGlobal }).tools;
        return op === "search"
          ? catalog.search(fields.query, { limit: fields.limit, server: fields.server })
          : catalog.list(fields.server);
      }),
    log: (level: "log" | "error", text: string) => handlers?.log(level, String(text)),
    progress: (done: unknown, total: unknown, message: unknown) =>
      handlers?.progress(done, total ?? undefined, message ?? undefined),
  });
  py.FS.mkdirTree("/mcpx");
  py.FS.writeFile("/mcpx/_mcpx.py", PRELUDE_PY);
  py.runPython("import sys\nsys.path.insert(0, '/mcpx')\nimport _mcpx");
  return py;
}

/** Runs a bridge call and answers JSON text: `{ ok, value }` or `{ ok: false, error }`, never a rejection. */
async function envelope(call: () => Promise<unknown>): Promise<string> {
  try {
    const value = await call();
    return JSON.stringify({ ok: true, value: value ?? null });
  } catch (error) {
    const e = error as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
      server?: unknown;
      tool?: unknown;
    };
    return JSON.stringify({
      ok: false,
      error: {
        name: String(e.name ?? "Error"),
        message: String(e.message ?? error),
        code: typeof e.code === "string" ? e.code : undefined,
        server: typeof e.server === "string" ? e.server : undefined,
        tool: typeof e.tool === "string" ? e.tool : undefined,
      },
    });
  }
}

/** A JavaScript Error carrying the Python exception's wire fields. */
function toJsError(wire: Record<string, string>): Error {
  const out = new Error(wire.message ?? "");
  out.name = wire.name ?? "Error";
  out.stack = wire.stack ?? "";
  return Object.assign(out, {
    code: wire.code ?? "agent_error",
    ...(wire.server === undefined ? {} : { server: wire.server }),
    ...(wire.tool === undefined ? {} : { tool: wire.tool }),
  });
}
