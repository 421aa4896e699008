/**
 * The state store `mcpx serve` opens, and the session leases of a replica on it.
 *
 * @module
 */

import { type DaemonConfig, resolveConfigPath, SessionLeases } from "../runtime/daemon/mod.ts";
import {
  FileStateStore,
  PostgresStateStore,
  StateCipher,
  type StateStore,
} from "../runtime/state/mod.ts";

/**
 * The state store: PostgreSQL when a URL is set (the audit trail goes to its table; sign-ins are kept there,
 * encrypted with the key of `state.keyFile` or `MCPX_STATE_KEY`, refused when neither is set), else files when
 * `audit.file` is set, else none.
 *
 * @param daemonConfig The daemon config.
 * @param url The PostgreSQL URL (`state.url` or `MCPX_STATE_URL`), if any.
 * @returns The store, or `undefined`.
 */
export async function openStore(
  daemonConfig: DaemonConfig,
  url: string | undefined,
): Promise<StateStore | undefined> {
  if (url !== undefined) {
    const keyFile = daemonConfig.state?.keyFile;
    const cipher = await StateCipher.load(
      keyFile === undefined ? {} : { keyFile: resolveConfigPath(daemonConfig, keyFile) },
    );
    const store = await PostgresStateStore.open(url, { cipher });
    console.error(
      `mcp-executor: state in PostgreSQL; the audit trail goes to ${store.audit.where}, sign-ins, PII vaults ` +
        "and pending approvals are shared there, encrypted" +
        (daemonConfig.audit === undefined ? "" : " (audit.file is not used)"),
    );
    return store;
  }
  if (daemonConfig.audit === undefined) return undefined;
  return new FileStateStore({
    audit: {
      ...daemonConfig.audit,
      file: resolveConfigPath(daemonConfig, daemonConfig.audit.file),
    },
  });
}

/**
 * This replica's session leases on the shared store, with `state.leaseMs`, `state.forwardTimeoutMs` and the address
 * other replicas forward to (`state.advertiseUrl`, else the listener's).
 *
 * @param daemonConfig The daemon config.
 * @param store The shared store.
 * @param replica This replica's id and advertised address.
 * @returns The leases.
 */
export function sessionLeases(
  daemonConfig: DaemonConfig,
  store: StateStore,
  replica: { replica: string; advertiseUrl: string | undefined },
): SessionLeases {
  const state = daemonConfig.state ?? {};
  return new SessionLeases({
    records: store.sessions,
    ...(store.events === undefined ? {} : { events: store.events }),
    replica: replica.replica,
    ...(state.leaseMs === undefined ? {} : { leaseMs: state.leaseMs }),
    health: (options) => store.health(options),
    ...(replica.advertiseUrl === undefined ? {} : { url: replica.advertiseUrl }),
    ...(state.forwardTimeoutMs === undefined ? {} : { forwardTimeoutMs: state.forwardTimeoutMs }),
    ...(store instanceof PostgresStateStore ? { cancels: store.cancels } : {}),
  });
}
