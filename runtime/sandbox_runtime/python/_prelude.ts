/**
 * The Python side of the bridge, as source text that the Python runner writes into the interpreter's own (in-memory)
 * file system as the module `_mcpx`. Kept in a TypeScript string because the Worker cannot read the sandbox
 * runtime's folder: its own permission set does not cover it.
 *
 * `_mcpx` turns the JavaScript bridge functions (registered as the module `_mcpx_js`) into Python: `call_tool`
 * sends JSON text and gets back a JSON envelope, so no JavaScript error or object crosses into Python; a failed call
 * raises {@linkcode PRELUDE_PY | ToolError}. `run` executes the agent's module body with top-level `await` and
 * returns the JSON text of its last expression. Nothing here is a boundary: agent code can reach `js` and
 * `_mcpx_js` itself, and the host checks every message either way.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

/** The source of the `_mcpx` Python module. */
export const PRELUDE_PY = String.raw`
import ast
import json
import logging
import sys
import traceback

import _mcpx_js
from pyodide.code import eval_code_async

__all__ = ["ToolError", "UNSET", "call_tool", "progress", "tools", "run_skill", "skill_function"]

_servers = {}


class _Unset:
    """Marks a keyword argument the caller did not pass (it is left out of the tool's arguments)."""

    def __repr__(self):
        return "UNSET"


UNSET = _Unset()

MAX_MESSAGE_CHARS = 65536


class ToolError(Exception):
    """A tool call failed: the server's error, a refused call, a limit. code, server and tool say which."""

    def __init__(self, message, code="tool_failed", server=None, tool=None):
        super().__init__(message)
        self.code = code
        self.server = server
        self.tool = tool


def _json(value, action):
    try:
        return json.dumps(value, allow_nan=False, default=_default)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{action}: {error}") from None


def _default(value):
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"values of type {type(value).__name__} are not JSON data")


def _unwrap(envelope):
    answer = json.loads(envelope)
    if answer.get("ok"):
        return answer.get("value")
    error = answer.get("error") or {}
    name = error.get("name", "Error")
    message = error.get("message", "")
    if name == "ToolError":
        raise ToolError(message, error.get("code", "tool_failed"), error.get("server"), error.get("tool"))
    if name == "RangeError":
        raise ValueError(message)
    if name == "TypeError":
        raise TypeError(message)
    raise RuntimeError(message)


async def call_tool(server, tool, args=None):
    """Calls tool of server through the host and returns its unwrapped result as Python data."""
    payload = {} if args is None else {k: v for k, v in args.items() if v is not UNSET}
    text = _json(payload, f'Cannot call tool "{tool}": invalid arguments')
    return _unwrap(await _mcpx_js.call(server, tool, text))


def progress(done, total=None, message=None):
    """Reports progress to the caller: progress(3, 10, "reading")."""
    _mcpx_js.progress(done, total, None if message is None else str(message))


class _Tools:
    """The tool catalog: await tools.search("create issue", limit=5) and await tools.list("github")."""

    async def search(self, query, limit=None, server=None):
        fields = {"query": query}
        if limit is not None:
            fields["limit"] = limit
        if server is not None:
            fields["server"] = server
        return _unwrap(await _mcpx_js.catalog("search", json.dumps(fields)))

    async def list(self, server=None):
        return _unwrap(await _mcpx_js.catalog("list", json.dumps({} if server is None else {"server": server})))


tools = _Tools()
ToolError.__module__ = "builtins"


class _Stream:
    def __init__(self, level):
        self._level = level
        self._buffer = ""

    def write(self, text):
        self._buffer += str(text)
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            _mcpx_js.log(self._level, line)
        return len(text)

    def flush(self):
        if self._buffer:
            _mcpx_js.log(self._level, self._buffer)
            self._buffer = ""

    def isatty(self):
        return False


def _install_streams():
    sys.stdout = _Stream("log")
    sys.stderr = _Stream("error")
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s", force=True)


_RESULT_HINT = (
    "Cannot return the result: a Python task's result is the value of its last expression, and this code ends with "
    "a statement; end it with the value on a line of its own (e.g. a last line 'result')"
)


def _check_ending(source):
    """Raises when the code ends with a statement but names a variable 'result' (the TypeScript habit)."""
    tree = ast.parse(source, "task.py")
    for node in tree.body:
        if isinstance(node, ast.Return):
            error = SyntaxError(
                "'return' outside function (a Python task's result is the value of its last expression: "
                "write the value on the last line instead)",
                ("task.py", node.lineno, node.col_offset + 1, None),
            )
            raise error
    return bool(tree.body) and isinstance(tree.body[-1], ast.Expr)


def _check_size(text, max_bytes):
    if len(text) <= max_bytes // 4:
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValueError(f"Cannot return the value: it is {size} bytes as JSON, over the limit of {max_bytes} bytes")


async def run(source, namespace, max_bytes):
    """Runs source as a module body with top-level await; returns a JSON envelope: the value of its last expression
    ({"ok": true, "value": ...}) or the uncaught exception ({"ok": false, "error": ...})."""
    _install_streams()
    try:
        ends_with_expression = _check_ending(source)
        value = await eval_code_async(source, namespace, return_mode="last_expr", filename="task.py")
        if not ends_with_expression and "result" in namespace:
            raise ValueError(_RESULT_HINT)
        text = _json(value, "Cannot return the value")
        _check_size(text, max_bytes)
    except BaseException as error:  # noqa: B036 - every exception, KeyboardInterrupt too, becomes the task's error
        return '{"ok":false,"error":' + describe(error) + "}"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return '{"ok":true,"value":' + text + "}"


def bind_servers(namespaces):
    """Remembers the task's server namespaces: skills see the same ones."""
    _servers.clear()
    _servers.update(namespaces)


async def run_skill(name, source, args=None):
    """Runs a Python skill's body with args bound; returns the value of its last expression."""
    namespace = {"__name__": "skills." + name.replace("-", "_"), "args": {} if args is None else args}
    namespace.update(_servers)
    filename = f"skills/{name}/skill.py"
    return await eval_code_async(source, namespace, return_mode="last_expr", filename=filename)


def skill_function(name, source):
    """The run(args) of skills.<name>."""

    async def run(args=None):
        return await run_skill(name, source, args)

    run.__doc__ = f"Runs skill {name!r} with args (a dict); returns its result."
    return run


def describe(error):
    """The JSON text of an uncaught exception, as the host's wire error (traceback without this module's frames)."""
    sys.stdout.flush()
    sys.stderr.flush()
    frames = [
        f for f in traceback.extract_tb(error.__traceback__)
        if f.filename == "task.py" or (f.filename.startswith("skills/") and f.filename.endswith("/skill.py"))
    ]
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    message = str(error)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + f"... ({len(message) - MAX_MESSAGE_CHARS} more characters cut)"
    stack = "".join(lines)
    if len(stack) > 4 * MAX_MESSAGE_CHARS:
        stack = stack[: 4 * MAX_MESSAGE_CHARS]
    wire = {"name": type(error).__name__, "message": message, "stack": stack, "code": "agent_error"}
    if isinstance(error, ToolError):
        wire["code"] = str(error.code)
        if error.server is not None:
            wire["server"] = str(error.server)
        if error.tool is not None:
            wire["tool"] = str(error.tool)
    return json.dumps(wire)
`;

/** The `servers` package: every bound server is a subpackage written by the runner; others are not there. */
export const SERVERS_INIT_PY = String
  .raw`"""MCP servers this task may call (those of its requiredTools), one subpackage each."""
`;
