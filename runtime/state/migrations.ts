/**
 * The PostgreSQL schema as versioned migrations, applied at start: each in its own transaction, under an advisory
 * lock, recorded in `mcpx_schema_migrations`, so two replicas starting at once apply each migration once.
 *
 * @module
 */

import type { Sql } from "postgres";

/**
 * One schema change. Versions only grow; a shipped migration is never edited, a new one is added.
 *
 * @example
 * ```ts
 * import { MIGRATIONS, type Migration } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const first: Migration = MIGRATIONS[0]!;
 * assert.equal(first.version, 1);
 * ```
 */
export interface Migration {
  /** 1, 2, 3, ... in order (a number reserved by other work may be skipped). */
  version: number;
  /** What it is for. */
  name: string;
  /** The SQL, run in one transaction. */
  sql: string;
}

/**
 * Every migration, oldest first. Versions are reserved per kind of state (2 skills, 3 sessions, 4 sign-ins, PII
 * vaults and approvals, 6 session owners' addresses, 7 skill removals, 8 cancellations), so a list may skip a
 * number until its migration lands; each applies on its own.
 *
 * @example
 * ```ts
 * import { MIGRATIONS } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const versions = MIGRATIONS.map((m) => m.version);
 * assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "audit",
    sql: `
      CREATE TABLE mcpx_audit (
        seq bigint PRIMARY KEY,
        prev text,
        hash text NOT NULL,
        line text NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    version: 2,
    name: "skills and search usage",
    sql: `
      CREATE TABLE mcpx_skill_versions (
        principal text NOT NULL,
        name text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        skill_md text NOT NULL,
        skill_ts text NOT NULL,
        tools_json text NOT NULL,
        metadata jsonb NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, name, version)
      );
      CREATE TABLE mcpx_skill_stats (
        principal text NOT NULL,
        name text NOT NULL,
        stats jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, name)
      );
      CREATE TABLE mcpx_search_usage (
        term text NOT NULL,
        tool text NOT NULL,
        weight double precision NOT NULL,
        updated_ms bigint NOT NULL,
        PRIMARY KEY (term, tool)
      )`,
  },
  {
    version: 3,
    name: "sessions",
    sql: `
      CREATE TABLE mcpx_sessions (
        id text PRIMARY KEY,
        principal_id text NOT NULL,
        scopes jsonb NOT NULL,
        owner text NOT NULL,
        lease_expires timestamptz NOT NULL,
        initialize jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mcpx_sessions_owner ON mcpx_sessions (owner)`,
  },
  {
    version: 4,
    name: "secrets",
    sql: `
      CREATE TABLE mcpx_sign_ins (
        principal text NOT NULL,
        server text NOT NULL,
        url text NOT NULL,
        sealed bytea NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, server, url)
      );
      CREATE TABLE mcpx_pii_vaults (
        session text PRIMARY KEY,
        sealed bytea NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX mcpx_pii_vaults_expiry ON mcpx_pii_vaults (expires_at);
      CREATE TABLE mcpx_approvals (
        id text PRIMARY KEY,
        sealed bytea NOT NULL,
        asked_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    version: 5,
    name: "session events",
    sql: `
      CREATE TABLE mcpx_session_events (
        id bigserial PRIMARY KEY,
        session text NOT NULL,
        stream text NOT NULL,
        replica text NOT NULL,
        request_ids jsonb,
        message jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mcpx_session_events_stream ON mcpx_session_events (session, stream, id);
      CREATE INDEX mcpx_session_events_age ON mcpx_session_events (stored_at)`,
  },
  {
    version: 6,
    name: "session owner addresses",
    sql: `ALTER TABLE mcpx_sessions ADD COLUMN owner_url text`,
  },
  {
    version: 7,
    name: "skill removals",
    sql: `
      CREATE TABLE mcpx_skill_removals (
        principal text NOT NULL,
        name text NOT NULL,
        removed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, name)
      )`,
  },
  {
    version: 8,
    name: "cancellations",
    sql: `
      CREATE TABLE mcpx_cancels (
        id bigserial PRIMARY KEY,
        session text NOT NULL,
        notice jsonb NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mcpx_cancels_session ON mcpx_cancels (session, id);
      CREATE INDEX mcpx_cancels_age ON mcpx_cancels (sent_at)`,
  },
];

/** The advisory lock key migrations run under ("mcpx" and 1). */
const MIGRATE_LOCK = 0x6d637078_0001;

/**
 * Applies the migrations the database lacks, each in a transaction that first takes the advisory lock and checks
 * `mcpx_schema_migrations` again, so concurrent callers apply each one once.
 *
 * @param sql A `postgres` client.
 * @param migrations The migrations, oldest first. Default: {@linkcode MIGRATIONS}.
 * @returns The versions this call applied.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { migrate } from "./migrations.ts";
 * const sql = postgres(Deno.env.get("MCPX_TEST_PG_URL")!);
 * console.log(await migrate(sql));
 * await sql.end();
 * ```
 */
export async function migrate(
  sql: Sql,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK}::bigint)`;
    await tx`CREATE TABLE IF NOT EXISTS mcpx_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK}::bigint)`;
      const rows =
        await tx`SELECT 1 FROM mcpx_schema_migrations WHERE version = ${migration.version}`;
      if (rows.length > 0) return false;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO mcpx_schema_migrations (version, name)
        VALUES (${migration.version}, ${migration.name})`;
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
