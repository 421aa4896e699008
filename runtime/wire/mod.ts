/**
 * What both sides of the sandbox boundary share: the message shapes the host and a sandbox process exchange, the
 * error type that crosses it (`ToolError`, with `toWireError()`/`fromWire()`), the line framing of the control
 * socket, and the text cleaning both sides apply to stacks and logs.
 *
 * The host (`../sandbox/`, `../orchestrator/`, `../connections/`) and the in-sandbox runtime (`../sandbox_runtime/`)
 * import these from here. This folder imports nothing outside itself and no npm package, so the sandbox can load it.
 *
 * @module
 */

export type {
  BootstrapConfig,
  Bridge,
  CallMessage,
  CallResultMessage,
  CatalogEntry,
  CatalogMessage,
  DoneMessage,
  HostMessage,
  LogMessage,
  ProgressMessage,
  ReadyMessage,
  RecycleMessage,
  RunMessage,
  SandboxMessage,
  ServerBinding,
  WorkerPermissions,
} from "./protocol.ts";
export { BRIDGE_SYMBOL_KEY } from "./protocol.ts";
export {
  fromWire,
  ToolError,
  type ToolErrorCode,
  toWireError,
  type WireError,
} from "./wire_error.ts";
export {
  type ByteReader,
  type ByteWriter,
  LineWriter,
  readLines,
  type ReadLinesOptions,
} from "./line_channel.ts";
export { cleanText, type CleanTextOptions, stripControls } from "./clean_text.ts";
export type { PythonInit, PythonTask } from "./python.ts";
