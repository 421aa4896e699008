/**
 * The in-sandbox runtime: the code a sandbox process runs. `bootstrap.ts` is the process's main module (started by
 * `../sandbox/sandbox_command.ts` as a file on disk, never imported by the host); it starts `worker.ts`, the Worker
 * that runs agent code with the task's own permissions and installs the agent's globals.
 *
 * Everything here imports only its own folder and `../wire/` (the message shapes and error type both sides share),
 * no host code and no npm package; `tests/layout_test.ts` and `../sandbox/sandbox_process_test.ts` check that.
 *
 * @module
 */

export { WORKER_FAILED_EXIT_CODE } from "./bootstrap.ts";
export { formatLogArgs, installConsole, type LogLevel, type LogSink } from "./console_capture.ts";
export { toJsonSafe } from "./json_safe.ts";
