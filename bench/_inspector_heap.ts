/**
 * Reads another Deno process's V8 heap through its inspector (started with `--inspect=127.0.0.1:<port>`): a full
 * garbage collection first, then the heap in use. Tells a leak (heap that stays after GC) from memory V8 or the
 * allocator keep in reserve (RSS that grows while the heap does not).
 *
 * @module
 */

/**
 * Collects garbage in the inspected process and returns its heap in use afterwards.
 *
 * @param port The inspector's port.
 * @returns The used heap in bytes after a full GC.
 * @throws {Error} When the inspector does not answer within 30 s.
 *
 * @example
 * ```ts ignore
 * // A process started as `deno run --inspect=127.0.0.1:9230 -A cli/serve.ts --http`:
 * const bytes = await heapAfterGc(9230);
 * ```
 */
export async function heapAfterGc(port: number): Promise<number> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  const answers = new Map<number, (result: Record<string, unknown>) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (typeof message.id === "number") answers.get(message.id)?.(message.result ?? {});
  };
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 0;
  const send = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      answers.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
    });
  const timer = setTimeout(() => socket.close(), 30_000);
  try {
    await send("HeapProfiler.collectGarbage");
    const usage = await send("Runtime.getHeapUsage");
    if (typeof usage.usedSize !== "number") {
      throw new Error("The inspector did not report the heap");
    }
    return usage.usedSize;
  } finally {
    clearTimeout(timer);
    socket.close();
    await new Promise((r) => setTimeout(r, 50));
  }
}
