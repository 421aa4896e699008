/**
 * `deno task serve`: mcp-executor as an MCP server, over stdio (default) or Streamable HTTP (`--http`).
 *
 * Run `deno run -A cli/serve.ts --help` for the flags.
 *
 * @module
 */

import { resolve } from "node:path";
import { daemonPythonPoolSize } from "./_python_pool.ts";
import { parseArgs } from "node:util";
import { ConfigError } from "../runtime/config.ts";
import {
  advertiseUrl,
  approvalsPage,
  approvalsRoutes,
  approvalsSettings,
  claudeAddCommand,
  DAEMON_DEFAULTS,
  type DaemonConfig,
  defaultDaemonConfigPath,
  ExecutorDaemon,
  type HttpServing,
  loadDaemonConfig,
  type PendingApproval,
  replicaId,
  requireScopes,
  resolveConfigPath,
  SCOPE_ADMIN,
  serveHttp,
  serveStdio,
  stateUrl,
} from "../runtime/daemon/mod.ts";
import { PostgresStateStore, type StateStore } from "../runtime/state/mod.ts";
import { openStore, sessionLeases } from "./_serve_state.ts";
import { SharedSignInStore } from "../runtime/connections/auth/mod.ts";
import type { VaultRecord } from "../runtime/privacy/mod.ts";
import { configureLogging } from "../runtime/log.ts";
import { universalSentenceEncoder } from "../runtime/search/mod.ts";
import { bearerTokenFilePath, resolveServeAuth, type ServeAuth } from "./_serve_auth.ts";
import { recordPid, watchLauncher } from "./_daemon_lifetime.ts";

/** The text `--help` prints. */
export const HELP = `Usage: mcpx serve [flags]
       (also: deno task serve [flags], deno run -A cli/serve.ts [flags])

Runs the daemon: one MCP server that gives an agent every server of an mcp.json through code.

Flags:
  --config <path>          The mcp.json to serve (Claude Desktop/Code/Cursor format). Default: mcp.json
  --daemon-config <path>   The daemon's own settings (sessions, http). Default: mcp-executor.json beside
                           --config; a missing default file means defaults, a missing given file is an error.
  --http                   Serve Streamable HTTP instead of stdio.
  --host <address>         HTTP bind address. Default: 127.0.0.1. Any address beyond loopback needs a bearer
                           token (see --token-file) or OAuth (auth.issuer), or the daemon refuses to start.
  --port <n>               HTTP port; 0 picks a free one. Default: 8787.
  --token-file <path>      A file of bearer tokens, one "<principal> <token> [scope,scope,...]" a line (# starts
                           a comment; tokens of at least 32 characters; no scopes: mcpx:execute,mcpx:skills).
                           A token in the environment variable MCPX_TOKEN (or the one http.bearerTokenEnv names) is
                           the principal "default" with every scope. Never given as a flag value.
  --no-auth                Accept HTTP requests without a token (loopback only; warns at every start).
  --state-dir <path>       Where the generated token and the PID file are kept. Default: $MCPX_STATE_DIR, else
                           $XDG_STATE_HOME/mcp-executor, else ~/.local/state/mcp-executor.
  --drain-timeout <ms>     On SIGTERM/SIGINT (or stdin closing in stdio mode), how long running tasks may go on
                           before they are cancelled. Default: 10000.
  --log-level <level>      debug, info, warning or error; logs go to stderr. Default: info.
  --detached               Keep running when the process that started it exits (by default the daemon then
                           stops, saying so: a launcher such as npx does not pass signals on).
  -h, --help               Show this text.

With --http and no token, no auth.issuer and no --no-auth, the daemon makes a random token at first start,
keeps it in <state-dir>/http-token (mode 0600) and prints the claude mcp add line that uses it.

Stopping: SIGTERM or SIGINT (Ctrl-C) drains and stops. The daemon keeps its pid in <state-dir>/daemons/<pid>.json
while it runs; "mcpx stop" sends SIGTERM to the HTTP daemons found there, however they were started.

Endpoints with --http: POST/GET/DELETE /mcp (MCP Streamable HTTP; scope mcpx:execute, save_skill also
mcpx:skills), GET /healthz (JSON), GET /metrics (Prometheus text; scope mcpx:admin), and with auth.issuer
GET /.well-known/oauth-protected-resource[/mcp] (RFC 9728, without a token), GET /approvals and
POST /approvals/<id> (operator approvals, scope mcpx:approve, with "approvals": { "approver": "operator" }
in mcp-executor.json; a browser opening /approvals gets the approvals page). Every other request needs a token.
`;

/** Settings resolved from the flags and mcp-executor.json. */
interface Settings {
  config: string;
  daemonConfig: DaemonConfig;
  http: boolean;
  host: string;
  port: number;
  /** Who may call over HTTP (decided only with --http). */
  auth: ServeAuth | undefined;
  drainTimeoutMs: number;
  /** The PostgreSQL state store (`state.url` or `MCPX_STATE_URL`); files when unset. */
  stateUrl: string | undefined;
  /** Where the other replicas forward this one's sessions' requests (`state.advertiseUrl`). */
  advertiseUrl: string | undefined;
  /** This replica's id (`MCPX_REPLICA_ID`, `state.replicaId`, else host and pid). */
  replica: string;
}

/**
 * Runs the daemon until a signal (or, over stdio, the end of stdin), then drains and stops.
 *
 * @param args The command-line arguments.
 * @returns The exit code: 0 after a clean stop, 1 when it could not start, 2 for bad flags.
 *
 * @example
 * ```ts ignore
 * import { main } from "./serve.ts";
 * Deno.exit(await main(["--config", "mcp.json", "--http"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string", default: "mcp.json" },
        "daemon-config": { type: "string" },
        http: { type: "boolean", default: false },
        host: { type: "string" },
        port: { type: "string" },
        "token-file": { type: "string" },
        "no-auth": { type: "boolean", default: false },
        "state-dir": { type: "string" },
        "drain-timeout": { type: "string", default: "10000" },
        "log-level": { type: "string", default: "info" },
        detached: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const level = flags["log-level"];
  if (!["debug", "info", "warning", "error"].includes(level)) {
    console.error(
      `Invalid --log-level ${JSON.stringify(level)}: use debug, info, warning or error`,
    );
    return 2;
  }
  await configureLogging(level as "debug" | "info" | "warning" | "error");
  let settings: Settings;
  try {
    settings = await resolveSettings(flags);
  } catch (error) {
    console.error((error as Error).message);
    return error instanceof RangeError ? 2 : 1;
  }
  if (settings.stateUrl !== undefined) {
    await configureLogging(level as "debug" | "info" | "warning" | "error", {
      replica: settings.replica,
    });
  }
  return await run(settings, { detached: flags.detached, stateDir: flags["state-dir"] });
}

async function resolveSettings(flags: {
  config: string;
  "daemon-config"?: string | undefined;
  http: boolean;
  host?: string | undefined;
  port?: string | undefined;
  "token-file"?: string | undefined;
  "no-auth": boolean;
  "state-dir"?: string | undefined;
  "drain-timeout": string;
}): Promise<Settings> {
  const given = flags["daemon-config"];
  const daemonConfig = await loadDaemonConfig(given ?? defaultDaemonConfigPath(flags.config), {
    optional: given === undefined,
  });
  const http = daemonConfig.http ?? {};
  const port = flags.port === undefined
    ? http.port ?? DAEMON_DEFAULTS.port
    : wholeNumber("--port", flags.port);
  if (port > 65_535) throw new RangeError(`Invalid --port ${port}: the most is 65535`);
  if (flags["no-auth"] && !flags.http) {
    throw new RangeError(
      "Cannot use --no-auth without --http: over stdio there is nothing to authenticate",
    );
  }
  const host = flags.host ?? http.host ?? DAEMON_DEFAULTS.host;
  const auth = flags.http
    ? await resolveServeAuth({
      daemonConfig,
      host,
      port,
      noAuth: flags["no-auth"],
      bearerTokenFile: bearerTokenFilePath(flags["token-file"], daemonConfig),
      stateDir: flags["state-dir"],
    })
    : undefined;
  const sessions = daemonConfig.sessions ?? {};
  if (sessions.persist && sessions.dir === undefined) {
    throw new ConfigError(
      'Invalid mcp-executor.json: "sessions.persist" needs "sessions.dir", a folder that outlives the daemon',
      "invalid_config",
    );
  }
  return {
    config: flags.config,
    daemonConfig,
    http: flags.http,
    host,
    port,
    auth,
    drainTimeoutMs: wholeNumber("--drain-timeout", flags["drain-timeout"]),
    stateUrl: stateUrl(daemonConfig),
    replica: replicaId(daemonConfig.state?.replicaId),
    advertiseUrl: advertiseUrl(daemonConfig),
  };
}

async function run(
  settings: Settings,
  lifetime: { detached: boolean; stateDir: string | undefined },
): Promise<number> {
  const { daemonConfig } = settings;
  const sessions = daemonConfig.sessions ?? {};
  const http = daemonConfig.http ?? {};
  const approvals = approvalsSettings(daemonConfig);
  let store: StateStore | undefined;
  try {
    store = await openStore(daemonConfig, settings.stateUrl);
  } catch (error) {
    console.error(`mcp-executor: cannot start: ${(error as Error).message}`);
    return 1;
  }
  const daemon = new ExecutorDaemon({
    orchestrator: {
      config: settings.config,
      pythonPoolSize: daemonPythonPoolSize(),
      ...(store instanceof PostgresStateStore
        ? {
          signInStore: new SharedSignInStore(store.signIns),
          piiVaultStore: store.piiVaults<VaultRecord>(),
        }
        : {}),
      ...(sessions.dir === undefined
        ? {}
        : { sessionsDir: resolveConfigPath(daemonConfig, sessions.dir) }),
      ...(sessions.quotaMb === undefined ? {} : { sessionQuotaMb: sessions.quotaMb }),
      ...(sessions.maxQueuedTasks === undefined
        ? {}
        : { maxQueuedTasksPerSession: sessions.maxQueuedTasks }),
      ...(approvals.rules === undefined ? {} : { approvals: approvals.rules }),
      ...(daemonConfig.approvalTimeoutMs === undefined
        ? {}
        : { approvalTimeoutMs: daemonConfig.approvalTimeoutMs }),
      ...(daemonConfig.pii === undefined ? {} : { pii: daemonConfig.pii }),
      ...(daemonConfig.typecheck === undefined ? {} : { typecheck: daemonConfig.typecheck }),
      ...(daemonConfig.inferOutputTypes === false ? { inferOutputTypes: false } : {}),
      ...(daemonConfig.search?.embed === "universal-sentence-encoder"
        ? { embed: universalSentenceEncoder() }
        : {}),
      // Skills and search usage shared with the other replicas (PostgreSQL only; files keep them otherwise).
      ...(store === undefined ? {} : { state: store }),
    },
    // With a shared store, a session's folder outlives this replica: another one takes the session over.
    persistSessions: (sessions.persist ?? false) || settings.stateUrl !== undefined,
    approver: approvals.approver,
    maxPendingApprovals: approvals.maxPending,
    ...(store instanceof PostgresStateStore
      ? { approvalBus: store.approvals<PendingApproval>() }
      : {}),
    // With several replicas, each audit line names the replica that wrote it.
    ...(store === undefined ? {} : {
      audit: { chain: store.audit, replica: settings.stateUrl && settings.replica },
    }),
  });
  // With several replicas, every metric names its replica: one constant label, one value per process.
  if (settings.stateUrl !== undefined) {
    daemon.metrics.registry.setDefaultLabels({ replica: settings.replica });
  }
  const { promise: stop, resolve: requestStop } = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  const onSignal = Object.fromEntries(signals.map((s) => [s, () => requestStop(s)]));
  for (const signal of signals) Deno.addSignalListener(signal, onSignal[signal]!);
  using _launcher = lifetime.detached ? undefined : watchLauncher(requestStop);
  let pidFile: AsyncDisposable | undefined;
  let serving: HttpServing | undefined;
  try {
    await daemon.initialize();
    if (settings.http) {
      const auth = settings.auth ?? { noAuth: true };
      serving = serveHttp(daemon, {
        hostname: settings.host,
        port: settings.port,
        ...(auth.authenticate === undefined ? {} : { authenticate: auth.authenticate }),
        ...(auth.resourceMetadata === undefined ? {} : { resourceMetadata: auth.resourceMetadata }),
        allowedHosts: http.allowedHosts ?? [],
        allowedOrigins: http.allowedOrigins ?? [],
        idleTimeoutMs: sessions.idleTimeoutMs ?? DAEMON_DEFAULTS.idleTimeoutMs,
        maxSessionsPerPrincipal: sessions.maxPerPrincipal ??
          DAEMON_DEFAULTS.maxSessionsPerPrincipal,
        maxSessions: sessions.max ?? DAEMON_DEFAULTS.maxSessions,
        routes: {
          "/metrics": async (_request, principal) =>
            requireScopes(principal, [SCOPE_ADMIN], auth.resourceMetadataUrl) ??
              new Response(await daemon.metrics.render(), {
                headers: { "content-type": daemon.metrics.contentType },
              }),
          ...approvalsRoutes(daemon.operatorApprovals),
        },
        pages: { "/approvals": approvalsPage },
        ...(settings.stateUrl === undefined || store === undefined ? {} : {
          leases: sessionLeases(daemonConfig, store, settings),
        }),
      });
      const { hostname, port } = serving.addr;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      const url = `http://${host}:${port}/mcp`;
      pidFile = await recordPid(
        { mode: "http", url, config: resolve(settings.config) },
        lifetime.stateDir,
      );
      console.error(`mcp-executor: serving MCP at ${url}`);
      if (auth.noAuth) {
        console.error(
          "mcp-executor: warning: --no-auth: any program or user on this machine may call the daemon " +
            "without a token",
        );
      }
      if (auth.generated !== undefined) {
        console.error(
          `mcp-executor: bearer token ${
            auth.generated.created ? "made and kept" : "read"
          } in ${auth.generated.file}; connect Claude Code with:\n  ${
            claudeAddCommand(url, auth.generated.token)
          }`,
        );
      }
    } else {
      if (approvals.approver === "operator") {
        console.error(
          'mcp-executor: approvals.approver is "operator", but only --http serves /approvals: questions time out',
        );
      }
      pidFile = await recordPid(
        { mode: "stdio", config: resolve(settings.config) },
        lifetime.stateDir,
      );
      const { closed } = await serveStdio(daemon);
      void closed.then(() => requestStop("end of stdin"));
    }
    const reason = await stop;
    console.error(
      `mcp-executor: stopping (${reason}); running tasks have ${settings.drainTimeoutMs} ms to finish`,
    );
    // Other replicas take this one's sessions from now on; its running calls finish here.
    await serving?.handOver();
  } catch (error) {
    console.error(`mcp-executor: cannot start: ${(error as Error).message}`);
    await daemon.shutdown({ drainTimeoutMs: 0 }).catch(() => {});
    await store?.close().catch(() => {});
    return 1;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal[signal]!);
    await pidFile?.[Symbol.asyncDispose]();
  }
  await daemon.shutdown({ drainTimeoutMs: settings.drainTimeoutMs });
  await serving?.shutdown();
  await store?.close();
  return 0;
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new RangeError(`Invalid ${flag} ${JSON.stringify(value)}: expected a whole number`);
  }
  return n;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
