/**
 * A real cluster for tests: replicas of `cli/serve.ts --http` on one fresh PostgreSQL database and one shared
 * `sessions.dir`, behind a real HAProxy running `deploy/haproxy.cfg`. Without `MCPX_TEST_PG_URL` or
 * `/usr/sbin/haproxy` the tests that use it report themselves ignored.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { Client, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, type HttpDaemon, httpDaemon } from "../daemon/_daemon.ts";
import { freePort } from "../helpers/servers.ts";
import { freshDatabase, PG_URL } from "../helpers/postgres.ts";

/** HAProxy as Debian installs it. */
export const HAPROXY = "/usr/sbin/haproxy";
/** True when the cluster tests cannot run here (no PostgreSQL to test on, or no HAProxy). */
export const CLUSTER_IGNORE = PG_URL === undefined || !existsSync(HAPROXY);
/** The config the tests run, as shipped. */
export const HAPROXY_CFG = fileURLToPath(new URL("../../deploy/haproxy.cfg", import.meta.url));

/** Tokens of the token file: two people and the load balancer's health check. */
export const TOKENS = { alice: "a".repeat(40), bob: "b".repeat(40), haproxy: "h".repeat(40) };

/** A running cluster; disposing stops HAProxy and every replica and drops the database. */
export interface Cluster extends AsyncDisposable {
  /** The MCP endpoint through HAProxy. */
  url: URL;
  /** The replicas, by index; `undefined` while one is stopped. */
  replicas: (HttpDaemon | undefined)[];
  /** Each replica's id (`r1`, `r2`). */
  ids: string[];
  /** Starts replica `i` again on its port. */
  start(i: number): Promise<void>;
  /** Stops replica `i` with `signal`, waits for its exit and returns its log. */
  stop(i: number, signal: Deno.Signal): Promise<string>;
  /** The replica id holding a session, from the database. */
  owner(sessionId: string): Promise<string | undefined>;
  /** The server-memory file every replica's memory server writes. */
  memoryFile: string;
  /** The audit lines in the database, parsed, in `seq` order. */
  auditLines(): Promise<Record<string, unknown>[]>;
  /** A client of the replicas' database. */
  sql: postgres.Sql;
}

/**
 * Starts the replicas and HAProxy, and waits until HAProxy answers through them.
 *
 * @param options `replicas` (default 2), `leaseMs` (default 1500), `pii` (turn privacy on; default off), more
 *   `sessions` settings (the benchmark raises `maxPerPrincipal`).
 * @returns The cluster.
 */
export async function startCluster(
  options: {
    replicas?: number;
    leaseMs?: number;
    pii?: boolean;
    sessions?: Record<string, unknown>;
  } = {},
): Promise<Cluster> {
  const count = options.replicas ?? 2;
  const db = await freshDatabase();
  const shared = await Deno.makeTempDir({ prefix: "mcpx-cluster-sessions-" });
  const dir = await daemonDir({
    state: { url: db.url, leaseMs: options.leaseMs ?? 1_500 },
    sessions: { ...options.sessions, dir: shared },
    ...(options.pii ? { pii: { enabled: true } } : {}),
  });
  const tokenFile = join(dir.dir, "tokens");
  await Deno.writeTextFile(
    tokenFile,
    `alice ${TOKENS.alice}\nbob ${TOKENS.bob}\nhaproxy ${TOKENS.haproxy} mcpx:admin\n`,
  );
  // One key for every replica: sign-ins and PII vaults are encrypted with it, and each replica reads the others'.
  const stateKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const ports = Array.from({ length: count }, () => freePort());
  const ids = ports.map((_, i) => `r${i + 1}`);
  const replicas: (HttpDaemon | undefined)[] = [];
  const logs: string[] = [];
  const start = async (i: number) => {
    replicas[i] = await httpDaemon(dir.config, {
      port: ports[i]!,
      token: TOKENS.haproxy,
      noAuth: false,
      args: ["--token-file", tokenFile, "--drain-timeout", "5000"],
      env: { MCPX_REPLICA_ID: ids[i]!, MCPX_STATE_KEY: stateKey },
    });
  };
  const stop = async (i: number, signal: Deno.Signal) => {
    const replica = replicas[i];
    if (replica === undefined) return "";
    replicas[i] = undefined;
    try {
      replica.process.kill(signal);
    } catch {
      // Gone already.
    }
    await replica.process.status;
    const log = await replica.output;
    logs.push(log);
    return log;
  };
  const lbPort = freePort();
  let haproxy: Deno.ChildProcess | undefined;
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await Promise.all(ports.map((_, i) => start(i)));
    haproxy = new Deno.Command(HAPROXY, {
      args: ["-db", "-f", HAPROXY_CFG],
      env: {
        MCPX_LB_BIND: `127.0.0.1:${lbPort}`,
        MCPX_REPLICA_1: `127.0.0.1:${ports[0]}`,
        MCPX_REPLICA_2: `127.0.0.1:${ports[1] ?? ports[0]}`,
        MCPX_HEALTH_TOKEN: TOKENS.haproxy,
      },
      stdin: "null",
      stdout: "null",
      stderr: Deno.env.get("MCPX_TEST_HAPROXY_LOG") ? "inherit" : "null",
    }).spawn();
    const deadline = Date.now() + 20_000;
    while (true) {
      try {
        const response = await fetch(`http://127.0.0.1:${lbPort}/healthz`, {
          headers: { authorization: `Bearer ${TOKENS.haproxy}` },
        });
        await response.body?.cancel();
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error("Cannot start the cluster: HAProxy does not answer");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    haproxy?.kill("SIGKILL");
    await haproxy?.status;
    await Promise.all(ports.map((_, i) => stop(i, "SIGKILL")));
    await sql.end();
    await db[Symbol.asyncDispose]();
    await dir[Symbol.asyncDispose]();
    throw error;
  }
  return {
    url: new URL(`http://127.0.0.1:${lbPort}/mcp`),
    replicas,
    ids,
    start,
    stop,
    memoryFile: join(dir.dir, "memory.jsonl"),
    sql,
    async owner(sessionId) {
      const rows = await sql<
        { owner: string }[]
      >`SELECT owner FROM mcpx_sessions WHERE id = ${sessionId}`;
      return rows[0]?.owner;
    },
    async auditLines() {
      const rows = await sql<{ line: string }[]>`SELECT line FROM mcpx_audit ORDER BY seq`;
      return rows.map((row) => JSON.parse(row.line));
    },
    async [Symbol.asyncDispose]() {
      haproxy?.kill("SIGTERM");
      await haproxy?.status;
      await Promise.all(ports.map((_, i) => stop(i, "SIGTERM")));
      await sql.end();
      await db[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
      await Deno.remove(shared, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * An SDK client through the cluster's HAProxy, as one principal.
 *
 * @param url The MCP endpoint.
 * @param token The principal's bearer token.
 * @returns The client and its transport; disposing closes it.
 */
export async function clusterClient(
  url: URL,
  token: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport } & AsyncDisposable> {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "cluster-test", version: "1.0.0" });
  client.onerror = () => {}; // the GET event stream breaks when its replica dies; calls say what they need
  await client.connect(transport);
  return {
    client,
    transport,
    async [Symbol.asyncDispose]() {
      await client.close().catch(() => {});
    },
  };
}

/** The `data` of an `execute_code` result, or throws with its text when it is an error. */
export function resultData(result: unknown): unknown {
  const r = result as {
    isError?: boolean;
    structuredContent?: { data: unknown };
    content?: { text?: string }[];
  };
  if (r.isError) throw new Error(`execute_code failed: ${r.content?.map((c) => c.text).join(" ")}`);
  return r.structuredContent?.data;
}

/**
 * Tasks running or waiting on one replica, from its `GET /healthz`.
 *
 * @param base The replica's origin.
 * @param token A bearer token that may read it (none for a daemon started with `--no-auth`).
 * @returns `queue.running + queue.waiting`.
 */
export async function queuedTasks(base: string, token?: string): Promise<number> {
  const response = await fetch(`${base}/healthz`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const health = await response.json();
  return health.queue.running + health.queue.waiting;
}

/**
 * Polls `check` every 50 ms until it holds; fails with `message` once `ms` have passed.
 *
 * @param check What must come true.
 * @param message The assertion's message when it does not.
 * @param ms How long to wait. Default 10 s.
 */
export async function waitFor(
  check: () => Promise<boolean>,
  message: string,
  ms = 10_000,
): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check());) {
    assert.ok(Date.now() < deadline, message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The headers of a raw request in a client's session, as its transport sends them: the session id, the negotiated
 * protocol version and, with `token`, the bearer token.
 *
 * @param transport The connected client's transport.
 * @param token The principal's bearer token, when the daemon asks for one.
 * @returns The headers.
 */
export function sessionHeaders(
  transport: StreamableHTTPClientTransport,
  token?: string,
): Record<string, string> {
  return {
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-session-id": transport.sessionId!,
    "mcp-protocol-version": transport.protocolVersion ?? "2025-06-18",
  };
}

/**
 * Posts a `tools/call` of `execute_code` that would run ten minutes, as a raw request with `headers` (its
 * session's), so that a test can cancel it from elsewhere.
 *
 * @param url The MCP endpoint to post to.
 * @param headers The request's headers (authorization, session id, protocol version).
 * @param id The JSON-RPC id, for the cancel to name.
 * @returns `stop()` aborts the request and waits for it to settle.
 */
export function startLongTask(
  url: URL | string,
  headers: Record<string, string>,
  id: number,
): { stop(): Promise<void> } {
  const abort = new AbortController();
  const call = fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name: "execute_code",
        arguments: { code: "await new Promise((r) => setTimeout(r, 600_000));" },
      },
    }),
    signal: abort.signal,
  }).then((r) => r.text()).catch(() => "");
  return {
    async stop() {
      abort.abort();
      await call;
    },
  };
}

/**
 * Sends a session's `DELETE` to one replica and checks that it ends the session on the replica that holds it: the
 * store drops the session's record, and the holder then answers 404 for it.
 *
 * @param cluster The cluster.
 * @param via The MCP endpoint of the replica the `DELETE` goes to.
 * @param holder The MCP endpoint of the replica that holds the session.
 * @param sessionId The session.
 * @param headers The session's headers (authorization, session id, protocol version).
 * @param message What the wait for the record to go says when it times out.
 */
export async function deleteThrough(
  cluster: Cluster,
  via: URL | string,
  holder: URL | string,
  sessionId: string,
  headers: Record<string, string>,
  message: string,
): Promise<void> {
  const deleted = await fetch(via, { method: "DELETE", headers });
  assert.equal(deleted.status, 200);
  await deleted.body?.cancel();
  await waitFor(async () => (await cluster.owner(sessionId)) === undefined, message);
  const gone = await fetch(holder, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 9_999, method: "ping" }),
  });
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
}
